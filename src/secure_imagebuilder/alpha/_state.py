"""What ``apply_secure_defaults`` remembers between the construction of alpha L2s and synthesis.

One ``SecureDefaultsState`` per call: the key, the shared log bucket and notification topic (created once
per stack, on first need), the infrastructure configurations whose S3 logging the aspect still has to set on
the L1 and which use our topic (by construct path), the roles we made (instance roles by the path of their
configuration, execution roles by the path of their image or pipeline), and the keys users gave alpha
components, workflows and container recipes themselves, so that every role we made gets its grant on each
of them (both sides for a key of this app; the key-policy side printed for the owner of an imported one).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import IConstruct

from secure_imagebuilder.core import keys
from secure_imagebuilder.logs import ImageBuilderLogBucket
from secure_imagebuilder.notifications import ImageBuilderNotificationTopic

_GRANTS = {
    "component": keys.grant_component_decrypt,
    "container-recipe": keys.grant_container_recipe_decrypt,
    "workflow": keys.grant_workflow_execution,
}
"""The grant a role we made needs on the key of each kind of resource it reads (R10-R14)."""

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
    execution_roles: dict[str, iam.Role] = field(default_factory=dict)
    instance_roles: dict[str, iam.Role] = field(default_factory=dict)
    own_keys: dict[str, list[kms.IKey]] = field(default_factory=dict)
    _buckets: dict[str, s3.IBucket] = field(default_factory=dict)
    _topics: dict[str, sns.ITopic] = field(default_factory=dict)

    def use_own_key(self, kind: str, key: kms.IKey) -> None:
        """An alpha ``kind`` resource (component, workflow, container-recipe) has its own ``key``.

        Every role we made that reads such resources gets its grant on the key now, and every role we
        make later gets it when it is made (:meth:`grant_own_keys`).
        """
        found = self.own_keys.setdefault(kind, [])
        if key is self.key or any(key is known for known in found):
            return
        found.append(key)
        roles = self.execution_roles if kind == "workflow" else self.instance_roles
        for role in roles.values():
            _GRANTS[kind](key, role)

    def grant_own_keys(self, role: iam.IRole, *kinds: str) -> None:
        """Give a role we just made its grant on the users' own keys of ``kinds``."""
        for kind in kinds:
            for key in self.own_keys.get(kind, []):
                _GRANTS[kind](key, role)

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
