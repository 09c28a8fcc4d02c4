import aws_cdk as cdk

from secure_imagebuilder import (
    EncryptedImageRecipe,
    ImageBuilderKey,
    SecureLifecyclePolicy,
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
lifecycle = SecureLifecyclePolicy(
    stack,
    "Lifecycle",
    name="golden-images",
    recipes=[recipe],
    keep=3,  # the newest images stay; older ones go with their AMIs and snapshots
    shared_account_ids=["444455556666"],  # never deleted while shared with this account
    keep_tags={"release": "pinned"},
)
