"""ImageBuilderVpcEndpoints in the pipeline: the build path covered, HTTPS from build instances only.

The pipelines are those of tests/pipeline_scene.py, synthesized once per session.
"""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match, Template

from pipeline_scene import (
    ACCOUNT,
    pipeline_evaluator,
    pipeline_template,
)
from policy_eval import PolicyEvaluator, Request
from secure_imagebuilder.core import defaults


@pytest.fixture(scope="module")
def template() -> Template:
    return pipeline_template()


@pytest.fixture(scope="module")
def evaluator() -> PolicyEvaluator:
    return pipeline_evaluator()


def test_vpc_endpoints_cover_the_build_path(template: Template) -> None:
    endpoints = template.find_resources("AWS::EC2::VPCEndpoint")
    interface = [e for e in endpoints.values() if e["Properties"].get("VpcEndpointType") == "Interface"]
    assert len(interface) == len(defaults.INTERFACE_ENDPOINT_SERVICES)
    assert all(e["Properties"]["PrivateDnsEnabled"] for e in interface)
    assert len(endpoints) == len(interface) + 1  # the S3 gateway


def test_endpoints_admit_https_from_build_instances_only(template: Template) -> None:
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "GroupId": {"Fn::GetAtt": [Match.string_like_regexp("^EndpointsSecurityGroup"), "GroupId"]},
            "SourceSecurityGroupId": {
                "Fn::GetAtt": [Match.string_like_regexp("^InfrastructureSecurityGroup"), "GroupId"]
            },
            "FromPort": 443,
            "ToPort": 443,
        },
    )


@pytest.mark.parametrize(
    ("action", "bucket_account", "allowed"),
    [
        ("s3:PutObject", ACCOUNT, True),  # build logs to this account's bucket
        ("s3:GetObject", "999999999999", True),  # downloads from AWS-owned repositories
        ("s3:PutObject", "999999999999", False),  # copying data out to another account
        ("s3:DeleteObject", "999999999999", False),
    ],
)
def test_the_s3_gateway_endpoint_lets_writes_reach_this_accounts_buckets_only(
    evaluator: PolicyEvaluator, template: Template, action: str, bucket_account: str, allowed: bool
) -> None:
    (endpoint,) = [
        r
        for r in template.find_resources("AWS::EC2::VPCEndpoint").values()
        if r["Properties"].get("VpcEndpointType", "Gateway") == "Gateway"
        and "PolicyDocument" in r["Properties"]
    ]
    statements = evaluator.resolve(endpoint["Properties"]["PolicyDocument"]["Statement"])
    role = f"arn:aws:iam::{ACCOUNT}:role/Builder"
    request = Request(action, role, "arn:aws:s3:::some-bucket/key", {"aws:ResourceAccount": bucket_account})
    assert evaluator.resource_policy_allows(statements, request) is allowed
