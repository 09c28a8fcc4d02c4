import aws_cdk as cdk

from secure_imagebuilder import ImageBuilderKey, WorkflowExecutionRole

app = cdk.App()
stack = cdk.Stack(app, "Images")
key = ImageBuilderKey(stack, "Key")
role = WorkflowExecutionRole(
    stack, "ExecutionRole", key=key
)  # trusted by Image Builder for this account only
