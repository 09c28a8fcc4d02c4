import aws_cdk as cdk

from secure_imagebuilder import EncryptedContainerRecipe, ImageBuilderKey, aws_managed_component

app = cdk.App()
stack = cdk.Stack(app, "Containers")
key = ImageBuilderKey(stack, "Key")
recipe = EncryptedContainerRecipe(
    stack,
    "Recipe",
    key=key,
    name="golden-container",
    version="1.0.x",
    parent_image="public.ecr.aws/amazonlinux/amazonlinux:2023",
    components=[aws_managed_component(stack, "update-linux")],
)  # and a repository: encrypted with the key, immutable tags, scan on push (recipe.repository)
