"""TLS1/TLS2 (TLS policies), AUD1 (trail), FIPS1 (FIPS endpoints), RA1-RA3 (Roles Anywhere)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns

from conftest import make_app, make_stack

from ._helpers import area, case_test, raw, run

NO_TLS = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": "*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
OLD_TLS = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": "*",
    "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
}
PUBLISH = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "sns:Publish",
    "Resource": "*",
    "Condition": {"Bool": {"aws:SecureTransport": False}},
}
EVENTS = ("CA_CERTIFICATE_EXPIRY", "END_ENTITY_CERTIFICATE_EXPIRY")


def bucket_policy(stack: cdk.Stack, cid: str, bucket: Any, *statements: dict[str, Any]) -> None:
    raw(
        stack,
        cid,
        "AWS::S3::BucketPolicy",
        {"Bucket": bucket, "PolicyDocument": {"Statement": list(statements)}},
    )


def ra_trust(stack: cdk.Stack, cid: str, condition: dict[str, Any] | None) -> None:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": "rolesanywhere.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
    }
    if condition:
        statement["Condition"] = condition
    raw(stack, cid, "AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [statement]}})


def build(stack: cdk.Stack) -> None:
    # TLS1
    s3.Bucket(stack, "TLS1Bad1")
    s3.Bucket(stack, "TLS1Bad2", enforce_ssl=True)
    b3 = s3.CfnBucket(stack, "TLS1Bad3")
    bucket_policy(
        stack,
        "TLS1Bad3Policy",
        b3.ref,
        NO_TLS,
        {**OLD_TLS, "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.0"}}},
    )
    bucket_policy(stack, "TLS1Bad4", "imported-bucket", OLD_TLS)
    s3.Bucket(stack, "TLS1Good1", enforce_ssl=True, minimum_tls_version=1.2)
    b2 = s3.CfnBucket(stack, "TLS1Good2")
    bucket_policy(stack, "TLS1Good2Policy", b2.ref, NO_TLS, OLD_TLS)
    bucket_policy(stack, "TLS1Good3", "imported-bucket", NO_TLS, OLD_TLS)
    # TLS2
    sns.Topic(stack, "TLS2Bad1")
    t2 = sns.CfnTopic(stack, "TLS2Bad2")
    raw(
        stack,
        "TLS2Bad2Policy",
        "AWS::SNS::TopicPolicy",
        {"Topics": [t2.ref], "PolicyDocument": {"Statement": [{**PUBLISH, "Action": "sns:Subscribe"}]}},
    )
    raw(
        stack,
        "TLS2Bad3",
        "AWS::SNS::TopicPolicy",
        {"Topics": ["arn:aws:sns:us-west-2:1:t"], "PolicyDocument": {"Statement": []}},
    )
    sns.Topic(stack, "TLS2Good1", enforce_ssl=True)
    t3 = sns.CfnTopic(stack, "TLS2Good2")
    raw(
        stack,
        "TLS2Good2Policy",
        "AWS::SNS::TopicPolicy",
        {"Topics": [t3.ref], "PolicyDocument": {"Statement": [{**PUBLISH, "Action": "sns:*"}]}},
    )
    # RA1
    raw(
        stack,
        "RA1Bad1",
        "AWS::RolesAnywhere::Profile",
        {"Name": "p", "RoleArns": [], "DurationSeconds": 43200},
    )
    raw(
        stack,
        "RA1Bad2",
        "AWS::RolesAnywhere::Profile",
        {"Name": "p", "RoleArns": [], "DurationSeconds": "7200"},
    )
    raw(stack, "RA1Good1", "AWS::RolesAnywhere::Profile", {"Name": "p", "RoleArns": []})
    raw(
        stack,
        "RA1Good2",
        "AWS::RolesAnywhere::Profile",
        {"Name": "p", "RoleArns": [], "DurationSeconds": 900},
    )

    # RA2
    def anchor(cid: str, settings: Any) -> cdk.CfnResource:
        props: dict[str, Any] = {
            "Name": cid,
            "Source": {"SourceType": "AWS_ACM_PCA", "SourceData": {"AcmPcaArn": "arn:pca"}},
        }
        if settings is not None:
            props["NotificationSettings"] = settings
        return raw(stack, cid, "AWS::RolesAnywhere::TrustAnchor", props)

    anchor("RA2Good2", None)  # absent: the service's default settings notify 45 days ahead
    anchor("RA2Bad2", [{"Event": EVENTS[0], "Enabled": True}, {"Event": EVENTS[1], "Enabled": False}])
    anchor("RA2Bad3", [{"Event": EVENTS[0], "Enabled": {"Fn::If": ["Quiet", False, True]}}])
    good_anchor = anchor("RA2Good1", [{"Event": e, "Enabled": True, "Threshold": 45} for e in EVENTS])
    # RA3
    ra_trust(stack, "RA3Bad1", None)
    # A condition no Roles Anywhere request meets (a profile ARN, not an anchor): no session is vended.
    ra_trust(
        stack, "RA3Good3", {"ArnEquals": {"aws:SourceArn": "arn:aws:rolesanywhere:us-west-2:1:profile/p"}}
    )
    ra_trust(
        stack, "RA3Bad3", {"ArnLike": {"aws:SourceArn": "arn:aws:rolesanywhere:us-west-2:1:trust-anchor/*"}}
    )
    ra_trust(stack, "RA3Good1", {"ArnEquals": {"aws:SourceArn": good_anchor.get_att("TrustAnchorArn")}})
    ra_trust(
        stack,
        "RA3Good2",
        {"ArnEquals": {"aws:SourceArn": "arn:aws:rolesanywhere:us-west-2:1:trust-anchor/a1"}},
    )


CASES = {
    "TLS1Bad1/Resource": {"TLS1[SecureTransport]", "TLS1[TlsVersion]"},
    "TLS1Bad2/Resource": {"TLS1[TlsVersion]"},
    "TLS1Bad3": {"TLS1[TlsVersion]"},
    "TLS1Bad4": {"TLS1[SecureTransport]"},
    "TLS1Good1/Resource": set(),
    "TLS1Good2": set(),
    "TLS1Good2Policy": set(),
    "TLS1Good3": set(),
    "TLS2Bad1/Resource": {"TLS2"},
    "TLS2Bad2": {"TLS2"},
    "TLS2Bad3": {"TLS2"},
    "TLS2Good1/Resource": set(),
    "TLS2Good2": set(),
    "TLS2Good2Policy": set(),
    "RA1Bad1": {"RA1"},
    "RA1Bad2": {"RA1"},
    "RA1Good1": set(),
    "RA1Good2": set(),
    "RA2Bad2": {"RA2[END_ENTITY_CERTIFICATE_EXPIRY]"},
    "RA2Bad3": {"RA2[CA_CERTIFICATE_EXPIRY]"},
    "RA2Good1": set(),
    "RA2Good2": set(),
    "RA3Bad1": {"RA3[Statement-*]"},
    "RA3Good3": set(),
    "RA3Bad3": {"RA3[Statement-*]"},
    "RA3Good1": set(),
    "RA3Good2": set(),
}


@pytest.fixture(scope="module")
def fired() -> dict[str, set[str]]:
    app = make_app()
    stack = make_stack(app, name="Tls")
    build(stack)
    # AUD1: Image Builder without a trail, with a trail, and no Image Builder at all.
    raw(make_stack(app, name="AUD1Bad1"), "C", "AWS::ImageBuilder::Component", {"KmsKeyId": "arn:k"})
    with_trail = make_stack(app, name="AUD1Good1")
    raw(with_trail, "C", "AWS::ImageBuilder::Component", {"KmsKeyId": "arn:k"})
    cloudtrail.CfnTrail(with_trail, "Trail", is_logging=True, s3_bucket_name="trail-bucket")
    acknowledged = make_stack(app, name="AUD1Good2")
    raw(acknowledged, "C", "AWS::ImageBuilder::Component", {"KmsKeyId": "arn:k"})
    cdk.Validations.of(acknowledged).acknowledge(
        cdk.Acknowledgment(id="DataProtection-AUD1", reason="the organization trail records this account")
    )
    return run(app, frozen="Tls")


test_case = case_test("Tls", CASES)


@pytest.mark.parametrize(
    ("stack", "expected"),
    [("AUD1Bad1", {"AUD1"}), ("AUD1Good1", set()), ("AUD1Good2", set()), ("Tls", set())],
)
def test_trail(fired: dict[str, set[str]], stack: str, expected: set[str]) -> None:
    assert area(fired, stack, "DataProtection-AUD1") == expected


def test_audit_is_a_warning() -> None:
    app = make_app()
    raw(make_stack(app, name="S"), "C", "AWS::ImageBuilder::Component", {"KmsKeyId": "arn:k"})
    from secure_imagebuilder.nag import DataProtectionChecks

    report = DataProtectionChecks().validate_scope(app)
    assert [(v.rule_name, v.severity) for v in report.violations] == [("DataProtection-AUD1", "warning")]
    assert report.success


FIPS_CASES = {
    "FIPS1Bad1": {"FIPS1[Uri]"},
    "FIPS1Bad2": {"FIPS1[Value]"},
    "FIPS1Bad3": {"FIPS1[ServiceEndpoint]"},
    "FIPS1Good1": set(),
    "FIPS1Good2": set(),
    "FIPS1Good3": set(),
}


@pytest.fixture(scope="module")
def fips_fired() -> dict[str, set[str]]:
    stack = make_stack(make_app(context={"secure-imagebuilder:fips": True}), name="Fips")
    raw(
        stack,
        "FIPS1Bad1",
        "AWS::ImageBuilder::Component",
        {"KmsKeyId": "arn:k", "Uri": "https://s3.us-west-2.amazonaws.com/b/c.yaml"},
    )
    raw(
        stack,
        "FIPS1Bad2",
        "AWS::SSM::Parameter",
        {
            "Value": {
                "Fn::Join": ["", ["https://kms.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}]]
            }
        },
    )
    raw(stack, "FIPS1Bad3", "Custom::Thing", {"ServiceEndpoint": "ec2.us-west-2.amazonaws.com"})
    raw(stack, "FIPS1Good1", "AWS::SSM::Parameter", {"Value": "https://kms-fips.us-west-2.amazonaws.com"})
    iam.Role(stack, "FIPS1Good2", assumed_by=iam.ServicePrincipal("imagebuilder.amazonaws.com"))
    raw(stack, "FIPS1Good3", "AWS::SSM::Parameter", {"Value": "https://example.com/x"})
    return run(stack, frozen="Fips")


@pytest.mark.parametrize(("construct_id", "expected"), FIPS_CASES.items(), ids=FIPS_CASES)
def test_fips(fips_fired: dict[str, set[str]], construct_id: str, expected: set[str]) -> None:
    path = f"Fips/{construct_id}" + ("/Resource" if construct_id == "FIPS1Good2" else "")
    assert area(fips_fired, path, "DataProtection-FIPS1") == expected


def test_fips_off_by_default(fired: dict[str, set[str]]) -> None:
    assert not any(i.startswith("DataProtection-FIPS") for ids in fired.values() for i in ids)
