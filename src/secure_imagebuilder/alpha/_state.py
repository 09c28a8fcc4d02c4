"""What ``apply_secure_defaults`` remembers between the construction of alpha L2s and synthesis.

One ``SecureDefaultsState`` per call: the key, the shared log bucket and notification topic (created once
per stack, on first need), the infrastructure configurations whose S3 logging the aspect still has to set on
the L1 and which use our topic (by construct path), and the execution roles we made (by the path of their
image or pipeline), so the aspect can let them publish to the topic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import IConstruct

from secure_imagebuilder.logs import ImageBuilderLogBucket
from secure_imagebuilder.notifications import ImageBuilderNotificationTopic

LOG_BUCKET_ID = "SecureDefaultsLogBucket"
"""Construct id of the shared log bucket, a direct child of the stack (construct ids are API)."""

TOPIC_ID = "SecureDefaultsNotificationTopic"
"""Construct id of the shared notification topic, a direct child of the stack."""


@dataclass
class SecureDefaultsState:
    """The key and the shared resources of one ``apply_secure_defaults`` call."""

    key: kms.IKey
    log_prefix: str
    log_bucket: s3.IBucket | None = None
    notifications: bool = True
    logging_pending: dict[str, s3.IBucket] = field(default_factory=dict)
    topic_users: dict[str, sns.ITopic] = field(default_factory=dict)
    execution_roles: dict[str, iam.IRole] = field(default_factory=dict)
    instance_roles: dict[str, iam.Role] = field(default_factory=dict)
    _buckets: dict[str, s3.IBucket] = field(default_factory=dict)
    _topics: dict[str, sns.ITopic] = field(default_factory=dict)

    def bucket_for(self, scope: IConstruct) -> s3.IBucket:
        """The log bucket given to the call, else one ``ImageBuilderLogBucket`` per stack."""
        if self.log_bucket is not None:
            return self.log_bucket
        stack = cdk.Stack.of(scope)
        path = stack.node.path
        if path not in self._buckets:
            self._buckets[path] = ImageBuilderLogBucket(stack, LOG_BUCKET_ID, key=self.key)
        return self._buckets[path]

    def topic_for(self, scope: IConstruct) -> sns.ITopic | None:
        """One ``ImageBuilderNotificationTopic`` per stack; none when notifications are off.

        The topic's key policy lets Image Builder's service-linked role publish; for an imported key that
        statement is printed for the key's owner at synth time.
        """
        if not self.notifications:
            return None
        stack = cdk.Stack.of(scope)
        path = stack.node.path
        if path not in self._topics:
            self._topics[path] = ImageBuilderNotificationTopic(stack, TOPIC_ID, key=self.key)
        return self._topics[path]
