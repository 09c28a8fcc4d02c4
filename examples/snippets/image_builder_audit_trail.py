import aws_cdk as cdk

from secure_imagebuilder import ImageBuilderAuditTrail, ImageBuilderKey

app = cdk.App()
stack = cdk.Stack(app, "Audit")
key = ImageBuilderKey(stack, "Key")
trail = ImageBuilderAuditTrail(stack, "Trail", key=key)  # multi-Region, validated, encrypted
