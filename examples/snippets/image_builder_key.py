import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from secure_imagebuilder import ImageBuilderKey

app = cdk.App()
stack = cdk.Stack(app, "Images")
key = ImageBuilderKey(stack, "Key", alias="alias/imagebuilder")
builders = iam.Role(stack, "Builders", assumed_by=iam.AccountRootPrincipal())
key.grant_workflow_execution(builders)  # key policy and role policy, under the workflow encryption context
