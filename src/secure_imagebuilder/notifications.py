"""``ImageBuilderNotificationTopic``: an encrypted SNS topic Image Builder publishes build results to."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from secure_imagebuilder.core import checks, permissions
from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.key import ImageBuilderKey


class ImageBuilderNotificationTopic(Construct):
    """An SNS topic encrypted with the customer key that accepts messages over TLS only.

    Creates one ``AWS::SNS::Topic`` and its ``AWS::SNS::TopicPolicy`` with:

    - SSE with the customer key (R5); the key must be in the topic's account;
    - a topic policy that denies every request without TLS (R3);
    - the key-policy statement Image Builder's service-linked role ``AWSServiceRoleForImageBuilder``
      needs to publish: ``kms:GenerateDataKey*`` and ``kms:Decrypt``, only through SNS in this Region
      (``kms:ViaService``) and this account (``kms:CallerAccount``) (R1).

    The service-linked role must exist before deployment (KMS rejects a key policy naming a missing role);
    Image Builder creates it the first time it is used, or run
    ``aws iam create-service-linked-role --aws-service-name imagebuilder.amazonaws.com``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: ImageBuilderKey,
        topic_name: str | None = None,
        key_policy_added_by_owner: bool = False,
    ) -> None:
        """Create the topic.

        :param key: the customer managed key that encrypts the messages (R5).
        :param topic_name: a physical name (no sensitive data, R8). Default: - a generated name.
        :param key_policy_added_by_owner: the key is imported and its owner adds the statement for the
            service-linked role. Default: - ``False``: an imported key is an error.
        """
        super().__init__(scope, id)
        problems = ValidationProblems(self)
        checks.validate_free_text(problems, "topic_name", topic_name)
        permissions.check_key_policy_grant(
            problems,
            key,
            what="Image Builder's service-linked role to publish",
            added_by_owner=key_policy_added_by_owner,
        )
        problems.raise_if_any()
        stack = cdk.Stack.of(self)
        key.add_to_key_policy(
            iam.PolicyStatement(
                sid="AllowImageBuilderServiceLinkedRoleToPublish",
                principals=[permissions.imagebuilder_service_linked_role(self)],
                actions=list(permissions.SNS_PUBLISH_KEY_ACTIONS),
                resources=["*"],
                conditions={
                    "StringEquals": {
                        "kms:ViaService": permissions.via_service(self, "sns"),
                        "kms:CallerAccount": stack.account,
                    }
                },
            )
        )
        self.topic = sns.Topic(self, "Resource", topic_name=topic_name, master_key=key.key, enforce_ssl=True)
        self.key = key

    @property
    def topic_arn(self) -> str:
        """The ARN of the topic."""
        return self.topic.topic_arn
