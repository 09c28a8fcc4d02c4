"""The single-resource constructs are their L2s (issue 14): grants, metrics and interfaces for free."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns

from conftest import make_stack
from secure_imagebuilder import (
    ImageBuilderKey,
    ImageBuilderLogBucket,
    ImageBuilderLogGroup,
    ImageBuilderNotificationTopic,
)


def test_each_is_its_l2_with_its_grants() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    bucket = ImageBuilderLogBucket(stack, "Logs", key=key)
    topic = ImageBuilderNotificationTopic(stack, "Topic", key=key)
    group = ImageBuilderLogGroup(stack, "Group", key=key, log_group_name="/ib/build")
    assert isinstance(bucket, s3.Bucket) and isinstance(topic, sns.Topic) and isinstance(group, logs.LogGroup)
    reader = iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal())
    assert bucket.grant_read(reader).success and group.grant_write(reader).success
    assert group.metric_incoming_log_events() is not None


def test_the_audit_trail_is_a_trail_beside_its_bucket() -> None:
    from aws_cdk import aws_cloudtrail as cloudtrail

    from secure_imagebuilder import ImageBuilderAuditTrail

    stack = make_stack()
    trail = ImageBuilderAuditTrail(stack, "Trail", key=ImageBuilderKey(stack, "Key"))
    assert isinstance(trail, cloudtrail.Trail)
    assert trail.trail_name.startswith("TestStackTrail")
    assert trail.bucket.node.path == "TestStack/TrailBucket"
