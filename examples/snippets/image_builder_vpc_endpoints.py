import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2

from secure_imagebuilder import ImageBuilderVpcEndpoints

app = cdk.App()
stack = cdk.Stack(app, "Network")
vpc = ec2.Vpc(
    stack,
    "Vpc",
    max_azs=2,
    subnet_configuration=[
        ec2.SubnetConfiguration(name="builds", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    ],
)
endpoints = ImageBuilderVpcEndpoints(stack, "Endpoints", vpc=vpc)  # builds reach AWS without the internet
