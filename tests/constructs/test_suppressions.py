"""Deliberate exceptions are written into the template, in each scanner's own form."""

from __future__ import annotations

from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from conftest import make_stack
from secure_imagebuilder.core import suppressions


def test_each_scanner_form_is_written_and_merged() -> None:
    stack = make_stack()
    bucket = s3.Bucket(stack, "Bucket")
    resource = suppressions.default_resource(bucket)
    assert resource is not None
    suppressions.acknowledge(bucket, "AwsSolutions-S1", "a reason of more than ten characters")
    suppressions.acknowledge(bucket, "AwsSolutions-S1", "a reason of more than ten characters")
    suppressions.acknowledge(bucket, "AwsSolutions-S10", "another reason, equally long")
    suppressions.skip_checkov(resource, "CKV_AWS_18", "why checkov's check does not apply")
    suppressions.ignore_cfn_lint(resource, "W3005")
    suppressions.ignore_cfn_lint(resource, "W3005")
    (found,) = Template.from_stack(stack).find_resources("AWS::S3::Bucket").values()
    assert found["Metadata"] == {
        "cdk_nag": {
            "rules_to_suppress": [
                {"id": "AwsSolutions-S1", "reason": "a reason of more than ten characters"},
                {"id": "AwsSolutions-S10", "reason": "another reason, equally long"},
            ]
        },
        "checkov": {"skip": [{"id": "CKV_AWS_18", "comment": "why checkov's check does not apply"}]},
        "cfn-lint": {"config": {"ignore_checks": ["W3005"]}},
    }


def test_the_acknowledgement_also_reaches_cdk_validation() -> None:
    stack = make_stack()
    bucket = s3.Bucket(stack, "Bucket")
    suppressions.acknowledge(bucket, "AwsSolutions-S1", "a reason of more than ten characters")
    entries = [entry.data for entry in bucket.node.metadata if entry.type == "aws:cdk:acknowledged-rules"]
    assert entries and "AwsSolutions-S1" in str(entries)
