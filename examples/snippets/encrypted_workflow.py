import aws_cdk as cdk

from secure_imagebuilder import EncryptedWorkflow, ImageBuilderKey, WorkflowType

BUILD = """\
schemaVersion: 1.0
steps:
  - name: LaunchBuildInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: ssmAgent
"""

app = cdk.App()
stack = cdk.Stack(app, "Images")
key = ImageBuilderKey(stack, "Key")
workflow = EncryptedWorkflow(
    stack, "Build", key=key, name="build", version="1.0.0", workflow_type=WorkflowType.BUILD, data=BUILD
)
