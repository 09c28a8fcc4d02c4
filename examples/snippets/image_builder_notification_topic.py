import aws_cdk as cdk

from secure_imagebuilder import ImageBuilderKey, ImageBuilderNotificationTopic

app = cdk.App()
stack = cdk.Stack(app, "Images")
key = ImageBuilderKey(stack, "Key")
topic = ImageBuilderNotificationTopic(stack, "Notifications", key=key)  # an sns.Topic: the key, TLS only
