"""ImageBuilderNotificationTopic in the pipeline: encrypted, TLS-only, and who may publish.

The pipelines are those of tests/pipeline_scene.py, synthesized once per session.
"""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match, Template

from pipeline_scene import (
    ACCOUNT,
    KEY_ARN,
    REGION,
    SNS_SLR,
    key_statements,
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


def test_topic_is_encrypted_and_tls_only(template: Template) -> None:
    template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": KEY_ARN})
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                        )
                    ]
                )
            }
        },
    )


@pytest.mark.parametrize(
    ("principal", "via", "allowed"),
    [
        (SNS_SLR, f"sns.{REGION}.amazonaws.com", True),
        (SNS_SLR, f"s3.{REGION}.amazonaws.com", False),
        (SNS_SLR, "sns.eu-west-1.amazonaws.com", False),
        (f"arn:aws:iam::{ACCOUNT}:role/SomeoneElse", f"sns.{REGION}.amazonaws.com", False),
    ],
)
def test_service_linked_role_may_publish_to_the_encrypted_topic_only(
    evaluator: PolicyEvaluator, template: Template, principal: str, via: str, allowed: bool
) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        request = Request(
            action,
            principal,
            evaluator.key_arn(key_id),
            {"kms:ViaService": via, "kms:CallerAccount": ACCOUNT},
        )
        assert evaluator.kms_allows(key_id, request) is allowed


def test_the_service_linked_role_is_named_by_principal_arn_not_as_principal(template: Template) -> None:
    """KMS rejects a key policy naming a role that does not exist; the SLR appears on first use only."""
    statement = key_statements(template)["AllowImageBuilderServiceLinkedRoleToPublish"]
    assert statement["Principal"] == {"AWS": "*"}
    assert set(statement["Condition"]) == {"StringEquals", "ArnEquals"}
    assert set(statement["Condition"]["StringEquals"]) == {"kms:ViaService", "kms:CallerAccount"}
    assert "AWSServiceRoleForImageBuilder" in json.dumps(statement["Condition"]["ArnEquals"])
    assert "aws-service-role" not in json.dumps(statement["Principal"])


@pytest.mark.parametrize(
    ("action", "via", "allowed"),
    [
        ("kms:GenerateDataKey", f"sns.{REGION}.amazonaws.com", True),
        ("kms:Decrypt", f"sns.{REGION}.amazonaws.com", True),
        ("kms:GenerateDataKey", f"s3.{REGION}.amazonaws.com", False),
        ("kms:Encrypt", f"sns.{REGION}.amazonaws.com", False),
    ],
)
def test_the_execution_role_may_also_publish(
    evaluator: PolicyEvaluator, template: Template, action: str, via: str, allowed: bool
) -> None:
    """Which principal publishes with an execution role is undocumented: both may."""
    key_id, _ = only(template, "AWS::KMS::Key")
    role_id, _ = only(template, "AWS::IAM::Role", "PipelineExecutionRole")
    role = evaluator.role_arn(role_id)
    request = Request(action, role, evaluator.key_arn(key_id), {"kms:ViaService": via})
    assert evaluator.kms_allows(key_id, request) is allowed
    assert evaluator.identity_allows(request) is allowed
    topic_id, _ = only(template, "AWS::SNS::Topic")
    assert evaluator.decide(Request("sns:Publish", role, evaluator.arn(topic_id)))
