"""SD1 (sensitive data), URL1/URL2 (credentials in URLs and documents), SEC1 (secrets), one stack."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_imagebuilder as ib
from aws_cdk import aws_s3 as s3

from conftest import make_stack

from ._helpers import area, case_test, raw, run, stack_fixture

IB = "AWS::ImageBuilder::"
# Shaped like AWS credentials, documented examples, not real ones.
ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
# A truncated, made-up key body: only the PEM armour matters; split so secret scanners skip this file.
PEM = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vc\n-----END RSA " + "PRIVATE KEY-----"
CERT = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBszCCAVmgAwIBAgIUQ0Y2kQ5yQm9E2b5n3bGQ0Vg0f8cwCgYIKoZIzj0EAwIwLzEtMCsGA1UE\n"
    "-----END CERTIFICATE-----"
)


def component(stack: cdk.Stack, cid: str, data: str = "schemaVersion: 1.0\n", **kwargs: object) -> None:
    ib.CfnComponent(
        stack,
        cid,
        name=kwargs.pop("name", cid),
        platform="Linux",
        version="1.0.0",
        data=data,  # type: ignore[arg-type]
        kms_key_id="arn:aws:kms:us-west-2:111122223333:key/k",
        **kwargs,  # type: ignore[arg-type]
    )


def build(stack: cdk.Stack) -> None:
    # SD1
    component(stack, "SD1Bad1", description="owned by jane.doe@example.com")
    component(stack, "SD1Bad2", tags={"owner": "ops@example.com"})
    component(stack, "SD1Bad3", name="image-111122223333")
    component(stack, "SD1Bad4", change_description=f"rotated {ACCESS_KEY_ID}")
    raw(
        stack,
        "SD1Bad5",
        "AWS::SNS::Topic",
        {"TopicName": "t", "Tags": [{"Key": "account", "Value": "1111-2222-3333"}]},
    )
    raw(stack, "SD1Bad6", "AWS::SNS::Topic", {"DisplayName": {"Fn::Join": ["", ["alerts-", "123456789012"]]}})
    component(stack, "SD1Good1", description="arn:aws:iam::111122223333:role/builder builds the image")
    component(
        stack, "SD1Good2", description=cdk.Fn.sub("built in ${AWS::AccountId}"), tags={"team": "platform"}
    )
    component(stack, "SD1Good3", data="# contact: ops@example.com is fine in a document, not in a tag\n")
    # URL1
    raw(stack, "URL1Bad1", f"{IB}Component", {"Uri": "https://builder:hunter2@artifacts.example.com/c.yaml"})
    raw(
        stack,
        "URL1Bad2",
        f"{IB}Component",
        {"Uri": "https://b.s3.amazonaws.com/c.yaml?X-Amz-Credential=AKIA%2F&X-Amz-Signature=abc"},
    )
    raw(
        stack,
        "URL1Bad3",
        "AWS::SSM::Parameter",
        {"Value": {"Fn::Sub": "https://${User}:${Password}@repo.example.com"}},
    )
    raw(
        stack,
        "URL1Bad4",
        "AWS::SSM::Parameter",
        {"Value": {"Fn::Join": ["", ["https://blob.example.com/x?sig=", {"Ref": "Sig"}]]}},
    )
    component(stack, "URL1Bad5", data="steps:\n  - curl https://repo.example.com/pkg?token=abcdef\n")
    raw(stack, "URL1Good1", f"{IB}Component", {"Uri": "s3://bucket/components/c.yaml"})
    raw(
        stack,
        "URL1Good2",
        "AWS::SSM::Parameter",
        {"Value": "https://repo.example.com/pkg?version=1&arch=x86_64"},
    )
    # URL2
    component(
        stack, "URL2Bad1", data="commands:\n  - curl -H 'Authorization: Basic dXNlcjpwYXNz' https://x\n"
    )
    component(stack, "URL2Bad2", data="commands:\n  - curl --user deploy:s3cret https://x/a.tgz\n")
    raw(stack, "URL2Bad3", f"{IB}Workflow", {"Data": "inputs:\n  cmd: wget --password=s3cret https://x/a\n"})
    component(
        stack, "URL2Good1", data="commands:\n  - curl -H 'Authorization: Bearer {{ token }}' https://x\n"
    )
    component(stack, "URL2Good2", data='commands:\n  - curl --user "$USER:$PASS" https://x\n')
    # SEC1
    raw(stack, "SEC1Bad1", "AWS::SSM::Parameter", {"Value": PEM})
    component(stack, "SEC1Bad2", data=f"env:\n  AWS_SECRET_ACCESS_KEY: {SECRET_KEY}\n")
    raw(
        stack,
        "SEC1Bad3",
        "AWS::Lambda::Function",
        {"Environment": {"Variables": {"K": {"Fn::Join": ["", [PEM]]}}}},
    )
    raw(
        stack,
        "SEC1Good1",
        "AWS::RolesAnywhere::TrustAnchor",
        {"Source": {"SourceData": {"X509CertificateData": CERT}}},
    )
    raw(
        stack,
        "SEC1Good2",
        "AWS::SSM::Parameter",
        {"Value": "{{resolve:secretsmanager:builder-key:SecretString}}"},
    )
    s3.CfnBucket(stack, "SEC1Good3", bucket_name="assets-0123456789abcdef0123456789abcdef01234567")


CASES = {
    "SD1Bad1": {"SD1[Description]"},
    "SD1Bad2": {"SD1[Tag:owner]"},
    "SD1Bad3": {"SD1[Name]"},
    "SD1Bad4": {"SD1[ChangeDescription]"},
    "SD1Bad5": {"SD1[Tag:account]", "TLS2"},
    "SD1Bad6": {"SD1[DisplayName]", "TLS2"},
    "SD1Good1": set(),
    "SD1Good2": set(),
    "SD1Good3": set(),
    "URL1Bad1": {"URL1[Uri]", "IB1"},
    "URL1Bad2": {"URL1[Uri]", "IB1"},
    "URL1Bad3": {"URL1[Value]"},
    "URL1Bad4": {"URL1[Value]"},
    "URL1Bad5": {"URL1[Data]"},
    "URL1Good1": {"IB1"},
    "URL1Good2": set(),
    "URL2Bad1": {"URL2[Data]"},
    "URL2Bad2": {"URL2[Data]"},
    "URL2Bad3": {"URL2[Data]", "IB1"},
    "URL2Good1": set(),
    "URL2Good2": set(),
    "SEC1Bad1": {"SEC1[Value]"},
    "SEC1Bad2": {"SEC1[Data]"},
    "SEC1Bad3": {"SEC1[Environment]"},
    "SEC1Good1": set(),
    "SEC1Good2": set(),
    "SEC1Good3": {"TLS1[SecureTransport]", "TLS1[TlsVersion]"},
}


fired = stack_fixture("Content", build)
test_case = case_test("Content", CASES)


def test_stack_tags_are_checked() -> None:
    stack = cdk.Stack(make_stack().node.scope, "Tagged", tags={"contact": "ops@example.com"})  # type: ignore[arg-type]
    assert area(run(stack), "Tagged", "DataProtection-SD1") == {"SD1[Tag:contact]"}
