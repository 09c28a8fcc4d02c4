import aws_cdk as cdk

from secure_imagebuilder import (
    EncryptedImageRecipe,
    ImageBuilderKey,
    RecipeVolume,
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
    name="golden-al2023",
    version="1.0.x",  # Image Builder numbers each new recipe: 1.0.0, 1.0.1, ...
    parent_image=aws_managed_image(stack, "amazon-linux-2023-x86"),
    components=[aws_managed_component(stack, "update-linux")],
    volumes=[RecipeVolume(size_gib=50)],  # encrypted with the key, as every EBS mapping is
)
