import aws_cdk as cdk

from secure_imagebuilder import ImageBuilderKey, ImageBuilderLogGroup

app = cdk.App()
stack = cdk.Stack(app, "Images")
key = ImageBuilderKey(stack, "Key")
log_group = ImageBuilderLogGroup(stack, "Logs", key=key, log_group_name="/aws/imagebuilder/golden")
