import aws_cdk as cdk
from aws_cdk import aws_kms as kms

from secure_imagebuilder import (
    AmiSsmParameter,
    DistributionRegion,
    ImageBuilderKey,
    SecureDistributionConfiguration,
)

app = cdk.App()
stack = cdk.Stack(app, "Images", env=cdk.Environment(account="111122223333", region="us-east-1"))
key = ImageBuilderKey(stack, "Key")
# KMS keys are regional: the copy in us-west-2 is encrypted with a key of that Region.
replica = kms.Key.from_key_arn(
    stack, "Replica", "arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"
)
distribution = SecureDistributionConfiguration(
    stack,
    "Distribution",
    key=key,
    name="golden",
    regions=[DistributionRegion("us-east-1"), DistributionRegion("us-west-2", key=replica)],
    launch_permission_account_ids=["444455556666"],
    # Launch templates read the newest AMI's id by name instead of a hard-coded id.
    ssm_parameters=[AmiSsmParameter("/images/golden/latest")],
)
