import aws_cdk as cdk

from secure_imagebuilder import ImageBuilderKey, ImageBuilderLogBucket

app = cdk.App()
stack = cdk.Stack(app, "Images")
key = ImageBuilderKey(stack, "Key")
bucket = ImageBuilderLogBucket(stack, "BuildLogs", key=key)  # an s3.Bucket: SSE-KMS, versioned, TLS only
