"""What issue 23 found passing the pack, each with its compliant twin: templates run through the engine.

Public launch permissions (IB8), broad build-instance roles (IB9), CloudWatch build logs (IB10), Roles
Anywhere sessions (RA4), user data read by SEC1/URL1 and the document rules, and sensitive data in the
nested free text of Image Builder resources (SD1).
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from secure_imagebuilder.rules.engine import assembly, run
from secure_imagebuilder.rules.engine.model import Finding, Level

ACCOUNT = "111122223333"
IB = "AWS::ImageBuilder::"
MANAGED = "arn:aws:iam::aws:policy/"
EC2_TRUST = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
# A secret access key shaped like AWS's documentation example (not a real key).
KEY_PAIR = (
    "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)


def findings(template: dict[str, Any]) -> list[Finding]:
    return run.evaluate([assembly.stack_from_template(template, path="S")])


def ids(template: dict[str, Any], logical_id: str, rule: str) -> set[str]:
    """Finding ids of ``rule`` (without the pack prefix) on ``logical_id``."""
    return {
        f.rule_id.removeprefix("DataProtection-")
        for f in findings(template)
        if f.resource.logical_id == logical_id and f.rule.id == rule
    }


def levels(template: dict[str, Any], logical_id: str, rule: str) -> dict[str, Level]:
    return {
        f.rule_id.removeprefix("DataProtection-"): f.level
        for f in findings(template)
        if f.resource.logical_id == logical_id and f.rule.id == rule
    }


# --- IB8: public launch permissions --------------------------------------------------------------------


def distribution(launch: Any, region: Any = "us-east-1") -> dict[str, Any]:
    ami = {"KmsKeyId": "alias/my-key", "LaunchPermissionConfiguration": launch}
    return {
        "Type": f"{IB}DistributionConfiguration",
        "Properties": {
            "Name": "d",
            "Distributions": [{"Region": region, "AmiDistributionConfiguration": ami}],
        },
    }


PUBLIC_SPELLINGS = {
    "literal": ({}, {"UserGroups": ["all"]}),
    "parameter default": (
        {"Groups": {"Type": "String", "Default": "all"}},
        {"UserGroups": [{"Ref": "Groups"}]},
    ),
    "list parameter": (
        {"Groups": {"Type": "CommaDelimitedList", "Default": "all"}},
        {"UserGroups": {"Ref": "Groups"}},
    ),
    "allowed value": (
        {"Groups": {"Type": "String", "Default": "none", "AllowedValues": ["none", "all"]}},
        {"UserGroups": [{"Ref": "Groups"}]},
    ),
    "one Fn::If branch": ({}, {"UserGroups": {"Fn::If": ["Open", ["all"], {"Ref": "AWS::NoValue"}]}}),
    "Fn::Split": ({}, {"UserGroups": {"Fn::Split": [",", "all"]}}),
}


@pytest.mark.parametrize("spelling", PUBLIC_SPELLINGS)
def test_a_distribution_to_the_group_all_is_public(spelling: str) -> None:
    parameters, launch = PUBLIC_SPELLINGS[spelling]
    template = {
        "Parameters": parameters,
        "Conditions": {"Open": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}},
        "Resources": {"Dist": distribution(launch)},
    }
    assert ids(template, "Dist", "IB8") == {"IB8[us-east-1]"}


@pytest.mark.parametrize(
    "launch",
    [
        {"UserIds": [ACCOUNT]},
        {"OrganizationArns": ["arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5"]},
        {"UserGroups": []},
        {"UserGroups": {"Fn::If": ["Never", ["all"], {"Ref": "AWS::NoValue"}]}},
    ],
    ids=["named accounts", "an organization", "no group", "a branch that never deploys"],
)
def test_a_distribution_to_named_accounts_is_not_public(launch: Any) -> None:
    template = {
        "Conditions": {"Never": {"Fn::Equals": ["a", "b"]}},
        "Resources": {"Dist": distribution(launch)},
    }
    assert ids(template, "Dist", "IB8") == set()


def test_a_launch_group_chosen_at_deploy_time_is_undecided() -> None:
    template = {
        "Parameters": {"Groups": {"Type": "String"}},
        "Resources": {"Dist": distribution({"UserGroups": [{"Ref": "Groups"}]})},
    }
    assert levels(template, "Dist", "IB8") == {"IB8[us-east-1]": Level.WARNING}


# --- IB9: the build instance role ----------------------------------------------------------------------


def build_stack(*, managed: list[str] = (), statements: list[Any] = (), **extra: Any) -> dict[str, Any]:
    props: dict[str, Any] = {"AssumeRolePolicyDocument": {"Statement": [EC2_TRUST]}}
    if managed:
        props["ManagedPolicyArns"] = [MANAGED + name for name in managed]
    if statements:
        props["Policies"] = [{"PolicyName": "Build", "PolicyDocument": {"Statement": list(statements)}}]
    return {
        "Resources": {
            "BuildRole": {"Type": "AWS::IAM::Role", "Properties": props},
            "Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": "BuildRole"}]}},
            "Infra": {
                "Type": f"{IB}InfrastructureConfiguration",
                "Properties": {"Name": "i", "InstanceProfileName": {"Ref": "Profile"}},
            },
            **extra,
        }
    }


FINE = ["EC2InstanceProfileForImageBuilder", "AmazonSSMManagedInstanceCore"]


@pytest.mark.parametrize(
    "broad",
    [
        "AmazonS3ReadOnlyAccess",
        "AmazonS3FullAccess",
        "ReadOnlyAccess",
        "AdministratorAccess",
        "PowerUserAccess",
        "AmazonInspectorFullAccess",
        "SecretsManagerReadWrite",
        "AmazonEC2RoleforSSM",
    ],
)
def test_a_broad_aws_managed_policy_on_the_build_role_is_reported_by_name(broad: str) -> None:
    assert ids(build_stack(managed=[*FINE, broad]), "BuildRole", "IB9") == {f"IB9[{broad}]"}


@pytest.mark.parametrize(
    "managed",
    [
        FINE,
        ["EC2InstanceProfileForImageBuilderECRContainerBuilds", "AmazonSSMManagedInstanceCore"],
        [*FINE, "CloudWatchAgentServerPolicy"],
    ],
    ids=["documented build policies", "container builds", "with the CloudWatch agent"],
)
def test_the_documented_build_policies_stay_fine(managed: list[str]) -> None:
    assert ids(build_stack(managed=managed), "BuildRole", "IB9") == set()


BROAD_STATEMENTS = {
    "every object": {
        "Sid": "Read",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::*/*",
    },
    "every bucket written": {"Sid": "Write", "Effect": "Allow", "Action": "s3:Put*", "Resource": "*"},
    "every key": {
        "Sid": "Decrypt",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": {"Fn::Sub": "arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*"},
    },
    "every secret": {"Sid": "Secrets", "Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"},
    "every action": {"Sid": "All", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
}


@pytest.mark.parametrize("what", BROAD_STATEMENTS)
def test_a_statement_on_resources_nobody_named_is_reported_by_policy_and_sid(what: str) -> None:
    statement = BROAD_STATEMENTS[what]
    found = ids(build_stack(managed=FINE, statements=[statement]), "BuildRole", "IB9")
    assert found == {f"IB9[Build.{statement['Sid']}]"}


SCOPED_STATEMENTS = {
    "one bucket's prefix": {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::artifacts/x/*",
    },
    "one key": {
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    },
    "a key given at deploy time": {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": {"Ref": "KeyArn"}},
    "decrypt through Image Builder only": {
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"ForAnyValue:StringEquals": {"aws:CalledVia": ["imagebuilder.amazonaws.com"]}},
    },
    "read denied elsewhere": {"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
}


@pytest.mark.parametrize("what", SCOPED_STATEMENTS)
def test_statements_on_named_resources_stay_fine(what: str) -> None:
    template = build_stack(managed=FINE, statements=[SCOPED_STATEMENTS[what]])
    template["Parameters"] = {"KeyArn": {"Type": "String"}}
    assert ids(template, "BuildRole", "IB9") == set()


def test_a_deny_takes_back_what_a_broad_policy_gives() -> None:
    deny = {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::artifacts/*"}
    template = build_stack(managed=FINE, statements=[deny, BROAD_STATEMENTS["every object"]])
    assert ids(template, "BuildRole", "IB9") == set()


def test_a_policy_resource_attached_to_the_build_role_is_named_by_its_logical_id() -> None:
    policy = {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": "extra",
            "Roles": [{"Ref": "BuildRole"}],
            "PolicyDocument": {"Statement": [BROAD_STATEMENTS["every object"]]},
        },
    }
    assert ids(build_stack(managed=FINE, Extra=policy), "BuildRole", "IB9") == {"IB9[Extra.Read]"}


def test_a_policy_of_the_template_named_like_a_broad_aws_policy_is_judged_by_its_statements() -> None:
    template = build_stack(managed=FINE)
    template["Resources"]["AdministratorAccess"] = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"PolicyDocument": {"Statement": [SCOPED_STATEMENTS["one bucket's prefix"]]}},
    }
    role = template["Resources"]["BuildRole"]["Properties"]
    role["ManagedPolicyArns"] = [*role["ManagedPolicyArns"], {"Ref": "AdministratorAccess"}]
    assert ids(template, "BuildRole", "IB9") == set()


def test_a_role_that_builds_nothing_is_not_a_build_role() -> None:
    template = build_stack(managed=FINE)
    template["Resources"]["Admin"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [EC2_TRUST]},
            "ManagedPolicyArns": [MANAGED + "AdministratorAccess"],
        },
    }
    assert ids(template, "Admin", "IB9") == set()


def test_an_undocumented_managed_policy_is_undecided_and_named() -> None:
    template = build_stack(managed=[*FINE, "AmazonEC2ContainerRegistryReadOnly"])
    assert levels(template, "BuildRole", "IB9") == {"IB9[AmazonEC2ContainerRegistryReadOnly]": Level.WARNING}


def test_an_instance_profile_outside_the_template_is_undecided() -> None:
    template = build_stack(managed=FINE)
    template["Resources"]["Infra"]["Properties"]["InstanceProfileName"] = "EC2InstanceProfileForImageBuilder"
    assert levels(template, "Infra", "IB9") == {"IB9": Level.WARNING}


def test_a_profile_named_by_its_name_is_followed() -> None:
    template = build_stack(managed=[*FINE, "AmazonS3FullAccess"])
    template["Resources"]["Profile"]["Properties"]["InstanceProfileName"] = "builds"
    template["Resources"]["Infra"]["Properties"]["InstanceProfileName"] = "builds"
    assert ids(template, "BuildRole", "IB9") == {"IB9[AmazonS3FullAccess]"}
    assert ids(template, "Infra", "IB9") == set()


# --- IB10: build logs in CloudWatch --------------------------------------------------------------------

KEY = {
    "Type": "AWS::KMS::Key",
    "DeletionPolicy": "Retain",
    "UpdateReplacePolicy": "Retain",
    "Properties": {"EnableKeyRotation": True, "KeyPolicy": {"Statement": []}},
}


def log_group(name: Any, *, key: bool = True, retention: bool = True) -> dict[str, Any]:
    props: dict[str, Any] = {"LogGroupName": name}
    if key:
        props["KmsKeyId"] = {"Fn::GetAtt": ["Key", "Arn"]}
    if retention:
        props["RetentionInDays"] = 365
    return {"Type": "AWS::Logs::LogGroup", "Properties": props}


def images(**resources: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "Key": KEY,
            "Recipe": {"Type": f"{IB}ImageRecipe", "Properties": {"Name": "golden", "Version": "1.0.0"}},
            **resources,
        }
    }


def image(logging: Any = None) -> dict[str, Any]:
    props: dict[str, Any] = {"ImageRecipeArn": {"Fn::GetAtt": ["Recipe", "Arn"]}}
    if logging is not None:
        props["LoggingConfiguration"] = logging
    return {"Type": f"{IB}Image", "Properties": props}


def pipeline(logging: Any = None) -> dict[str, Any]:
    resource = image(logging)
    resource["Type"] = f"{IB}ImagePipeline"
    resource["Properties"]["Name"] = "nightly"
    return resource


def test_without_logging_configuration_the_group_image_builder_creates_is_reported() -> None:
    template = images(Image=image(), Pipeline=pipeline())
    assert ids(template, "Image", "IB10") == {"IB10[LogGroupName]"}
    assert ids(template, "Pipeline", "IB10") == {"IB10[ImageLogGroupName]", "IB10[PipelineLogGroupName]"}
    (message,) = [
        f.message for f in findings(template) if f.resource.logical_id == "Image" and f.rule.id == "IB10"
    ]
    assert "/aws/imagebuilder/golden" in message


def test_the_default_groups_declared_in_the_template_with_key_and_retention_are_fine() -> None:
    template = images(
        Image=image(),
        Pipeline=pipeline(),
        ImageLogs=log_group("/aws/imagebuilder/golden"),
        PipelineLogs=log_group({"Fn::Sub": "/aws/imagebuilder/pipeline/${Name}"}),
    )
    template["Parameters"] = {"Name": {"Type": "String", "Default": "nightly"}}
    assert ids(template, "Image", "IB10") == set()
    assert ids(template, "Pipeline", "IB10") == set()


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        (log_group("/builds/golden"), set()),
        (log_group("/builds/golden", key=False), {"IB10[LogGroupName]"}),
        (log_group("/builds/golden", retention=False), {"IB10[LogGroupName]"}),
    ],
    ids=["key and retention", "no key", "no retention"],
)
def test_a_named_log_group_of_the_template_is_read(group: dict[str, Any], expected: set[str]) -> None:
    by_ref = images(Logs=group, Image=image({"LogGroupName": {"Ref": "Logs"}}))
    by_name = images(Logs=group, Image=image({"LogGroupName": "/builds/golden"}))
    assert ids(by_ref, "Image", "IB10") == expected
    assert ids(by_name, "Image", "IB10") == expected


def test_a_group_with_an_aws_managed_key_has_no_customer_key() -> None:
    group = log_group("/builds/golden")
    group["Properties"]["KmsKeyId"] = "arn:aws:kms:us-east-1:111122223333:alias/aws/logs"
    template = images(Logs=group, Image=image({"LogGroupName": {"Ref": "Logs"}}))
    assert ids(template, "Image", "IB10") == {"IB10[LogGroupName]"}


def test_a_log_group_outside_the_template_is_undecided() -> None:
    template = images(Image=image({"LogGroupName": "/shared/builds"}))
    assert levels(template, "Image", "IB10") == {"IB10[LogGroupName]": Level.WARNING}


def test_an_image_group_pattern_is_not_the_pipeline_group() -> None:
    template = images(
        Pipeline=pipeline(),
        ImageLogs=log_group({"Fn::Sub": "/aws/imagebuilder/${Recipe.Name}"}),
    )
    assert ids(template, "Pipeline", "IB10") == {"IB10[PipelineLogGroupName]"}


# --- RA4: Roles Anywhere sessions ----------------------------------------------------------------------

RA_TRUST = {
    "Effect": "Allow",
    "Principal": {"Service": "rolesanywhere.amazonaws.com"},
    "Action": "sts:AssumeRole",
}


def ra_stack(
    *, managed: list[str] = (), session: Any = None, session_managed: Any = None, **profile: Any
) -> Any:
    role: dict[str, Any] = {"AssumeRolePolicyDocument": {"Statement": [RA_TRUST]}}
    if managed:
        role["ManagedPolicyArns"] = [MANAGED + name for name in managed]
    props: dict[str, Any] = {"Name": "hosts", "RoleArns": [{"Fn::GetAtt": ["Role", "Arn"]}], **profile}
    if session is not None:
        props["SessionPolicy"] = session
    if session_managed is not None:
        props["ManagedPolicyArns"] = session_managed
    return {
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": role},
            "Profile": {"Type": "AWS::RolesAnywhere::Profile", "Properties": props},
        }
    }


SCOPED_SESSION = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::backups/hosts/*"}],
}


@pytest.mark.parametrize("broad", ["AdministratorAccess", "PowerUserAccess", "AmazonS3ReadOnlyAccess"])
def test_an_unscoped_profile_of_a_broad_role_is_reported(broad: str) -> None:
    assert ids(ra_stack(managed=[broad]), "Profile", "RA4") == {"RA4[Role]"}


@pytest.mark.parametrize(
    "session",
    [
        {"session": json.dumps(SCOPED_SESSION)},
        {"session": {"Fn::ToJsonString": SCOPED_SESSION}},
        {"session_managed": [MANAGED + "AmazonSSMManagedInstanceCore"]},
    ],
    ids=["a session policy", "Fn::ToJsonString", "a narrow managed session policy"],
)
def test_a_session_policy_scopes_a_broad_role(session: dict[str, Any]) -> None:
    assert ids(ra_stack(managed=["AdministratorAccess"], **session), "Profile", "RA4") == set()


def test_a_session_policy_that_allows_everything_scopes_nothing() -> None:
    session = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    template = ra_stack(managed=["AdministratorAccess"], session=json.dumps(session))
    assert ids(template, "Profile", "RA4") == {"RA4[Role]"}


def test_a_broad_managed_session_policy_still_reaches_every_bucket() -> None:
    template = ra_stack(managed=["AdministratorAccess"], session_managed=[MANAGED + "ReadOnlyAccess"])
    assert ids(template, "Profile", "RA4") == {"RA4[Role]"}


@pytest.mark.parametrize(
    ("managed", "profile"),
    [(["AmazonSSMManagedInstanceCore"], {}), (["AdministratorAccess"], {"Enabled": False})],
    ids=["a narrow role", "a disabled profile"],
)
def test_narrow_roles_and_disabled_profiles_are_fine(managed: list[str], profile: dict[str, Any]) -> None:
    assert ids(ra_stack(managed=managed, **profile), "Profile", "RA4") == set()


def test_a_role_named_by_its_arn_is_the_role_of_the_template() -> None:
    template = ra_stack(managed=["AdministratorAccess"])
    template["Resources"]["Role"]["Properties"]["RoleName"] = "hosts"
    arn = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/hosts"}
    template["Resources"]["Profile"]["Properties"]["RoleArns"] = [arn]
    assert ids(template, "Profile", "RA4") == {"RA4[Role]"}


def test_a_role_outside_the_template_is_undecided() -> None:
    template = ra_stack()
    template["Resources"]["Profile"]["Properties"]["RoleArns"] = ["arn:aws:iam::444455556666:role/elsewhere"]
    assert levels(template, "Profile", "RA4") == {
        "RA4[arn:aws:iam::444455556666:role/elsewhere]": Level.WARNING
    }


# --- user data: SEC1, URL1, DOC1-DOC3, URL2 ------------------------------------------------------------

USER_DATA = "AdditionalInstanceConfiguration.UserDataOverride"
SCRIPT = f"#!/bin/bash\n{KEY_PAIR}\ncurl -k http://downloads.example.com/agent.sh | sh\n"
CLEAN = "#!/bin/bash\ncurl -fsSL https://downloads.example.com/agent.sh -o /tmp/agent.sh\n"


def recipe(user_data: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "Recipe": {
                "Type": f"{IB}ImageRecipe",
                "Properties": {
                    "Name": "r",
                    "Version": "1.0.0",
                    "AdditionalInstanceConfiguration": {
                        "SystemsManagerAgent": {"UninstallAfterBuild": True},
                        "UserDataOverride": user_data,
                    },
                },
            }
        }
    }


def encoded(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "spelling",
    [encoded(SCRIPT), {"Fn::Base64": SCRIPT}, {"Fn::Base64": {"Fn::Join": ["\n", SCRIPT.split("\n")]}}],
    ids=["base64 literal", "Fn::Base64", "Fn::Base64 of Fn::Join"],
)
def test_user_data_is_read_decoded(spelling: Any) -> None:
    template = recipe(spelling)
    expected = {"SEC1", "DOC1", "DOC2"}
    assert {rule: ids(template, "Recipe", rule) for rule in expected} == {
        rule: {f"{rule}[{USER_DATA}]"} for rule in expected
    }


def test_a_parameter_default_holding_base64_user_data_is_decoded() -> None:
    template = recipe({"Ref": "UserData"})
    template["Parameters"] = {"UserData": {"Type": "String", "Default": encoded("curl --tlsv1.0 https://h")}}
    assert ids(template, "Recipe", "DOC3") == {f"DOC3[{USER_DATA}]"}


def test_credentials_in_user_data_urls_and_headers_are_found() -> None:
    script = (
        "curl https://builder:hunter2@repo.example.com/x\ncurl -H 'Authorization: Basic YWxhZGRpbjpvcGVu' x"
    )
    template = recipe(encoded(script))
    assert ids(template, "Recipe", "URL1") == {f"URL1[{USER_DATA}]"}
    assert ids(template, "Recipe", "URL2") == {f"URL2[{USER_DATA}]"}


@pytest.mark.parametrize("spelling", [encoded(CLEAN), {"Fn::Base64": CLEAN}], ids=["base64", "Fn::Base64"])
def test_clean_user_data_passes(spelling: Any) -> None:
    found = {f.rule.id for f in findings(recipe(spelling)) if f.resource.logical_id == "Recipe"}
    assert found & {"SEC1", "URL1", "URL2", "DOC1", "DOC2", "DOC3", "SD1"} == set()


# --- SD1: nested free text of Image Builder resources ------------------------------------------------

EMAIL = "builds@example.com"


def nested(resource_type: str, **props: Any) -> dict[str, Any]:
    return {"Resources": {"R": {"Type": f"{IB}{resource_type}", "Properties": {"Name": "n", **props}}}}


def ami(**ami_props: Any) -> dict[str, Any]:
    return {"Distributions": [{"Region": "eu-west-1", "AmiDistributionConfiguration": ami_props}]}


NESTED = {
    "AMI name": (
        nested("DistributionConfiguration", **ami(Name=f"golden-{EMAIL}")),
        "Distributions[eu-west-1].AmiDistributionConfiguration.Name",
    ),
    "AMI description": (
        nested("DistributionConfiguration", **ami(Description=f"owner {EMAIL}")),
        "Distributions[eu-west-1].AmiDistributionConfiguration.Description",
    ),
    "AMI tags": (
        nested("DistributionConfiguration", **ami(AmiTags={"Owner": EMAIL})),
        "Distributions[eu-west-1].AmiDistributionConfiguration.AmiTags:Owner",
    ),
    "container tags": (
        nested(
            "DistributionConfiguration",
            Distributions=[
                {"Region": "eu-west-1", "ContainerDistributionConfiguration": {"ContainerTags": [EMAIL]}}
            ],
        ),
        "Distributions[eu-west-1].ContainerDistributionConfiguration.ContainerTags",
    ),
    "SSM parameter name": (
        nested(
            "DistributionConfiguration",
            Distributions=[
                {
                    "Region": "eu-west-1",
                    "SsmParameterConfigurations": [{"ParameterName": f"/ami/{ACCOUNT}/golden"}],
                }
            ],
        ),
        "Distributions[eu-west-1].SsmParameterConfigurations.ParameterName",
    ),
    "pipeline image tags": (nested("ImagePipeline", ImageTags={"Contact": EMAIL}), "ImageTags:Contact"),
    "recipe AMI tags": (nested("ImageRecipe", AmiTags={"Contact": EMAIL}), "AmiTags:Contact"),
    "infrastructure resource tags": (
        nested("InfrastructureConfiguration", ResourceTags={"Contact": EMAIL}),
        "ResourceTags:Contact",
    ),
    "lifecycle selection": (
        nested("LifecyclePolicy", ResourceSelection={"TagMap": {"Contact": EMAIL}}),
        "ResourceSelection.TagMap:Contact",
    ),
    "lifecycle exclusion": (
        nested("LifecyclePolicy", PolicyDetails=[{"ExclusionRules": {"TagMap": {"Keep": EMAIL}}}]),
        "PolicyDetails.ExclusionRules.TagMap:Keep",
    ),
}


@pytest.mark.parametrize("where", NESTED)
def test_sensitive_data_in_nested_free_text_is_found_and_named_by_its_path(where: str) -> None:
    template, path = NESTED[where]
    assert ids(template, "R", "SD1") == {f"SD1[{path}]"}


@pytest.mark.parametrize("where", NESTED)
def test_the_same_places_with_plain_text_pass(where: str) -> None:
    template = json.loads(json.dumps(NESTED[where][0]).replace(EMAIL, "platform-team").replace(ACCOUNT, "x"))
    assert ids(template, "R", "SD1") == set()


def test_nested_text_behind_an_fn_if_is_read_in_both_branches() -> None:
    template = nested(
        "DistributionConfiguration",
        **ami(AmiTags={"Fn::If": ["Prod", {"Owner": "platform"}, {"Owner": EMAIL}]}),
    )
    template["Conditions"] = {"Prod": {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]}}
    assert ids(template, "R", "SD1") == {
        "SD1[Distributions[eu-west-1].AmiDistributionConfiguration.AmiTags:Owner]"
    }


def test_account_ids_where_accounts_belong_are_not_free_text() -> None:
    template = nested(
        "DistributionConfiguration",
        **ami(TargetAccountIds=[ACCOUNT], LaunchPermissionConfiguration={"UserIds": [ACCOUNT]}),
    )
    assert ids(template, "R", "SD1") == set()


def test_a_secret_in_nested_text_is_one_sec1_finding_on_its_property() -> None:
    template = nested("DistributionConfiguration", **ami(AmiTags={"Deploy": KEY_PAIR}))
    assert ids(template, "R", "SEC1") == {"SEC1[Distributions]"}


def test_the_other_properties_keep_their_ids() -> None:
    template = copy.deepcopy(nested("Component", Description=f"by {EMAIL}", Tags={"Owner": EMAIL}))
    assert ids(template, "R", "SD1") == {"SD1[Description]", "SD1[Tag:Owner]"}
