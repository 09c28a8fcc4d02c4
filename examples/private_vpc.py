"""A private build: isolated subnets, VPC endpoints, encrypted CloudWatch logs and an audit trail."""

import pathlib

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from cdk_nag import AwsSolutionsChecks

from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedImageRecipe,
    ImageBuilderAuditTrail,
    ImageBuilderKey,
    ImageBuilderLogGroup,
    ImageBuilderNotificationTopic,
    ImageBuilderVpcEndpoints,
    Platform,
    SecureImagePipeline,
    SecureInfrastructureConfiguration,
)
from secure_imagebuilder.nag import DataProtectionChecks

DOCUMENTS = pathlib.Path(__file__).parent / "documents"


def build(app: cdk.App, env: cdk.Environment | None = None) -> list[cdk.Stack]:
    """Builds never leave the VPC: no NAT gateway, no internet gateway, AWS reached through endpoints.

    ``env`` pins the stack's account and Region (default: environment-agnostic).
    """
    stack = cdk.Stack(app, "PrivateVpcPipeline", env=env)
    key = ImageBuilderKey(stack, "Key", alias="alias/imagebuilder-private")
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="builds", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        ],
        restrict_default_security_group=False,
    )
    flow_logs = ImageBuilderLogGroup(stack, "FlowLogs", key=key, log_group_name="/vpc/private-pipeline")
    vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs))
    harden = EncryptedComponent(
        stack,
        "Harden",
        key=key,
        name="private-harden-linux",
        version="1.0.0",
        platform=Platform.LINUX,
        path=DOCUMENTS / "harden.yaml",
    )
    recipe = EncryptedImageRecipe(
        stack,
        "Recipe",
        key=key,
        name="private-al2023",
        version="1.0.x",
        parent_image="ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        components=[harden],
    )
    infrastructure = SecureInfrastructureConfiguration(
        stack,
        "Infrastructure",
        key=key,
        name="private-al2023",
        vpc=vpc,
        notification_topic=ImageBuilderNotificationTopic(stack, "Notifications", key=key),
    )
    # The build instances reach AWS through endpoints that only they may connect to (R18).
    ImageBuilderVpcEndpoints(stack, "Endpoints", vpc=vpc, clients=[infrastructure.security_group])
    ImageBuilderAuditTrail(stack, "AuditTrail", key=key)
    SecureImagePipeline(
        stack,
        "Pipeline",
        name="private-al2023",
        recipe=recipe,
        infrastructure=infrastructure,
        cloudwatch_logs=True,
    )
    return [stack]


if __name__ == "__main__":
    app = cdk.App()
    build(app)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(), DataProtectionChecks(app))
    app.synth()
