"""A container pipeline: built on a private instance, pushed to an encrypted ECR repository."""

import pathlib

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from cdk_nag import AwsSolutionsChecks

from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedContainerRecipe,
    ImageBuilderKey,
    ImageBuilderLogGroup,
    ImageBuilderNotificationTopic,
    Platform,
    SecureImagePipeline,
    SecureInfrastructureConfiguration,
)
from secure_imagebuilder.nag import DataProtectionChecks

DOCUMENTS = pathlib.Path(__file__).parent / "documents"


def build(app: cdk.App, env: cdk.Environment | None = None) -> list[cdk.Stack]:
    """A container recipe, a KMS-encrypted repository with immutable tags, IMDSv2 with two hops.

    ``env`` pins the stack's account and Region (default: environment-agnostic).
    """
    stack = cdk.Stack(app, "ContainerPipeline", env=env)
    key = ImageBuilderKey(stack, "Key", alias="alias/imagebuilder-containers")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, restrict_default_security_group=False)
    flow_logs = ImageBuilderLogGroup(stack, "FlowLogs", key=key, log_group_name="/vpc/container-pipeline")
    vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs))
    harden = EncryptedComponent(
        stack,
        "Harden",
        key=key,
        name="harden-container",
        version="1.0.0",
        platform=Platform.LINUX,
        path=DOCUMENTS / "harden.yaml",
    )
    # The recipe makes its repository: KMS-encrypted with the key, immutable tags, scan on push.
    recipe = EncryptedContainerRecipe(
        stack,
        "Recipe",
        key=key,
        name="secure-al2023-container",
        version="1.0.x",
        parent_image="public.ecr.aws/amazonlinux/amazonlinux:2023",
        components=[harden],
    )
    infrastructure = SecureInfrastructureConfiguration(
        stack,
        "Infrastructure",
        key=key,
        name="secure-al2023-container",
        vpc=vpc,
        container=True,
        container_repository=recipe.repository,
        notification_topic=ImageBuilderNotificationTopic(stack, "Notifications", key=key),
    )
    SecureImagePipeline(
        stack, "Pipeline", name="secure-al2023-container", recipe=recipe, infrastructure=infrastructure
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
