"""The blueprint: an encrypted image pipeline with two components, a build workflow and a distribution."""

import pathlib

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from cdk_nag import AwsSolutionsChecks

from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedWorkflow,
    ImageBuilderKey,
    ImageBuilderLogGroup,
    Platform,
    SecureImagePipeline,
    WorkflowType,
    aws_managed_component,
    aws_managed_image,
)
from secure_imagebuilder.nag import DataProtectionChecks

DOCUMENTS = pathlib.Path(__file__).parent / "documents"


def build(app: cdk.App) -> list[cdk.Stack]:
    """One stack: a VPC with private subnets and the pipeline, every piece encrypted with one key."""
    stack = cdk.Stack(app, "SecureImagePipeline")
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
    SecureImagePipeline(
        stack,
        "Pipeline",
        name="secure-al2023",
        key=key,
        vpc=vpc,
        parent_image=aws_managed_image(stack, "amazon-linux-2023-x86"),
        components=[aws_managed_component(stack, "update-linux"), harden],
        workflows=[build_workflow],
        schedule_expression=events.Schedule.cron(minute="0", hour="4", week_day="MON"),
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
