"""SecureInfrastructureConfiguration and its build instance role: IMDSv2, private subnet, HTTPS out,
and the role's grants (component decrypt through Image Builder, log writes) evaluated.

The pipelines are those of tests/pipeline_scene.py, synthesized once per session.
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from pipeline_scene import (
    ACCOUNT,
    COMPONENT_CONTEXT,
    REGION,
    only,
    pipeline_evaluator,
    pipeline_template,
)
from policy_eval import PolicyEvaluator, Request


@pytest.fixture(scope="module")
def template() -> Template:
    return pipeline_template()


@pytest.fixture(scope="module")
def evaluator() -> PolicyEvaluator:
    return pipeline_evaluator()


def test_infrastructure_requires_imdsv2_private_subnet_and_terminates_on_failure(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration",
        {
            "InstanceMetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1},
            "TerminateInstanceOnFailure": True,
            "SubnetId": {"Ref": Match.string_like_regexp("^VpcPrivateSubnet1")},
            "Logging": {
                "S3Logs": {
                    "S3BucketName": {"Ref": Match.string_like_regexp("^InfrastructureLogs")},
                    "S3KeyPrefix": "imagebuilder/",
                }
            },
            "SnsTopicArn": {"Ref": Match.string_like_regexp("^Notifications")},
        },
    )


def test_build_security_group_allows_https_out_only(template: Template) -> None:
    _, group = only(template, "AWS::EC2::SecurityGroup", "Infrastructure")
    assert group["Properties"]["SecurityGroupEgress"] == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "HTTPS to AWS APIs and package repositories (R3, R18)",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
    ]
    assert "SecurityGroupIngress" not in group["Properties"]


def test_instance_role_has_only_the_ssm_core_managed_policy(template: Template) -> None:
    _, role = only(template, "AWS::IAM::Role", "InfrastructureInstanceRole")
    assert role["Properties"]["ManagedPolicyArns"] == [
        {
            "Fn::Join": [
                "",
                ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AmazonSSMManagedInstanceCore"],
            ]
        }
    ]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }


def _instance(evaluator: PolicyEvaluator, template: Template) -> str:
    role_id, _ = only(template, "AWS::IAM::Role", "InfrastructureInstanceRole")
    return evaluator.role_arn(role_id)


@pytest.mark.parametrize(
    ("context", "allowed"),
    [
        (
            {
                "kms:EncryptionContext:aws:imagebuilder:arn": COMPONENT_CONTEXT,
                "aws:CalledVia": ["imagebuilder.amazonaws.com"],
            },
            True,
        ),
        ({"kms:EncryptionContext:aws:imagebuilder:arn": COMPONENT_CONTEXT}, False),
        (
            {
                "kms:EncryptionContext:aws:imagebuilder:arn": COMPONENT_CONTEXT.replace(
                    "component", "workflow"
                ),
                "aws:CalledVia": ["imagebuilder.amazonaws.com"],
            },
            False,
        ),
        (
            {
                "kms:EncryptionContext:aws:imagebuilder:arn": COMPONENT_CONTEXT.replace(
                    ACCOUNT, "999999999999"
                ),
                "aws:CalledVia": ["imagebuilder.amazonaws.com"],
            },
            False,
        ),
    ],
)
def test_instance_role_decrypts_components_only_through_image_builder(
    evaluator: PolicyEvaluator, template: Template, context: dict[str, Any], allowed: bool
) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    request = Request("kms:Decrypt", _instance(evaluator, template), evaluator.key_arn(key_id), context)
    assert evaluator.kms_allows(key_id, request) is allowed
    generate = Request("kms:GenerateDataKey", request.principal, request.resource, context)
    assert not evaluator.kms_allows(key_id, generate)


@pytest.mark.parametrize(
    ("action", "path", "allowed"),
    [
        ("s3:PutObject", "imagebuilder/golden/1.0.0/log.txt", True),
        ("s3:PutObject", "elsewhere/log.txt", False),
        ("s3:GetObject", "imagebuilder/golden/1.0.0/log.txt", False),
        ("s3:DeleteObject", "imagebuilder/golden/1.0.0/log.txt", False),
    ],
)
def test_instance_role_only_puts_logs_under_its_prefix(
    evaluator: PolicyEvaluator, template: Template, action: str, path: str, allowed: bool
) -> None:
    bucket_id, _ = only(template, "AWS::S3::Bucket", "InfrastructureLogs")
    request = Request(action, _instance(evaluator, template), f"arn:aws:s3:::{bucket_id.lower()}/{path}")
    assert evaluator.identity_allows(request) is allowed


S3_HERE = f"s3.{REGION}.amazonaws.com"


@pytest.mark.parametrize(
    ("action", "via", "where", "allowed"),
    [
        ("kms:GenerateDataKey", S3_HERE, "bucket", True),  # with an S3 Bucket Key: the bucket's ARN
        ("kms:GenerateDataKey", S3_HERE, "imagebuilder/x/log.txt", True),  # without: the object's ARN
        ("kms:Decrypt", S3_HERE, "imagebuilder/x/part", True),  # multipart uploads
        ("kms:GenerateDataKey", None, "bucket", False),  # not through S3
        ("kms:GenerateDataKey", S3_HERE, None, False),  # no context
        ("kms:GenerateDataKey", S3_HERE, "other-bucket", False),  # another bucket using the key
        ("kms:GenerateDataKey", S3_HERE, "elsewhere/log.txt", False),  # outside the log prefix
        ("kms:Encrypt", S3_HERE, "bucket", False),
    ],
)
def test_instance_role_encrypts_logs_only_through_s3_for_its_bucket(
    evaluator: PolicyEvaluator,
    template: Template,
    action: str,
    via: str | None,
    where: str | None,
    allowed: bool,
) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    bucket_id, _ = only(template, "AWS::S3::Bucket", "InfrastructureLogs")
    bucket = f"arn:aws:s3:::{bucket_id.lower()}"
    context: dict[str, Any] = {"kms:ViaService": via} if via else {}
    if where == "bucket":
        context["kms:EncryptionContext:aws:s3:arn"] = bucket
    elif where == "other-bucket":
        context["kms:EncryptionContext:aws:s3:arn"] = "arn:aws:s3:::someone-elses-bucket"
    elif where is not None:
        context["kms:EncryptionContext:aws:s3:arn"] = f"{bucket}/{where}"
    request = Request(action, _instance(evaluator, template), evaluator.key_arn(key_id), context)
    assert evaluator.kms_allows(key_id, request) is allowed


def test_instance_role_writes_the_image_log_group_only(
    evaluator: PolicyEvaluator, template: Template
) -> None:
    group_id, _ = only(template, "AWS::Logs::LogGroup", "PipelineImageLogGroup")
    other_id, _ = only(template, "AWS::Logs::LogGroup", "PipelinePipelineLogGroup")
    for logical_id, allowed in ((group_id, True), (other_id, False)):
        arn = evaluator.arn(logical_id)
        assert (
            evaluator.identity_allows(Request("logs:PutLogEvents", _instance(evaluator, template), arn))
            is allowed
        )
