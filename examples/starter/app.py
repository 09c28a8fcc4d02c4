import aws_cdk as cdk

from secure_imagebuilder import EncryptedComponent, ImageBuilderKey, Platform
from secure_imagebuilder.nag import DataProtectionChecks

HELLO = """\
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: SayHello
        action: ExecuteBash
        inputs:
          commands: ["echo hello"]
"""

app = cdk.App()
stack = cdk.Stack(app, "Images")
key = ImageBuilderKey(stack, "Key")  # a customer managed key scoped to Image Builder
EncryptedComponent(
    stack, "Hello", key=key, name="hello", version="1.0.0", platform=Platform.LINUX, data=HELLO
)
cdk.Validations.of(app).add_plugins(DataProtectionChecks(app))  # every finding shows in `cdk synth`
app.synth()
