import aws_cdk as cdk

from secure_imagebuilder import BuildInstanceRole, ImageBuilderKey

app = cdk.App()
stack = cdk.Stack(app, "Images")
key = ImageBuilderKey(stack, "Key")
role = BuildInstanceRole(stack, "InstanceRole", key=key)  # SSM core, component decrypt through Image Builder
