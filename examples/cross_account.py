"""Cross-account distribution: AMIs copied to a second Region and to workload accounts, always encrypted."""

import pathlib

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from cdk_nag import AwsSolutionsChecks

from secure_imagebuilder import (
    DistributionRegion,
    EncryptedComponent,
    EncryptedImageRecipe,
    ImageBuilderKey,
    ImageBuilderLogGroup,
    ImageBuilderNotificationTopic,
    Platform,
    SecureDistributionConfiguration,
    SecureImagePipeline,
    SecureInfrastructureConfiguration,
    aws_managed_component,
    aws_managed_image,
)
from secure_imagebuilder.nag import DataProtectionChecks

DOCUMENTS = pathlib.Path(__file__).parent / "documents"
# A replica of a multi-Region key in the second Region (KMS keys are regional), owned by the security team.
# Pass your own with `-c imagebuilder-replica-region=... -c imagebuilder-replica-key-arn=arn:...`.
REPLICA_REGION = "eu-west-1"
REPLICA_KEY_ID = "mrk-1234abcd12ab34cd56ef1234567890ab"


def build(app: cdk.App, env: cdk.Environment | None = None) -> list[cdk.Stack]:
    """AMIs go to this Region and a second one, copied into two accounts and launchable by a third.

    ``env`` pins the stack's account and Region (default: environment-agnostic).
    """
    stack = cdk.Stack(app, "CrossAccountPipeline", env=env)
    key = ImageBuilderKey(stack, "Key", alias="alias/imagebuilder-cross-account")
    region = app.node.try_get_context("imagebuilder-replica-region") or REPLICA_REGION
    # Partition and account are the stack's own (tokens): the stack stays environment-agnostic.
    replica_arn = app.node.try_get_context("imagebuilder-replica-key-arn") or stack.format_arn(
        service="kms", region=region, resource="key", resource_name=REPLICA_KEY_ID
    )
    replica = ImageBuilderKey.from_key_arn(stack, "ReplicaKey", replica_arn)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, restrict_default_security_group=False)
    flow_logs = ImageBuilderLogGroup(stack, "FlowLogs", key=key, log_group_name="/vpc/cross-account-pipeline")
    vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs))
    harden = EncryptedComponent(
        stack,
        "Harden",
        key=key,
        name="shared-harden-linux",
        version="1.0.0",
        platform=Platform.LINUX,
        path=DOCUMENTS / "harden.yaml",
    )
    recipe = EncryptedImageRecipe(
        stack,
        "Recipe",
        key=key,
        name="shared-al2023",
        version="1.0.x",
        parent_image=aws_managed_image(stack, "amazon-linux-2023-x86"),
        components=[aws_managed_component(stack, "update-linux"), harden],
    )
    infrastructure = SecureInfrastructureConfiguration(
        stack,
        "Infrastructure",
        key=key,
        name="shared-al2023",
        vpc=vpc,
        notification_topic=ImageBuilderNotificationTopic(stack, "Notifications", key=key),
    )
    distribution = SecureDistributionConfiguration(
        stack,
        "Distribution",
        key=key,
        name="shared-al2023",
        regions=[DistributionRegion(stack.region), DistributionRegion(region, key=replica)],
        target_account_ids=["444455556666", "777788889999"],
        launch_permission_account_ids=["123456789012"],
    )
    SecureImagePipeline(
        stack,
        "Pipeline",
        name="shared-al2023",
        recipe=recipe,
        infrastructure=infrastructure,
        distribution=distribution,
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
