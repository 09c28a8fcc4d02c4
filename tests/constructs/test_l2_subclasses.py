"""The single-resource constructs are their L2s (issue 14): grants, metrics and interfaces for free, and
the logical ids they had as wrappers (a changed id would replace a bucket, topic or log group).
"""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from conftest import make_stack
from secure_imagebuilder import (
    ImageBuilderKey,
    ImageBuilderLogBucket,
    ImageBuilderLogGroup,
    ImageBuilderNotificationTopic,
)


def test_each_is_its_l2_with_its_grants_and_the_old_attribute_kept() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    bucket = ImageBuilderLogBucket(stack, "Logs", key=key)
    topic = ImageBuilderNotificationTopic(stack, "Topic", key=key)
    group = ImageBuilderLogGroup(stack, "Group", key=key, log_group_name="/ib/build")
    assert isinstance(bucket, s3.Bucket) and bucket.bucket is bucket
    assert isinstance(topic, sns.Topic) and topic.topic is topic
    assert isinstance(group, logs.LogGroup) and group.log_group is group
    reader = iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal())
    assert bucket.grant_read(reader).success and group.grant_write(reader).success
    assert group.metric_incoming_log_events() is not None


def test_the_logical_ids_are_those_of_the_wrappers() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    ImageBuilderLogBucket(stack, "Logs", key=key)
    ImageBuilderNotificationTopic(stack, "Topic", key=key)
    ImageBuilderLogGroup(stack, "Group", key=key, log_group_name="/ib/build")
    types = {lid: r["Type"] for lid, r in Template.from_stack(stack).to_json()["Resources"].items()}
    # What CDK gave an s3.Bucket/sns.Topic/logs.LogGroup named "Resource" under a plain Construct.
    assert types == {
        "KeyE447D366": "AWS::KMS::Key",
        "Logs59B087BB": "AWS::S3::Bucket",
        "LogsPolicyA40370E1": "AWS::S3::BucketPolicy",
        "TopicB198EEC5": "AWS::SNS::Topic",
        "TopicPolicy2874DD71": "AWS::SNS::TopicPolicy",
        "GroupC93D95F0": "AWS::Logs::LogGroup",
    }


def test_the_audit_trail_is_a_trail_and_keeps_its_and_its_buckets_ids() -> None:
    from aws_cdk import aws_cloudtrail as cloudtrail

    from secure_imagebuilder import ImageBuilderAuditTrail

    stack = make_stack()
    trail = ImageBuilderAuditTrail(stack, "Trail", key=ImageBuilderKey(stack, "Key"))
    assert isinstance(trail, cloudtrail.Trail) and trail.trail is trail
    assert trail.trail_name.startswith("TestStackTrail")
    types = {lid: r["Type"] for lid, r in Template.from_stack(stack).to_json()["Resources"].items()}
    # What CDK gave a Trail "Resource" and its bucket "Bucket/Resource" under a plain Construct "Trail".
    assert {lid for lid, kind in types.items() if kind != "AWS::KMS::Key"} == {
        "TrailA0C862CD",
        "TrailBucket7F7024F7",
        "TrailBucketPolicyA9210232",
    }


def test_the_deprecation_warning_names_the_users_line() -> None:
    import warnings

    stack = make_stack()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ImageBuilderLogGroup(stack, "G", key=ImageBuilderKey(stack, "K"), log_group_name="/ib/x")
        from test_documents import WORKFLOW_YAML

        from secure_imagebuilder import EncryptedWorkflow

        EncryptedWorkflow(
            stack,
            "W",
            key=ImageBuilderKey(stack, "K2"),
            name="build-wf",
            version="1.0.0",
            workflow_type="BUILD",
            data=WORKFLOW_YAML,
        )
    (warning,) = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert warning.filename == __file__
