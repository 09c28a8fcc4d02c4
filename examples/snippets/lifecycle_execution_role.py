import aws_cdk as cdk

from secure_imagebuilder import LifecycleExecutionRole

app = cdk.App()
stack = cdk.Stack(app, "Images")
role = LifecycleExecutionRole(stack, "LifecycleRole")  # only EC2ImageBuilderLifecycleExecutionPolicy
