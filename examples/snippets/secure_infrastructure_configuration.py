import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2

from secure_imagebuilder import (
    ImageBuilderKey,
    ImageBuilderNotificationTopic,
    SecureInfrastructureConfiguration,
)

app = cdk.App()
stack = cdk.Stack(app, "Images")
key = ImageBuilderKey(stack, "Key")
vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=1)
infrastructure = SecureInfrastructureConfiguration(
    stack,
    "Infrastructure",
    key=key,
    name="golden",
    vpc=vpc,  # builds run in a private subnet, HTTPS out only, IMDSv2 required
    notification_topic=ImageBuilderNotificationTopic(stack, "Notifications", key=key),
)
