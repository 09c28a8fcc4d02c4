import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2

from secure_imagebuilder import (
    EncryptedImageRecipe,
    ImageBuilderKey,
    SecureImage,
    SecureInfrastructureConfiguration,
    aws_managed_component,
    aws_managed_image,
)

app = cdk.App()
stack = cdk.Stack(app, "Images")
key = ImageBuilderKey(stack, "Key")
recipe = EncryptedImageRecipe(
    stack,
    "Recipe",
    key=key,
    name="golden",
    version="1.0.x",
    parent_image=aws_managed_image(stack, "amazon-linux-2023-x86"),
    components=[aws_managed_component(stack, "update-linux")],
)
vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=1)
infrastructure = SecureInfrastructureConfiguration(stack, "Infrastructure", key=key, name="golden", vpc=vpc)
image = SecureImage(
    stack, "Image", recipe=recipe, infrastructure=infrastructure
)  # built when the stack deploys
