"""Bring your own key: the pipeline uses a key your security team owns; they add the key-policy statements.

A key imported by ARN is owned outside this app, so every grant adds its identity side here and
`cdk synth` prints, once for the key, the key-policy statements its owner must add.
"""

import pathlib

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from cdk_nag import AwsSolutionsChecks

from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedImageRecipe,
    ImageBuilderKey,
    ImageBuilderLogGroup,
    ImageBuilderNotificationTopic,
    Platform,
    SecureImagePipeline,
    SecureInfrastructureConfiguration,
    aws_managed_image,
)
from secure_imagebuilder.nag import DataProtectionChecks

DOCUMENTS = pathlib.Path(__file__).parent / "documents"
# The id of an example key; pass your key's ARN with `cdk synth -c imagebuilder-key-arn=arn:...`.
EXAMPLE_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


def build(app: cdk.App, env: cdk.Environment | None = None) -> list[cdk.Stack]:
    """A pipeline on an imported key; `cdk synth` prints the statements the key's owner must add.

    ``env`` pins the stack's account and Region (default: environment-agnostic).
    """
    stack = cdk.Stack(app, "ByoKeyPipeline", env=env)
    # The default is built from the stack's own partition, Region and account: no hard-coded environment.
    key_arn = app.node.try_get_context("imagebuilder-key-arn") or stack.format_arn(
        service="kms", resource="key", resource_name=EXAMPLE_KEY_ID
    )
    key = ImageBuilderKey.from_key_arn(stack, "Key", key_arn)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, restrict_default_security_group=False)
    flow_logs = ImageBuilderLogGroup(stack, "FlowLogs", key=key, log_group_name="/vpc/byo-key-pipeline")
    vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs))
    harden = EncryptedComponent(
        stack,
        "Harden",
        key=key,
        name="byo-key-harden-linux",
        version="1.0.0",
        platform=Platform.LINUX,
        path=DOCUMENTS / "harden.yaml",
    )
    recipe = EncryptedImageRecipe(
        stack,
        "Recipe",
        key=key,
        name="byo-key-al2023",
        version="1.0.x",
        parent_image=aws_managed_image(stack, "amazon-linux-2023-x86"),
        components=[harden],
    )
    infrastructure = SecureInfrastructureConfiguration(
        stack,
        "Infrastructure",
        key=key,
        name="byo-key-al2023",
        vpc=vpc,
        notification_topic=ImageBuilderNotificationTopic(stack, "Notifications", key=key),
    )
    SecureImagePipeline(
        stack, "Pipeline", name="byo-key-al2023", recipe=recipe, infrastructure=infrastructure
    )
    # One trail per account is the norm (R4); an account without one adds ImageBuilderAuditTrail.
    cdk.Validations.of(stack).acknowledge(
        cdk.Acknowledgment(id="DataProtection-AUD1", reason="The organization trail records these events.")
    )
    return [stack]


if __name__ == "__main__":
    app = cdk.App()
    build(app)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(), DataProtectionChecks(app))
    app.synth()
