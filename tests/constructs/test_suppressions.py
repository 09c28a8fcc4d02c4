"""Deliberate exceptions are written into the template, in each scanner's own form."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from conftest import make_app, make_stack
from secure_imagebuilder import (
    ImageBuilderKey,
    ImageBuilderLogBucket,
    LifecycleExecutionRole,
    SecureInfrastructureConfiguration,
    WorkflowExecutionRole,
)
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


ENV = cdk.Environment(account="111122223333", region="us-east-1")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/*"),
        ({"Ref": "AWS::Region"}, "<AWS::Region>"),
        ({"Fn::GetAtt": ["Logs1234", "Arn"]}, "<Logs1234.Arn>"),
        (
            {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "Bucket"}, "/*"]]},
            "arn:<AWS::Partition>:s3:::<Bucket>/*",
        ),
        ({"Fn::Sub": "arn:${AWS::Partition}:s3:::x/*"}, "arn:<AWS::Partition>:s3:::x/*"),
        ({"Fn::ImportValue": "Shared"}, "Shared"),
        ({"Fn::Select": [0, ["a"]]}, '{"Fn::Select":[0,["a"]]}'),
    ],
)
def test_finding_text_flattens_as_cdk_nag_does(value: Any, expected: str) -> None:
    assert suppressions.finding_text(make_stack(), value) == expected


@pytest.mark.parametrize("env", [None, ENV], ids=["env-agnostic", "account-and-region"])
def test_wildcard_acknowledgements_match_the_findings_in_any_stack(env: cdk.Environment | None) -> None:
    """The finding id carries tokens in one stack and literals in the other: the acknowledgement follows."""
    stack = cdk.Stack(make_app(), "Stack", env=env)
    key = ImageBuilderKey(stack, "Key")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, restrict_default_security_group=False)
    SecureInfrastructureConfiguration(
        stack,
        "Infra",
        key=key,
        name="infra",
        vpc=vpc,
        log_bucket=ImageBuilderLogBucket(stack, "Logs", key=key),
        container=True,
        container_repository=ecr.Repository(stack, "Repo"),
    )
    LifecycleExecutionRole(stack, "Lifecycle")
    WorkflowExecutionRole(stack, "Exec", key=key)
    report = AwsSolutionsChecks().validate_scope(stack)
    ours = [
        v.rule_name
        for v in report.violations
        if any(
            r.construct_path.startswith(("Stack/Infra", "Stack/Lifecycle", "Stack/Exec"))
            for r in v.violating_resources
        )
    ]
    assert ours == []
    expected = "us-east-1:111122223333" if env else "<AWS::Region>:<AWS::AccountId>"
    role = stack.node.find_child("Infra").node.find_child("InstanceRole")
    acknowledged = [e.data for e in role.node.metadata if e.type == "aws:cdk:acknowledged-rules"]
    assert any(f"imagebuilder:{expected}:component/*]" in str(entry) for entry in acknowledged)
