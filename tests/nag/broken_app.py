"""A deliberately broken app: every line below breaks one DataProtectionChecks rule.

``python -m tests.nag.broken_app`` (or the test in test_app_path.py) must fail synthesis with the ids
listed in ``EXPECTED``.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rolesanywhere as rolesanywhere
from aws_cdk import aws_s3 as s3

EXPECTED = {
    "DataProtection-IB1": "Broken/Component",
    "DataProtection-IB4": "Broken/Infrastructure",
    "DataProtection-IB5": "Broken/Infrastructure",
    "DataProtection-IB9": "Broken/Infrastructure",  # its instance profile "p" is not in the app
    "DataProtection-KMS1": "Broken/Key/Resource",
    "DataProtection-KMS2[DeletionPolicy]": "Broken/Key/Resource",
    "DataProtection-KMS2[UpdateReplacePolicy]": "Broken/Key/Resource",
    "DataProtection-SD1[Tag:owner]": "Broken/Component",
    "DataProtection-URL1[Uri]": "Broken/UriComponent",
    "DataProtection-SEC1[Value]": "Broken/Leaked",
    "DataProtection-TLS1[SecureTransport]": "Broken/Logs/Resource",
    "DataProtection-TLS1[TlsVersion]": "Broken/Logs/Resource",
    "DataProtection-IAM1[Statement-1676d2f7]": "Broken/Admin/Resource",
    "DataProtection-IAM2[Statement-1676d2f7]": "Broken/Admin/Resource",
    "DataProtection-IAM3[Statement-93e67f54]": "Broken/ExecutionRole/Resource",
    "DataProtection-RA1": "Broken/Profile",
    "DataProtection-AUD1": "Broken",
}
PEM_HEADER = "-----BEGIN " + "PRIVATE KEY-----"  # split so that secret scanners do not flag this file


def build(app: cdk.App) -> cdk.Stack:
    """One stack with one violation per line."""
    stack = cdk.Stack(app, "Broken")
    key = kms.Key(stack, "Key", removal_policy=cdk.RemovalPolicy.DESTROY)  # KMS1, KMS2
    imagebuilder.CfnComponent(  # IB1 (no KmsKeyId), SD1 (e-mail in a tag)
        stack,
        "Component",
        name="c",
        platform="Linux",
        version="1.0.0",
        data="schemaVersion: 1.0\n",
        tags={"owner": "jane.doe@example.com"},
    )
    imagebuilder.CfnComponent(  # URL1
        stack,
        "UriComponent",
        name="u",
        platform="Linux",
        version="1.0.0",
        kms_key_id=key.key_arn,
        uri="https://deploy:hunter2@artifacts.example.com/component.yaml",
    )
    imagebuilder.CfnInfrastructureConfiguration(
        stack, "Infrastructure", name="i", instance_profile_name="p"
    )  # IB4, IB5
    cdk.CfnResource(
        stack,
        "Leaked",
        type="AWS::SSM::Parameter",
        properties={"Type": "String", "Value": f"{PEM_HEADER}\nMIIE\n"},
    )  # SEC1
    s3.Bucket(stack, "Logs")  # TLS1
    iam.ManagedPolicy(
        stack, "Admin", statements=[iam.PolicyStatement(actions=["*"], resources=["*"])]
    )  # IAM1, IAM2
    iam.Role(stack, "ExecutionRole", assumed_by=iam.ServicePrincipal("imagebuilder.amazonaws.com"))  # IAM3
    rolesanywhere.CfnProfile(stack, "Profile", name="p", role_arns=[], duration_seconds=43200)  # RA1
    return stack


if __name__ == "__main__":
    from cdk_nag import AwsSolutionsChecks

    from secure_imagebuilder.nag import DataProtectionChecks

    application = cdk.App()
    build(application)
    cdk.Validations.of(application).add_plugins(AwsSolutionsChecks(), DataProtectionChecks(application))
    application.synth()
