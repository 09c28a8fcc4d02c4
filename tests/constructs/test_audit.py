"""ImageBuilderAuditTrail in the pipeline: events recorded, the key and bucket only for this trail.

The pipelines are those of tests/pipeline_scene.py, synthesized once per session.
"""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match, Template

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


@pytest.fixture(scope="module")
def template() -> Template:
    return pipeline_template()


@pytest.fixture(scope="module")
def evaluator() -> PolicyEvaluator:
    return pipeline_evaluator()


def test_audit_trail_records_read_and_write_management_events(template: Template) -> None:
    template.has_resource_properties(
        "AWS::CloudTrail::Trail",
        {
            "IsMultiRegionTrail": True,
            "EnableLogFileValidation": True,
            "IncludeGlobalServiceEvents": True,
            "KMSKeyId": KEY_ARN,
            "EventSelectors": [{"IncludeManagementEvents": True, "ReadWriteType": "All"}],
        },
    )
    _, trail = only(template, "AWS::CloudTrail::Trail")
    assert "ExcludeManagementEventSources" not in trail["Properties"]["EventSelectors"][0]


def test_cloudtrail_may_encrypt_only_for_this_trail(evaluator: PolicyEvaluator, template: Template) -> None:
    statements = key_statements(template)
    _, trail = only(template, "AWS::CloudTrail::Trail")
    name = trail["Properties"]["TrailName"]
    encrypt = evaluator.resolve(statements["AllowCloudTrailToEncryptLogs"])
    assert encrypt["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert encrypt["Action"] == "kms:GenerateDataKey*"
    assert encrypt["Condition"] == {
        "StringEquals": {"aws:SourceArn": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{name}"},
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"},
    }


def test_audit_bucket_is_tls_only(template: Template) -> None:
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": Match.string_like_regexp("^AuditTrailBucket")},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Effect": "Deny", "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}}}
                        )
                    ]
                )
            },
        },
    )


@pytest.mark.parametrize(("own_trail", "allowed"), [(True, True), (False, False)])
def test_cloudtrail_writes_to_the_audit_bucket_only_for_this_trail(
    evaluator: PolicyEvaluator, template: Template, own_trail: bool, allowed: bool
) -> None:
    _, trail = only(template, "AWS::CloudTrail::Trail")
    name = trail["Properties"]["TrailName"]
    source = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{name if own_trail else 'another-trail'}"
    bucket_id, _ = only(template, "AWS::S3::Bucket", "AuditTrailBucket")
    context = {
        "aws:SourceArn": source,
        "s3:x-amz-acl": "bucket-owner-full-control",
        "aws:SecureTransport": "true",
        "s3:TlsVersion": "1.3",
    }
    bucket = f"arn:aws:s3:::{bucket_id.lower()}"
    for action, resource in (
        ("s3:PutObject", f"{bucket}/AWSLogs/{ACCOUNT}/x.json.gz"),
        ("s3:GetBucketAcl", bucket),
    ):
        decision = evaluator.decide(Request(action, "cloudtrail.amazonaws.com", resource, context))
        assert decision.allowed is allowed, decision
