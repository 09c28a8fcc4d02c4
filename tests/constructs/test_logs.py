"""ImageBuilderLogBucket and ImageBuilderLogGroup in the pipeline: encrypted, TLS-only, scoped to each.

The pipelines are those of tests/pipeline_scene.py, synthesized once per session.
"""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Template

from conftest import make_pipeline, make_stack
from pipeline_scene import (
    ACCOUNT,
    KEY_ARN,
    REGION,
    key_statements,
    only,
    pipeline_evaluator,
    pipeline_template,
)
from policy_eval import PolicyEvaluator, Request
from secure_imagebuilder.core import permissions as actions


@pytest.fixture(scope="module")
def template() -> Template:
    return pipeline_template()


@pytest.fixture(scope="module")
def evaluator() -> PolicyEvaluator:
    return pipeline_evaluator()


def test_log_bucket_is_encrypted_versioned_private_and_retained(template: Template) -> None:
    _, bucket = only(template, "AWS::S3::Bucket", "InfrastructureLogs")
    key_id, _ = only(template, "AWS::KMS::Key")
    assert bucket["DeletionPolicy"] == "Retain"
    props = bucket["Properties"]
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {
            "BucketKeyEnabled": True,
            "ServerSideEncryptionByDefault": {
                "KMSMasterKeyID": {"Fn::GetAtt": [key_id, "Arn"]},
                "SSEAlgorithm": "aws:kms",
            },
        }
    ]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }


def test_log_bucket_policy_denies_no_tls_and_tls_below_1_2(
    template: Template, evaluator: PolicyEvaluator
) -> None:
    bucket_id, _ = only(template, "AWS::S3::Bucket", "InfrastructureLogs")
    _, policy = only(template, "AWS::S3::BucketPolicy", "InfrastructureLogs")
    statements = evaluator.resolve(policy["Properties"]["PolicyDocument"]["Statement"])
    reader = f"arn:aws:iam::{ACCOUNT}:role/Reader"
    resource = f"arn:aws:s3:::{bucket_id.lower()}/imagebuilder/log.txt"

    def denied(**context: str) -> bool:
        return evaluator.resource_policy_denies(
            statements, Request("s3:GetObject", reader, resource, context)
        )

    assert denied(**{"aws:SecureTransport": "false"})
    assert denied(**{"aws:SecureTransport": "true", "s3:TlsVersion": "1.1"})
    assert not denied(**{"aws:SecureTransport": "true", "s3:TlsVersion": "1.2"})


def test_log_groups_are_encrypted_and_logs_service_is_scoped_to_each(template: Template) -> None:
    for name in ("/aws/imagebuilder/golden", "/aws/imagebuilder/pipeline/golden"):
        template.has_resource(
            "AWS::Logs::LogGroup",
            {
                "Properties": {"LogGroupName": name, "KmsKeyId": KEY_ARN, "RetentionInDays": 365},
                "DeletionPolicy": "Retain",
            },
        )
    logs_statements = [
        s for sid, s in key_statements(template).items() if sid.startswith("AllowCloudWatchLogs")
    ]
    assert len(logs_statements) == 2
    for statement in logs_statements:
        assert sorted(statement["Action"]) == sorted(actions.LOGS_KEY_ACTIONS)
        assert list(statement["Condition"]) == ["ArnEquals"]
        assert list(statement["Condition"]["ArnEquals"]) == ["kms:EncryptionContext:aws:logs:arn"]


@pytest.mark.parametrize(
    ("log_group", "allowed"),
    [
        ("/aws/imagebuilder/golden", True),
        ("/aws/imagebuilder/pipeline/golden", True),
        ("/aws/imagebuilder/someone-else", False),
        (None, False),
    ],
)
def test_logs_service_encrypts_only_for_our_log_groups(
    evaluator: PolicyEvaluator, template: Template, log_group: str | None, allowed: bool
) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    context = (
        {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{log_group}"}
        if log_group
        else {}
    )
    request = Request(
        "kms:GenerateDataKey", f"logs.{REGION}.amazonaws.com", evaluator.key_arn(key_id), context
    )
    assert evaluator.kms_allows(key_id, request) is allowed
    # Another service in the same Region never gets the key through the logs grant.
    other = Request("kms:GenerateDataKey", f"sns.{REGION}.amazonaws.com", evaluator.key_arn(key_id), context)
    assert not evaluator.kms_allows(key_id, other)


def test_the_default_log_groups_exist_encrypted_even_without_cloudwatch_logs() -> None:
    stack = make_stack()
    make_pipeline(stack)
    template = Template.from_stack(stack)
    for name in ("/aws/imagebuilder/plain", "/aws/imagebuilder/pipeline/plain"):
        template.has_resource_properties(
            "AWS::Logs::LogGroup", {"LogGroupName": name, "KmsKeyId": KEY_ARN, "RetentionInDays": 365}
        )
    # The instance streams nothing to CloudWatch unless cloudwatch_logs=True.
    assert "logs:PutLogEvents" not in json.dumps(template.find_resources("AWS::IAM::Policy"))
