"""The blueprint: an encrypted image pipeline with two components, a build workflow and a distribution.

The pipeline takes its pieces as objects, like the alpha ImagePipeline: the recipe (what is built) and
the infrastructure (where, in your VPC) are made here; the pipeline makes the rest with secure defaults
(the AMI distribution, its encrypted log groups, the workflow execution role).
"""

import pathlib

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from cdk_nag import AwsSolutionsChecks

from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedImageRecipe,
    EncryptedWorkflow,
    ImageBuilderKey,
    ImageBuilderLogGroup,
    ImageBuilderNotificationTopic,
    Platform,
    SecureImagePipeline,
    SecureInfrastructureConfiguration,
    WorkflowType,
    aws_managed_component,
    aws_managed_image,
)
from secure_imagebuilder.nag import DataProtectionChecks

DOCUMENTS = pathlib.Path(__file__).parent / "documents"


def build(app: cdk.App, env: cdk.Environment | None = None) -> list[cdk.Stack]:
    """One stack: a VPC with private subnets and the pipeline, every piece encrypted with one key.

    ``env`` pins the stack's account and Region (default: environment-agnostic).
    """
    stack = cdk.Stack(app, "SecureImagePipeline", env=env)
    key = ImageBuilderKey(stack, "Key", alias="alias/imagebuilder-blueprint")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, restrict_default_security_group=False)
    flow_logs = ImageBuilderLogGroup(stack, "FlowLogs", key=key, log_group_name="/vpc/secure-image-pipeline")
    vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs))
    harden = EncryptedComponent(
        stack,
        "Harden",
        key=key,
        name="harden-linux",
        version="1.0.0",
        platform=Platform.LINUX,
        path=DOCUMENTS / "harden.yaml",
    )
    build_workflow = EncryptedWorkflow(
        stack,
        "BuildWorkflow",
        key=key,
        name="secure-build",
        version="1.0.0",
        workflow_type=WorkflowType.BUILD,
        path=DOCUMENTS / "build-workflow.yaml",
    )
    recipe = EncryptedImageRecipe(
        stack,
        "Recipe",
        key=key,
        name="secure-al2023",
        version="1.0.x",
        parent_image=aws_managed_image(stack, "amazon-linux-2023-x86"),
        components=[aws_managed_component(stack, "update-linux"), harden],
    )
    infrastructure = SecureInfrastructureConfiguration(
        stack,
        "Infrastructure",
        key=key,
        name="secure-al2023",
        vpc=vpc,
        notification_topic=ImageBuilderNotificationTopic(stack, "Notifications", key=key),
    )
    SecureImagePipeline(
        stack,
        "Pipeline",
        name="secure-al2023",
        recipe=recipe,
        infrastructure=infrastructure,
        workflows=[build_workflow],
        schedule=events.Schedule.cron(minute="0", hour="4", week_day="MON"),
        tags={"project": "golden-images"},
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
