"""The value model on the template shapes that used to hide violations or raise false alarms (issue 8).

Each shape is written as CloudFormation, non-compliant and compliant, and run through the engine with no
CDK (``assembly.stack_from_template``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from secure_imagebuilder.rules.engine import assembly, run

KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
NO_VALUE = {"Ref": "AWS::NoValue"}


def _if(yes: Any, no: Any) -> dict[str, Any]:
    return {"Fn::If": ["Condition", yes, no]}


def fired(resource: dict[str, Any], *, parameters: dict[str, Any] | None = None, **others: Any) -> set[str]:
    """The finding ids (without the pack prefix) on logical id ``R``."""
    template: dict[str, Any] = {"Resources": {"R": resource, **others}}
    if parameters:
        template["Parameters"] = parameters
    stack = assembly.stack_from_template(template, path="S")
    return {
        f.rule_id.removeprefix("DataProtection-")
        for f in run.evaluate([stack])
        if f.resource.logical_id == "R"
    }


def infrastructure(tokens: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::ImageBuilder::InfrastructureConfiguration",
        "Properties": {
            "Name": "i",
            "InstanceProfileName": "p",
            "InstanceMetadataOptions": {"HttpTokens": tokens},
            "Logging": {"S3Logs": {"S3BucketName": "logs"}},
        },
    }


def key(**properties: Any) -> dict[str, Any]:
    props = {"EnableKeyRotation": True, "KeyPolicy": {"Statement": []}, **properties}
    return {
        "Type": "AWS::KMS::Key",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": props,
    }


def component(kms_key_id: Any) -> dict[str, Any]:
    props = {"Name": "c", "Version": "1.0.0", "Platform": "Linux", "Data": "schemaVersion: 1.0"}
    if kms_key_id is not ...:
        props["KmsKeyId"] = kms_key_id
    return {"Type": "AWS::ImageBuilder::Component", "Properties": props}


def profile(duration: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::RolesAnywhere::Profile",
        "Properties": {"Name": "p", "RoleArns": [], "DurationSeconds": duration},
    }


# --- Fn::If: a bad literal in either branch ------------------------------------------------------


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (_if("required", "optional"), {"IB4"}),
        (_if("optional", "required"), {"IB4"}),
        (_if("required", "required"), set()),
        ("required", set()),
        (NO_VALUE, {"IB4"}),
    ],
)
def test_http_tokens_in_every_branch(tokens: Any, expected: set[str]) -> None:
    assert fired(infrastructure(tokens)) & {"IB4"} == expected


@pytest.mark.parametrize(
    ("rotation", "window", "expected"),
    [
        (_if(True, False), 30, {"KMS1"}),
        (True, _if(30, 7), {"KMS3"}),
        (_if(True, True), _if(30, 30), set()),
    ],
)
def test_key_rotation_and_pending_window_in_every_branch(
    rotation: Any, window: Any, expected: set[str]
) -> None:
    result = fired(key(EnableKeyRotation=rotation, PendingWindowInDays=window))
    assert result & {"KMS1", "KMS3"} == expected


def test_ebs_encrypted_in_every_branch() -> None:
    def recipe(encrypted: Any) -> dict[str, Any]:
        ebs = {"Encrypted": encrypted, "KmsKeyId": KEY_ARN}
        mapping = {"DeviceName": "/dev/xvda", "Ebs": ebs}
        props = {
            "Name": "r",
            "Version": "1.0.0",
            "ParentImage": "ami-1",
            "Components": [],
            "BlockDeviceMappings": [mapping],
        }
        return {"Type": "AWS::ImageBuilder::ImageRecipe", "Properties": props}

    assert "IB2[/dev/xvda]" in fired(recipe(_if(True, False)))
    assert "IB2[/dev/xvda]" not in fired(recipe(_if(True, True)))


# --- parameters: Default and AllowedValues -------------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "expected"),
    [
        ({"Type": "Number", "Default": 43200}, {"RA1"}),
        ({"Type": "Number", "Default": 3600, "AllowedValues": [3600, 43200]}, {"RA1"}),
        ({"Type": "Number", "Default": 3600}, set()),
        ({"Type": "Number"}, {"RA1"}),  # only known at deploy time: an undecided warning
    ],
)
def test_session_duration_from_a_parameter(parameter: dict[str, Any], expected: set[str]) -> None:
    result = fired(profile({"Ref": "SessionDuration"}), parameters={"SessionDuration": parameter})
    assert result & {"RA1"} == expected


# --- AWS::NoValue removes the property --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kms_key_id", "expected"),
    [
        (NO_VALUE, {"IB1"}),
        (_if(KEY_ARN, NO_VALUE), {"IB1"}),
        (..., {"IB1"}),
        (KEY_ARN, set()),
        ({"Ref": "KeyArn"}, set()),
    ],
)
def test_kms_key_id_no_value_is_missing(kms_key_id: Any, expected: set[str]) -> None:
    assert fired(component(kms_key_id)) & {"IB1"} == expected


# --- conditional statements ---------------------------------------------------------------------


def test_a_conditional_allow_everything_statement_is_read() -> None:
    admin = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    document = {"Version": "2012-10-17", "Statement": [_if(admin, NO_VALUE)]}
    policy = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": document}}
    assert any(found.startswith("IAM2[") for found in fired(policy))
    document["Statement"] = [_if(NO_VALUE, NO_VALUE)]
    assert not any(found.startswith("IAM2[") for found in fired(policy))


# --- Fn::Sub of a resource is followed -------------------------------------------------------------


@pytest.mark.parametrize(("topic_key", "expected"), [(None, {"IB6"}), ({"Ref": "Key"}, set())])
def test_sns_topic_arn_through_sub(topic_key: Any, expected: set[str]) -> None:
    topic_props = {"KmsMasterKeyId": topic_key} if topic_key else {}
    infra = infrastructure("required")
    infra["Properties"]["SnsTopicArn"] = {"Fn::Sub": "${Topic}"}
    result = fired(infra, Topic={"Type": "AWS::SNS::Topic", "Properties": topic_props}, Key=key())
    assert result & {"IB6"} == expected


# --- exact property names ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [("kmsKeyId", {"IB3[us-east-1]"}), ("KmsKeyId", set())])
def test_a_miscased_kms_key_id_does_not_encrypt_the_ami(name: str, expected: set[str]) -> None:
    distribution = {
        "Region": "us-east-1",
        "AmiDistributionConfiguration": {"Name": "ami-{{ imagebuilder:buildDate }}", name: KEY_ARN},
    }
    resource = {
        "Type": "AWS::ImageBuilder::DistributionConfiguration",
        "Properties": {"Name": "d", "Distributions": [distribution]},
    }
    assert fired(resource) & {"IB3[us-east-1]"} == expected


# --- precision: shapes that are not secrets or sensitive data --------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilder",
        "arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilderECRContainerBuilds",
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        "111122223333.dkr.ecr.us-east-1.amazonaws.com/team/builder-image-with-a-long-name:2026",
        "cdk-hnb659fds-assets-111122223333-us-east-1/0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9.zip",
    ],
)
def test_arns_paths_and_uris_are_not_secrets(value: str) -> None:
    parameter = {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": value}}
    assert not any(found.startswith("SEC1") for found in fired(parameter))


def test_a_logical_id_in_a_ref_is_not_text() -> None:
    parameter = {
        "Type": "AWS::SSM::Parameter",
        "Properties": {
            "Type": "String",
            "Value": {"Ref": "Owner123456789012Param"},
            "Description": {"Fn::GetAtt": ["Builds123456789012", "Arn"]},
        },
    }
    assert fired(parameter) == set()


def test_a_real_secret_key_is_still_found() -> None:
    value = "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    parameter = {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": value}}
    assert "SEC1[Value]" in fired(parameter)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (..., set()),
        ([{"Event": "CA_CERTIFICATE_EXPIRY", "Enabled": False}], {"RA2[CA_CERTIFICATE_EXPIRY]"}),
        (
            [{"Event": "END_ENTITY_CERTIFICATE_EXPIRY", "Enabled": _if(True, False)}],
            {"RA2[END_ENTITY_CERTIFICATE_EXPIRY]"},
        ),
        ([{"Event": "CA_CERTIFICATE_EXPIRY", "Enabled": True, "Threshold": 45}], set()),
    ],
)
def test_trust_anchor_notifications_only_when_turned_off(settings: Any, expected: set[str]) -> None:
    props: dict[str, Any] = {
        "Name": "a",
        "Source": {"SourceType": "AWS_ACM_PCA", "SourceData": {"AcmPcaArn": "arn:pca"}},
    }
    if settings is not ...:
        props["NotificationSettings"] = settings
    anchor = {"Type": "AWS::RolesAnywhere::TrustAnchor", "Properties": props}
    assert {f for f in fired(anchor) if f.startswith("RA2")} == expected


# --- CFN1: names CloudFormation ignores because of their case -------------------------------------


def test_cfn1_names_the_miscased_property_and_its_right_spelling() -> None:
    ami = {"Name": "ami-{{ imagebuilder:buildDate }}", "kmsKeyId": KEY_ARN}
    resource = {
        "Type": "AWS::ImageBuilder::DistributionConfiguration",
        "Properties": {
            "Name": "d",
            "Distributions": [{"Region": "us-east-1", "AmiDistributionConfiguration": ami}],
        },
    }
    assert fired(resource) >= {
        "CFN1[Distributions.AmiDistributionConfiguration.kmsKeyId=KmsKeyId]",
        "IB3[us-east-1]",
    }


@pytest.mark.parametrize(
    "properties",
    [
        {
            "Name": "d",
            "Distributions": [{"Region": "us-east-1", "AmiDistributionConfiguration": {"KmsKeyId": KEY_ARN}}],
        },
        {
            "Name": "d",
            "Distributions": [],
            "Tags": {"owner": "team", "costCenter": "42"},
        },  # free-form tag keys
    ],
)
def test_cfn1_accepts_the_schema_spelling_and_free_form_maps(properties: dict[str, Any]) -> None:
    resource = {"Type": "AWS::ImageBuilder::DistributionConfiguration", "Properties": properties}
    assert not any(found.startswith("CFN1") for found in fired(resource))


def test_cfn1_reads_top_level_names_and_both_branches() -> None:
    resource = {
        "Type": "AWS::KMS::Key",
        "Properties": _if({"enableKeyRotation": True}, {"EnableKeyRotation": True}),
    }
    # the branch that misspells the name deploys a key whose rotation CloudFormation never sets
    assert "CFN1[enableKeyRotation=EnableKeyRotation]" in fired(resource)
    key_props = {"EnableKeyRotation": True, "KeyPolicy": {}, "pendingWindowInDays": 7}
    assert "CFN1[pendingWindowInDays=PendingWindowInDays]" in fired(
        {"Type": "AWS::KMS::Key", "Properties": key_props}
    )


# --- findings say which condition or parameter leads there ---------------------------------------


def why(resource: dict[str, Any], rule: str, **template: Any) -> tuple[str, ...]:
    """The assumptions of the one finding ``rule`` on logical id ``R``."""
    stack = assembly.stack_from_template({"Resources": {"R": resource}, **template}, path="S")
    (found,) = [f for f in run.evaluate([stack]) if f.resource.logical_id == "R" and f.rule_id.endswith(rule)]
    return found.assumptions


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (_if("required", "optional"), ("condition Condition is false",)),
        (_if("optional", "required"), ("condition Condition is true",)),
        ("optional", ()),
    ],
)
def test_a_finding_names_the_branch_that_leads_to_it(tokens: Any, expected: tuple[str, ...]) -> None:
    assert why(infrastructure(tokens), "IB4") == expected


def test_a_finding_names_the_parameter_value_that_leads_to_it() -> None:
    parameters = {"D": {"Type": "Number", "Default": 43200, "AllowedValues": [3600, 43200]}}
    assert why(profile({"Ref": "D"}), "RA1", Parameters=parameters) == ("parameter D is 43200 (its Default)",)
    parameters = {"D": {"Type": "Number", "Default": 3600, "AllowedValues": [3600, 7200, 43200]}}
    assert why(profile({"Ref": "D"}), "RA1", Parameters=parameters) == ("parameter D is 7200 or 43200",)


def test_a_conditional_statement_names_its_condition_and_a_conditional_resource_its_own() -> None:
    admin = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    document = {"Version": "2012-10-17", "Statement": [_if(admin, NO_VALUE)]}
    policy = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Condition": "Prod",
        "Properties": {"PolicyDocument": document},
    }
    assert why(policy, "]") == (
        "condition Condition is true",
        "condition Prod is true (the resource's Condition)",
    )


def test_the_scanner_prints_what_leads_to_the_finding(tmp_path: Any) -> None:
    from secure_imagebuilder.cli import main

    template = tmp_path / "t.json"
    template.write_text(json.dumps({"Resources": {"R": infrastructure(_if("required", "optional"))}}))
    report = tmp_path / "r.txt"
    main.main(["scan", str(template), "--output", str(report)])
    assert "(when condition Condition is false)" in report.read_text()


@pytest.mark.parametrize(("index", "expected"), [(0, {"IB4"}), (1, set()), ({"Ref": "I"}, {"IB4"})])
def test_fn_select_of_a_literal_list_is_read(index: Any, expected: set[str]) -> None:
    tokens = {"Fn::Select": [index, ["optional", "required"]]}
    # An index only known at deploy time can pick any item, "optional" included.
    assert fired(infrastructure(tokens)) & {"IB4"} == expected


def test_a_number_parameter_range_is_read_at_its_ends() -> None:
    # Seen in a public Roles Anywhere template: Default 3600, MaxValue 43200 lets 12-hour sessions deploy.
    parameters = {"D": {"Type": "Number", "Default": 3600, "MinValue": 900, "MaxValue": 43200}}
    assert why(profile({"Ref": "D"}), "RA1", Parameters=parameters) == ("parameter D is 43200",)
    parameters["D"]["MaxValue"] = 3600
    assert "RA1" not in fired(profile({"Ref": "D"}), parameters=parameters)
