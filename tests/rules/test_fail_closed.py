"""The pack fails closed: each spelling that used to pass a non-compliant template (issue 20) is caught.

Every case is a template written as CloudFormation and run through the engine with no CDK. Each
non-compliant spelling has a compliant twin that must stay clean, so a fix that flags everything fails.
"""

from __future__ import annotations

import copy
import json
import pathlib
from typing import Any

import pytest

from secure_imagebuilder.rules.engine import assembly, run
from secure_imagebuilder.rules.engine.model import Finding, Level

REPO = pathlib.Path(__file__).resolve().parents[2]
ACCOUNT_ID = {"Ref": "AWS::AccountId"}
ROOT = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
ADMIN = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}
IB_CONTEXT = "kms:EncryptionContext:aws:imagebuilder:arn"
OWN_WORKFLOWS = {"Fn::Sub": "arn:${AWS::Partition}:imagebuilder:*:${AWS::AccountId}:workflow/*"}


def findings(template: dict[str, Any]) -> list[Finding]:
    return run.evaluate([assembly.stack_from_template(template, path="S")])


def ids(template: dict[str, Any], logical_id: str | None = None, *, rule: str = "") -> set[str]:
    """Finding ids (without the pack prefix) on ``logical_id`` (every resource when None)."""
    return {
        f.rule_id.removeprefix("DataProtection-")
        for f in findings(template)
        if (logical_id is None or f.resource.logical_id == logical_id) and f.rule.id.startswith(rule)
    }


def key(*statements: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::KMS::Key",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {"EnableKeyRotation": True, "KeyPolicy": {"Statement": [ADMIN, *statements]}},
    }


def component(kms_key_id: Any = None) -> dict[str, Any]:
    return {
        "Type": "AWS::ImageBuilder::Component",
        "Properties": {
            "Name": "c",
            "Version": "1.0.0",
            "Platform": "Linux",
            "Data": "schemaVersion: 1.0",
            "KmsKeyId": kms_key_id if kms_key_id is not None else {"Fn::GetAtt": ["Key", "Arn"]},
        },
    }


def with_ib_key(*statements: dict[str, Any], **others: Any) -> dict[str, Any]:
    """A key used by a component of the template (so KMS5/IAM1 apply), and other resources."""
    return {"Resources": {"Key": key(*statements), "Component": component(), **others}}


# --- KMS4: a public key passes no more ---------------------------------------------------------------

ANYONE = {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {"aws:PrincipalAccount": "*"}},
        {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT_ID}},
        {"Null": {"aws:PrincipalAccount": "false"}},
        {"StringLike": {"kms:CallerAccount": "*"}},
        {"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT_ID}},
        {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}},
        {"StringLike": {"aws:PrincipalOrgID": "o-*"}},
        {"StringLike": {"kms:ViaService": "*"}},
        {"Bool": {"aws:SecureTransport": "true"}},
    ],
    ids=lambda c: json.dumps(c, sort_keys=True)[:60],
)
def test_a_weak_condition_leaves_the_key_public(condition: dict[str, Any]) -> None:
    template = {"Resources": {"Key": key({**ANYONE, "Condition": condition})}}
    assert "KMS4[Anyone]" in ids(template, "Key")


@pytest.mark.parametrize(
    "principal",
    [
        {"Fn::If": ["Open", "*", {"AWS": ROOT}]},
        {"AWS": {"Fn::Join": ["", ["*"]]}},
        {"AWS": {"Fn::Sub": "*"}},
        {"AWS": ["*", ROOT]},
    ],
    ids=["Fn::If", "Fn::Join", "Fn::Sub", "a list with *"],
)
def test_anyone_written_through_an_intrinsic_is_anyone(principal: Any) -> None:
    template = {
        "Conditions": {"Open": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}},
        "Resources": {"Key": key({**ANYONE, "Principal": principal})},
    }
    assert "KMS4[Anyone]" in ids(template, "Key")


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalAccount": ACCOUNT_ID}},
        {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        {"StringEquals": {"kms:CallerAccount": ACCOUNT_ID, "kms:ViaService": "ec2.us-east-1.amazonaws.com"}},
        {"ArnLike": {"aws:PrincipalArn": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/*"}}},
        {"StringEquals": {"aws:PrincipalAccount": {"Ref": "TrustedAccount"}}},
    ],
    ids=["own account", "org id", "caller account via ec2", "own roles", "a deploy-time account"],
)
def test_a_condition_that_only_named_callers_meet_keeps_the_key_private(condition: dict[str, Any]) -> None:
    template = {
        "Parameters": {"TrustedAccount": {"Type": "String"}},
        "Resources": {"Key": key({**ANYONE, "Condition": condition})},
    }
    assert ids(template, "Key", rule="KMS4") == set()


def test_an_explicit_deny_for_other_accounts_keeps_the_key_private() -> None:
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "kms:*",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT_ID}},
    }
    assert ids({"Resources": {"Key": key(ANYONE, deny)}}, "Key", rule="KMS4") == set()


@pytest.mark.parametrize(
    ("resource", "public"),
    [
        ({"Fn::Sub": "arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*"}, True),
        ("arn:aws:kms:us-east-1:111122223333:key/other", False),
    ],
    ids=["this account's keys", "another key"],
)
def test_a_public_statement_is_judged_on_this_key(resource: Any, public: bool) -> None:
    template = {"Resources": {"Key": key({**ANYONE, "Resource": resource})}}
    assert ("KMS4[Anyone]" in ids(template, "Key")) is public


# --- KMS1/KMS2: key settings through parameters ------------------------------------------------------


def test_a_retention_policy_only_known_at_deploy_time_is_undecided() -> None:
    template = {
        "Parameters": {"Keep": {"Type": "String"}},
        "Resources": {"Key": key() | {"DeletionPolicy": {"Ref": "Keep"}}},
    }
    (finding,) = [f for f in findings(template) if f.rule.id == "KMS2"]
    assert (finding.rule_id, finding.level) == ("DataProtection-KMS2[DeletionPolicy]", Level.WARNING)
    assert "parameter Keep" in finding.message


def test_a_rotation_flag_only_known_at_deploy_time_is_undecided() -> None:
    flagged = key()
    flagged["Properties"] = {**flagged["Properties"], "EnableKeyRotation": {"Ref": "Rotate"}}
    template = {"Parameters": {"Rotate": {"Type": "String"}}, "Resources": {"Key": flagged}}
    (finding,) = [f for f in findings(template) if f.rule.id == "KMS1"]
    assert finding.level == Level.WARNING
    assert "parameter Rotate" in finding.message


@pytest.mark.parametrize(("spec", "fires"), [("RSA_2048", False), ("SYMMETRIC_DEFAULT", True)])
def test_the_key_spec_is_read_through_a_parameter_default(spec: str, fires: bool) -> None:
    unrotated = key()
    unrotated["Properties"] = {
        **unrotated["Properties"],
        "EnableKeyRotation": False,
        "KeySpec": {"Ref": "Spec"},
    }
    template = {"Parameters": {"Spec": {"Type": "String", "Default": spec}}, "Resources": {"Key": unrotated}}
    assert ("KMS1" in ids(template, "Key")) is fires


# --- KMS5: data keys outside the Image Builder context ---------------------------------------------------

EXEC = {"AWS": {"Fn::GetAtt": ["Exec", "Arn"]}}
EXEC_ROLE = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": []}}}


def grant(**changes: Any) -> dict[str, Any]:
    statement = {
        "Sid": "Exec",
        "Effect": "Allow",
        "Principal": EXEC,
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {"StringLike": {IB_CONTEXT: OWN_WORKFLOWS}},
    }
    statement.update(changes)
    return {k: val for k, val in statement.items() if val is not None}


@pytest.mark.parametrize(
    "statement",
    [
        grant(Condition={"StringLike": {IB_CONTEXT: "*"}}),
        grant(Condition={"StringLikeIfExists": {IB_CONTEXT: OWN_WORKFLOWS}}),
        grant(Condition={"StringLike": {"kms:ViaService": "*"}}),
        grant(Condition={"Null": {IB_CONTEXT: "false"}}),
        grant(Condition={"StringLike": {IB_CONTEXT: "arn:aws:imagebuilder:*:*:workflow/*"}}),
        grant(Condition={"StringEquals": {"kms:ViaService": "imagebuilder.us-west-2.amazonaws.com"}}),
        grant(Action={"Fn::If": ["Always", "kms:Decrypt", "kms:Encrypt"]}, Condition=None),
        grant(Action="kms:De*", Condition=None),
        grant(Action=None, NotAction="kms:Encrypt", Condition=None),
        grant(Principal={"AWS": [ROOT, {"Fn::GetAtt": ["Exec", "Arn"]}]}, Condition=None),
        grant(Resource={"Fn::Sub": "arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*"}, Condition=None),
    ],
    ids=[
        "context *",
        "IfExists",
        "ViaService *",
        "Null false",
        "any account's workflows",
        "via Image Builder, no context",
        "Decrypt inside Fn::If",
        "kms:De*",
        "NotAction",
        "root and a role",
        "this account's keys",
    ],
)
def test_data_keys_outside_the_context_are_reported(statement: dict[str, Any]) -> None:
    template = with_ib_key(statement, Exec=EXEC_ROLE)
    template["Conditions"] = {"Always": {"Fn::Equals": ["a", "a"]}}
    assert "KMS5[Exec]" in ids(template, "Key")


@pytest.mark.parametrize(
    "statement",
    [
        grant(),
        grant(Condition={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:*:*:*"}}),
        grant(Condition={"StringEquals": {"kms:ViaService": "sns.us-west-2.amazonaws.com"}}),
        grant(Principal={"AWS": ROOT}, Condition=None),  # delegation to IAM: IAM1 judges the other side
        grant(Action="kms:Encrypt", Condition=None),
        grant(Resource="arn:aws:kms:us-east-1:111122223333:key/other", Condition=None),
    ],
    ids=[
        "own workflows",
        "another service's context",
        "via SNS only",
        "the account root",
        "no data keys",
        "another key",
    ],
)
def test_data_keys_within_the_context_are_not_reported(statement: dict[str, Any]) -> None:
    assert ids(with_ib_key(statement, Exec=EXEC_ROLE), "Key", rule="KMS5") == set()


# --- IAM1/IAM2/IAM3 ------------------------------------------------------------------------------------


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)}},
    }


KEY_ARN = {"Fn::GetAtt": ["Key", "Arn"]}
USE = {"Sid": "Use", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN}


@pytest.mark.parametrize(
    "statement",
    [
        {**USE, "Resource": None, "NotResource": "arn:aws:s3:::*"},
        {**USE, "Condition": {"StringLikeIfExists": {IB_CONTEXT: OWN_WORKFLOWS}}},
        {**USE, "Resource": {"Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"}},
        {**USE, "Resource": {"Fn::Sub": "${Key.Arn}"}},
        {**USE, "Action": "kms:*"},
    ],
    ids=["NotResource", "IfExists", "Fn::Sub key ARN", "Fn::Sub reference", "kms:*"],
)
def test_identity_grants_outside_the_context_are_reported(statement: dict[str, Any]) -> None:
    statement = {k: val for k, val in statement.items() if val is not None}
    assert "IAM1[Use]" in ids(with_ib_key(Policy=policy(statement)), "Policy")


def test_an_identity_grant_within_the_context_is_not_reported() -> None:
    scoped = {**USE, "Condition": {"StringLike": {IB_CONTEXT: OWN_WORKFLOWS}}}
    assert ids(with_ib_key(Policy=policy(scoped)), "Policy") == set()


def inline_role(statement: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {"Statement": []},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [statement]}}],
        },
    }


def principal_arn(arn: Any) -> dict[str, Any]:
    return {"ArnLike": {"aws:PrincipalArn": arn}}


def test_a_role_policy_is_asked_as_the_role_that_holds_it() -> None:
    own = {**USE, "Condition": principal_arn({"Fn::GetAtt": ["Role", "Arn"]})}
    assert ids(with_ib_key(Role=inline_role(own)), "Role") == {"IAM1[p.Use]"}
    other = {
        **USE,
        "Condition": principal_arn({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x"}),
    }
    assert ids(with_ib_key(Role=inline_role(other)), "Role") == set()


def test_a_managed_policy_is_asked_as_any_role_of_the_account() -> None:
    roles = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*"}
    assert ids(with_ib_key(Policy=policy({**USE, "Condition": principal_arn(roles)})), "Policy") == {
        "IAM1[Use]"
    }


def test_a_wildcard_under_a_condition_is_still_a_wildcard() -> None:
    tagged = {"Sid": "Wide", "Effect": "Allow", "Action": "*", "Resource": "*"}
    tagged["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": "builders"}}
    assert ids({"Resources": {"P": policy(tagged)}}, "P") == {"IAM2[Wide]"}


@pytest.mark.parametrize(
    "actions",
    [
        {"Fn::If": ["Always", "*", "*"]},
        {"Fn::Join": ["", ["kms:", "*"]]},
        "kms:**",
        "*:*",
        "k?s:*",
        ["s3:GetObject", {"Fn::Sub": "kms:${Suffix}"}],
    ],
    ids=["Fn::If", "Fn::Join", "kms:**", "*:*", "k?s:*", "Fn::Sub over a parameter default"],
)
def test_wildcard_actions_in_any_spelling(actions: Any) -> None:
    template = {
        "Conditions": {"Always": {"Fn::Equals": ["a", "a"]}},
        "Parameters": {"Suffix": {"Type": "String", "Default": "*"}},
        "Resources": {"P": policy({"Sid": "Wide", "Effect": "Allow", "Action": actions, "Resource": "*"})},
    }
    assert "IAM2[Wide]" in ids(template, "P")


def test_a_listed_action_or_a_partial_wildcard_is_not_a_wildcard() -> None:
    narrow = {"Sid": "Narrow", "Effect": "Allow", "Action": ["kms:De*", "s3:Get*"], "Resource": "*"}
    assert ids({"Resources": {"P": policy(narrow)}}, "P") == set()


def trust_role(statement: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}},
    }


IB_TRUST = {
    "Sid": "Ib",
    "Effect": "Allow",
    "Principal": {"Service": "imagebuilder.amazonaws.com"},
    "Action": "sts:AssumeRole",
}


@pytest.mark.parametrize(
    "statement",
    [
        {**IB_TRUST, "Condition": {"StringLike": {"aws:SourceAccount": "*"}}},
        {**IB_TRUST, "Condition": {"StringNotEquals": {"aws:SourceAccount": "444455556666"}}},
        {**IB_TRUST, "Condition": {"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT_ID}}},
        {**IB_TRUST, "Principal": {"Service": {"Fn::If": ["Always", "imagebuilder.amazonaws.com", "x"]}}},
        {**IB_TRUST, "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:imagebuilder:*:*:*"}}},
    ],
    ids=["SourceAccount *", "NotEquals another", "IfExists", "principal inside Fn::If", "any account's ARN"],
)
def test_confused_deputy_spellings_are_reported(statement: dict[str, Any]) -> None:
    template = {
        "Conditions": {"Always": {"Fn::Equals": ["a", "a"]}},
        "Resources": {"R": trust_role(statement)},
    }
    assert "IAM3[Ib]" in ids(template, "R")


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}},
        {
            "ArnLike": {
                "aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:imagebuilder:*:${AWS::AccountId}:*"}
            }
        },
    ],
    ids=["own account", "own ARNs"],
)
def test_a_trust_scoped_to_this_account_is_not_reported(condition: dict[str, Any]) -> None:
    assert ids({"Resources": {"R": trust_role({**IB_TRUST, "Condition": condition})}}, "R") == set()


@pytest.mark.parametrize(
    "trust",
    [{"Fn::ImportValue": "shared-trust"}, {"Statement": [{"Fn::ImportValue": "shared-trust"}]}],
    ids=["whole document", "one statement"],
)
def test_an_unreadable_trust_is_a_warning_that_names_the_value(trust: Any) -> None:
    template = {
        "Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": trust}}}
    }
    (finding,) = [f for f in findings(template) if f.rule.id == "IAM3"]
    assert finding.level == Level.WARNING
    assert (
        'Fn::ImportValue: another stack\'s export, known at deploy time: {"Fn::ImportValue":"shared-trust"}'
        in (finding.message)
    )


# --- a policy document written as a JSON string (CloudFormation takes either form) --------------------

UNNAMED_ANYONE = {k: val for k, val in ANYONE.items() if k != "Sid"}


def as_text(document: dict[str, Any], *, sub: bool = False) -> Any:
    text = json.dumps(document)
    return {"Fn::Sub": text} if sub else text


@pytest.mark.parametrize("sub", [False, True], ids=["string", "Fn::Sub string"])
def test_a_key_policy_written_as_a_json_string_is_read(sub: bool) -> None:
    public = key()
    public["Properties"] = {
        **public["Properties"],
        "KeyPolicy": as_text({"Statement": [ADMIN, ANYONE]}, sub=sub),
    }
    assert ids({"Resources": {"Key": public}}, "Key") == {"KMS4[Anyone]"}
    private = key()
    private["Properties"] = {**private["Properties"], "KeyPolicy": as_text({"Statement": [ADMIN]}, sub=sub)}
    assert ids({"Resources": {"Key": private}}, "Key") == set()


def test_a_statement_has_the_same_id_in_a_string_and_an_object() -> None:
    written = key(UNNAMED_ANYONE)
    as_string = key()
    as_string["Properties"] = {
        **as_string["Properties"],
        "KeyPolicy": as_text({"Statement": [ADMIN, UNNAMED_ANYONE]}),
    }
    found = ids({"Resources": {"Key": written}}, "Key")
    assert found == ids({"Resources": {"Key": as_string}}, "Key")
    assert len(found) == 1


def test_trust_and_identity_policies_written_as_strings_are_read() -> None:
    role = trust_role(IB_TRUST)
    role["Properties"]["AssumeRolePolicyDocument"] = as_text({"Statement": [IB_TRUST]})
    wide = {"Sid": "Wide", "Effect": "Allow", "Action": "*", "Resource": "*"}
    role["Properties"]["Policies"] = [{"PolicyName": "p", "PolicyDocument": as_text({"Statement": [wide]})}]
    assert ids({"Resources": {"R": role}}, "R") == {"IAM3[Ib]", "IAM2[p.Wide]"}


def test_a_policy_string_that_is_not_json_is_undecided() -> None:
    unreadable = key()
    unreadable["Properties"] = {**unreadable["Properties"], "KeyPolicy": "{'Statement': []}"}
    found = [f for f in findings({"Resources": {"Key": unreadable}}) if f.rule.id == "KMS4"]
    assert [(f.rule_id, f.level) for f in found] == [("DataProtection-KMS4[Unreadable]", Level.WARNING)]
    assert "a policy document string that is not a JSON object" in found[0].message


# --- IB1/IB2/IB3: an AWS managed key in any spelling ----------------------------------------------------

MANAGED_KEY_SPELLINGS = [
    {"Fn::FindInMap": ["Keys", "Default", "Id"]},
    {"Fn::FindInMap": ["Keys", {"Ref": "AWS::Region"}, "Id"]},
    {"Fn::Sub": ["alias/${O}/imagebuilder", {"O": "aws"}]},
    {"Fn::Sub": "${KeyParam}"},
    {"Fn::Join": ["/", ["alias", {"Ref": "Owner"}, "imagebuilder"]]},
    {"Fn::Select": [0, {"Fn::Split": [",", "alias/aws/ebs,x"]}]},
]
SPELLING_IDS = ["FindInMap", "FindInMap dynamic key", "Sub map", "Sub param", "Join param", "Select Split"]


def managed_key_template(resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "Parameters": {
            "KeyParam": {"Type": "String", "Default": "alias/aws/imagebuilder"},
            "Owner": {"Type": "String", "Default": "aws"},
        },
        "Mappings": {"Keys": {"Default": {"Id": "alias/aws/imagebuilder"}, "us-east-1": {"Id": "x"}}},
        "Resources": {"R": resource},
    }


@pytest.mark.parametrize("value", MANAGED_KEY_SPELLINGS, ids=SPELLING_IDS)
def test_an_aws_managed_key_is_found_in_every_spelling(value: Any) -> None:
    assert "IB1" in ids(managed_key_template(component(value)), "R")
    recipe = {
        "Type": "AWS::ImageBuilder::ImageRecipe",
        "Properties": {
            "BlockDeviceMappings": [
                {"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True, "KmsKeyId": value}}
            ]
        },
    }
    assert "IB2[/dev/xvda]" in ids(managed_key_template(recipe), "R")
    distribution = {
        "Type": "AWS::ImageBuilder::DistributionConfiguration",
        "Properties": {
            "Distributions": [{"Region": "us-east-1", "AmiDistributionConfiguration": {"KmsKeyId": value}}]
        },
    }
    assert "IB3[us-east-1]" in ids(managed_key_template(distribution), "R")


# --- every string of the template ------------------------------------------------------------------------

PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgwMbRvI0MBZhpF\n"
EMAIL = "platform-team@example.com"


def test_secrets_and_e_mail_addresses_are_found_outside_resource_properties() -> None:
    template = {
        "Description": "Owned by " + EMAIL,
        "Metadata": {"Owner": EMAIL},
        "Parameters": {
            "Pem": {"Type": "String", "Default": PEM, "NoEcho": True},
            "Contact": {"Type": "String", "Default": EMAIL},
            "Repo": {"Type": "String", "Default": "https://builder:hunter2@git.example.com/r.git"},
        },
        "Mappings": {"Certs": {"prod": {"Key": PEM}}},
        "Outputs": {"Leak": {"Value": {"Fn::Join": ["", ["-----BEGIN ", "PRIVATE KEY-----\nMII"]]}}},
        "Resources": {
            "Doc": {
                "Type": "AWS::SSM::Parameter",
                "Metadata": {"note": PEM},
                "Properties": {"Type": "String", "Value": {"Ref": "Pem"}},
            }
        },
    }
    found = ids(template)
    assert {"SEC1[Parameters.Pem]", "SEC1[Mappings.Certs]", "SEC1[Outputs.Leak]", "SEC1[Metadata]"} <= found
    assert {"SD1[Parameters.Contact]", "SD1[Description]", "SD1[Metadata]"} <= found
    assert "URL1[Parameters.Repo]" in found
    # Where it is written, and where it is used: the property receives the private key too.
    assert "SEC1[Value]" in found


def test_plain_text_outside_resources_raises_nothing() -> None:
    template = {
        "Description": "An image pipeline for account ${AWS::AccountId}",
        "Parameters": {"Env": {"Type": "String", "Default": "prod", "Description": "e.g. 123456789012"}},
        "Outputs": {"Arn": {"Value": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/x"}}},
        "Resources": {"T": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "x"}}},
    }
    assert ids(template) == set()


# --- reports never print what must stay hidden -----------------------------------------------------------


def test_a_no_echo_default_is_never_printed_in_a_finding() -> None:
    template = {
        "Parameters": {"Days": {"Type": "Number", "Default": 7, "NoEcho": True}},
        "Resources": {
            "Key": key() | {"Properties": {**key()["Properties"], "PendingWindowInDays": {"Ref": "Days"}}}
        },
    }
    (finding,) = [f for f in findings(template) if f.rule.id == "KMS3"]
    assert finding.assumptions == ("parameter Days is (hidden) (its Default)",)
    assert "7" not in finding.message


# --- acknowledgements need a reason -----------------------------------------------------------------------


def test_an_acknowledgement_without_a_reason_silences_nothing() -> None:
    unrotated = key()
    unrotated["Properties"] = {**unrotated["Properties"], "EnableKeyRotation": False}
    unrotated["Metadata"] = {"cdk_nag": {"rules_to_suppress": [{"id": "DataProtection-KMS1"}]}}
    found = findings({"Resources": {"Key": unrotated}})
    (rotation,) = [f for f in found if f.rule.id == "KMS1"]
    assert rotation.acknowledged is None and rotation.level == Level.ERROR
    (ack,) = [f for f in found if f.rule.id == "ACK1"]
    assert ack.rule_id == "DataProtection-ACK1[DataProtection-KMS1]"
    assert "Written without a reason at: Key" in ack.message


# --- AUD1: a trail that never deploys -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "fires"),
    [
        ({"Fn::Equals": ["a", "b"]}, True),
        ({"Fn::And": [{"Fn::Equals": ["a", "a"]}, {"Fn::Not": [{"Fn::Equals": ["x", "x"]}]}]}, True),
        ({"Fn::Equals": [{"Ref": "Env"}, "prod"]}, False),
        ({"Fn::Equals": ["a", "a"]}, False),
    ],
    ids=["never", "never (And/Not)", "depends on a parameter", "always"],
)
def test_a_trail_under_a_condition_that_is_never_true_does_not_count(condition: Any, fires: bool) -> None:
    template = {
        "Parameters": {"Env": {"Type": "String", "AllowedValues": ["dev", "prod"]}},
        "Conditions": {"Audit": condition},
        "Resources": {
            "Component": component("arn:aws:kms:us-east-1:111122223333:key/k"),
            "Trail": {
                "Type": "AWS::CloudTrail::Trail",
                "Condition": "Audit",
                "Properties": {"IsLogging": True},
            },
        },
    }
    assert ("AUD1" in ids(template)) is fires


@pytest.mark.parametrize(
    ("is_logging", "expected"),
    [
        (False, {"AUD1": Level.WARNING}),
        ({"Fn::If": ["Sometimes", True, False]}, {"AUD1": Level.WARNING}),
        ({"Ref": "Logging"}, {"AUD1": Level.WARNING}),
        ("true", {}),
        ({"Fn::If": ["Sometimes", True, "true"]}, {}),
    ],
    ids=["off", "off in one branch", "only known at deploy time", "true as text", "on in every branch"],
)
def test_a_trail_counts_only_when_it_logs(is_logging: Any, expected: dict[str, Level]) -> None:
    template = {
        "Parameters": {"Logging": {"Type": "String"}, "Env": {"Type": "String", "Default": "dev"}},
        "Conditions": {"Sometimes": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": {
            "Component": component("arn:aws:kms:us-east-1:111122223333:key/k"),
            "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {"IsLogging": is_logging}},
        },
    }
    found = {f.rule.id: f.level for f in findings(template) if f.rule.id == "AUD1"}
    assert found == expected
    if is_logging == {"Ref": "Logging"}:
        (undecided,) = [f for f in findings(template) if f.rule.id == "AUD1"]
        assert "parameter Logging" in undecided.message
        assert "whether the trail records KMS's management events" in undecided.message
        assert undecided.rule_id == "DataProtection-AUD1"


MANAGEMENT = {"Field": "eventCategory", "Equals": ["Management"]}


@pytest.mark.parametrize(
    ("selectors", "records"),
    [
        ({"EventSelectors": [{"IncludeManagementEvents": False}]}, False),
        ({"EventSelectors": [{"ReadWriteType": "WriteOnly"}]}, False),
        ({"EventSelectors": [{"ExcludeManagementEventSources": ["kms.amazonaws.com"]}]}, False),
        (
            {"EventSelectors": [{"ReadWriteType": "All", "DataResources": [{"Type": "AWS::S3::Object"}]}]},
            True,
        ),
        (
            {
                "AdvancedEventSelectors": [
                    {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]}
                ]
            },
            False,
        ),
        (
            {
                "AdvancedEventSelectors": [
                    {
                        "FieldSelectors": [
                            MANAGEMENT,
                            {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]},
                        ]
                    }
                ]
            },
            False,
        ),
        ({"AdvancedEventSelectors": [{"FieldSelectors": [MANAGEMENT]}]}, True),
        (
            {
                "AdvancedEventSelectors": [
                    {"FieldSelectors": [MANAGEMENT, {"Field": "readOnly", "Equals": ["false"]}]}
                ]
            },
            False,
        ),
        (
            {
                "AdvancedEventSelectors": [
                    {"FieldSelectors": [MANAGEMENT, {"Field": "eventName", "Equals": ["x"]}]}
                ]
            },
            None,
        ),
    ],
    ids=[
        "no management events",
        "write-only",
        "KMS excluded",
        "data events beside management",
        "advanced: data only",
        "advanced: KMS excluded",
        "advanced: management",
        "advanced: writes only",
        "advanced: a field not read",
    ],
)
def test_a_trail_counts_only_when_it_records_kms_events(
    selectors: dict[str, Any], records: bool | None
) -> None:
    template = {
        "Resources": {
            "Component": component("arn:aws:kms:us-east-1:111122223333:key/k"),
            "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {"IsLogging": True, **selectors}},
        },
    }
    found = [f for f in findings(template) if f.rule.id == "AUD1"]
    assert [f.undecided is not None for f in found] == ([] if records else [records is None])


# --- the grant rules never fail open ------------------------------------------------------------------------


def blueprint() -> dict[str, Any]:
    """The SecureImagePipeline blueprint's template, as its snapshot holds it."""
    path = REPO / "tests/examples/__snapshots__/test_examples/test_example_snapshot[blueprint].json"
    ((_, template),) = json.loads(path.read_text()).items()
    return copy.deepcopy(template)


def execution_role_policy(template: dict[str, Any]) -> dict[str, Any]:
    (pipeline,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::ImageBuilder::ImagePipeline"
    ]
    role = pipeline["Properties"]["ExecutionRole"]["Fn::GetAtt"][0]
    (found,) = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy" and {"Ref": role} in r["Properties"].get("Roles", [])
    ]
    return found


def without_role_grant(template: dict[str, Any]) -> dict[str, Any]:
    document = execution_role_policy(template)["Properties"]["PolicyDocument"]
    document["Statement"] = [s for s in document["Statement"] if IB_CONTEXT not in json.dumps(s)]
    return template


def grant_ids(template: dict[str, Any]) -> set[str]:
    return {i.split("[")[0] for i in ids(template, rule="GRANT")}


def test_the_blueprint_is_granted() -> None:
    assert grant_ids(blueprint()) == set()


def test_a_missing_role_grant_is_found_with_an_unrelated_fn_if_elsewhere() -> None:
    template = without_role_grant(blueprint())
    assert "GRANT2" in grant_ids(template)
    template["Conditions"] = {"Debug": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}}
    template["Resources"]["Unrelated"] = policy(
        {"Effect": "Allow", "Action": {"Fn::If": ["Debug", "s3:GetObject", "s3:ListBucket"]}, "Resource": "*"}
    )
    assert "GRANT2" in grant_ids(template)


def test_a_workflow_name_behind_fn_if_is_still_judged() -> None:
    template = without_role_grant(blueprint())
    template["Conditions"] = {"Prod": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}}
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::ImageBuilder::Workflow":
            resource["Properties"]["Name"] = {"Fn::If": ["Prod", "build-prod", "build-dev"]}
    found = [f for f in findings(template) if f.rule.id.startswith("GRANT")]
    assert not any(f.error for f in found)
    assert "GRANT2" in {f.rule.id for f in found}


def test_a_role_grant_whose_condition_never_matches_is_no_grant() -> None:
    template = blueprint()
    for statement in execution_role_policy(template)["Properties"]["PolicyDocument"]["Statement"]:
        if IB_CONTEXT in json.dumps(statement):
            statement["Condition"]["StringEquals"] = {"aws:PrincipalAccount": "000000000000"}
    assert "GRANT2" in grant_ids(template)


def test_a_permissions_boundary_without_decrypt_caps_the_grant() -> None:
    template = blueprint()
    (pipeline,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::ImageBuilder::ImagePipeline"
    ]
    role = template["Resources"][pipeline["Properties"]["ExecutionRole"]["Fn::GetAtt"][0]]
    template["Resources"]["Boundary"] = policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    role["Properties"]["PermissionsBoundary"] = {"Ref": "Boundary"}
    assert "GRANT2" in grant_ids(template)
    template["Resources"]["Boundary"] = policy({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
    assert "GRANT2" not in grant_ids(template)


def test_a_boundary_outside_the_template_leaves_the_grant_undecided_not_passed() -> None:
    template = without_role_grant(blueprint())
    (pipeline,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::ImageBuilder::ImagePipeline"
    ]
    role = template["Resources"][pipeline["Properties"]["ExecutionRole"]["Fn::GetAtt"][0]]
    role["Properties"]["PermissionsBoundary"] = {"Fn::ImportValue": "OrgBoundary"}
    (finding,) = [f for f in findings(template) if f.rule.id == "GRANT2"]
    assert finding.level in (Level.ERROR, Level.WARNING)


def test_an_undecided_finding_is_a_warning_that_names_the_value() -> None:
    template = {
        "Parameters": {"Days": {"Type": "Number"}},
        "Resources": {
            "Key": key() | {"Properties": {**key()["Properties"], "PendingWindowInDays": {"Ref": "Days"}}}
        },
    }
    (finding,) = [f for f in findings(template) if f.rule.id == "KMS3"]
    assert finding.level == Level.WARNING
    assert "parameter Days has no Default or AllowedValues" in finding.message


# --- a list or setting only known at deploy time is undecided, never skipped --------------------------

IMPORTED = {"Fn::ImportValue": "shared-settings"}


@pytest.mark.parametrize(
    ("resource_type", "properties", "expected"),
    [
        (
            "AWS::ImageBuilder::DistributionConfiguration",
            {"Name": "d", "Distributions": IMPORTED},
            {"IB3[Distributions]", "IB8[Distributions]"},
        ),
        (
            "AWS::ImageBuilder::DistributionConfiguration",
            {
                "Name": "d",
                "Distributions": [{"Region": "us-east-1", "AmiDistributionConfiguration": IMPORTED}],
            },
            {"IB3[us-east-1]", "IB8[us-east-1]"},
        ),
        (
            "AWS::ImageBuilder::ImageRecipe",
            {"Name": "r", "Version": "1.0.0", "ParentImage": "ami-1", "BlockDeviceMappings": IMPORTED},
            {"IB2[BlockDeviceMappings]"},
        ),
        (
            "AWS::ImageBuilder::ImageRecipe",
            {
                "Name": "r",
                "Version": "1.0.0",
                "ParentImage": "ami-1",
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": IMPORTED}],
            },
            {"IB2[/dev/xvda]"},
        ),
        (
            "AWS::RolesAnywhere::TrustAnchor",
            {"Source": {"SourceType": "CERTIFICATE_BUNDLE"}, "NotificationSettings": IMPORTED},
            {"RA2[CA_CERTIFICATE_EXPIRY]", "RA2[END_ENTITY_CERTIFICATE_EXPIRY]"},
        ),
    ],
    ids=["distributions", "ami configuration", "mappings", "ebs", "notification settings"],
)
def test_settings_only_known_at_deploy_time_are_undecided(
    resource_type: str, properties: dict[str, Any], expected: set[str]
) -> None:
    template = {"Resources": {"R": {"Type": resource_type, "Properties": properties}}}
    found = [f for f in findings(template) if f.resource.logical_id == "R"]
    assert {f.rule_id.removeprefix("DataProtection-") for f in found} == expected
    assert {f.level for f in found} == {Level.WARNING}
