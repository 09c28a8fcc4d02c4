"""``ImageBuilderNotificationTopic``: an encrypted SNS topic Image Builder publishes build results to."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from secure_imagebuilder.core import checks, defaults, keys, permissions
from secure_imagebuilder.core.validation import ValidationProblems


class ImageBuilderNotificationTopic(sns.Topic):
    """An ``sns.Topic`` encrypted with the customer key that accepts messages over TLS only.

    Creates one ``AWS::SNS::Topic`` and its ``AWS::SNS::TopicPolicy`` with:

    - SSE with the customer key (R5); the key must be in the topic's account;
    - a topic policy that denies every request without TLS (R3);
    - the key-policy statement Image Builder's service-linked role ``AWSServiceRoleForImageBuilder``
      needs to publish (awsdocs/ec2-image-builder-user-guide, integ-sns.md "Encrypted SNS Topics"):
      ``kms:GenerateDataKey*`` and ``kms:Decrypt``, only through SNS in this Region (``kms:ViaService``)
      and this account (``kms:CallerAccount``) (R1). The role is named by ``aws:PrincipalArn`` under
      ``Principal: *``, not as the principal: KMS rejects a key policy whose principal does not exist, and
      the service-linked role appears only when Image Builder is first used, so a fresh account deploys.

    Which principal publishes when a pipeline has a workflow execution role is not documented (AWS's
    ``EC2ImageBuilderExecutionPolicy`` holds ``sns:Publish``): :meth:`grant_publish` gives that role the
    same key use and ``sns:Publish`` on this topic; :class:`SecureImagePipeline` and :class:`SecureImage`
    call it for their execution role when this is their infrastructure's ``notification_topic``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: kms.IKey,
        topic_name: str | None = None,
    ) -> None:
        """Create the topic.

        :param key: the customer managed key that encrypts the messages (R5).
        :param topic_name: a physical name (no sensitive data, R8). Default: - a generated name.
        """
        checked = keys.checked(scope, key, child_id=id)
        problems = ValidationProblems(scope, id)
        checks.validate_free_text(problems, "topic_name", topic_name)
        problems.raise_if_any()
        super().__init__(scope, id, topic_name=topic_name, master_key=checked, enforce_ssl=True)
        key = checked
        stack = cdk.Stack.of(self)
        slr = permissions.service_linked_role_arn(
            self, defaults.IMAGEBUILDER_SERVICE, "AWSServiceRoleForImageBuilder"
        )
        keys.add_to_key_policy(
            key,
            permissions.principal_arn_statement(
                "AllowImageBuilderServiceLinkedRoleToPublish",
                slr,
                permissions.SNS_PUBLISH_KEY_ACTIONS,
                {
                    "StringEquals": {
                        "kms:ViaService": permissions.via_service(self, "sns"),
                        "kms:CallerAccount": stack.account,
                    }
                },
            ),
        )
        permissions.skip_any_principal_check(key)
        self._key = key  # master_key, without a call to Node

    def grant_publish(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` (a workflow execution role) publish to the topic: ``sns:Publish`` and the key use.

        The key use is on both sides (key policy and identity policy), only through SNS in this Region.
        """
        conditions = {"StringEquals": {"kms:ViaService": permissions.via_service(self, "sns")}}
        keys.add_to_key_policy(
            self._key,
            iam.PolicyStatement(
                sid="AllowExecutionRoleToPublishNotifications",
                principals=[grantee.grant_principal],
                actions=list(permissions.SNS_ROLE_PUBLISH_KEY_ACTIONS),
                resources=["*"],
                conditions=conditions,
            ),
        )
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(permissions.SNS_ROLE_PUBLISH_KEY_ACTIONS),
            resource_arns=[keys.arn(self._key)],
            conditions=conditions,
        )
        # Not topic.grant_publish: for an encrypted topic CDK adds an unconditioned kms:GenerateDataKey*.
        return iam.Grant.add_to_principal(
            grantee=grantee, actions=["sns:Publish"], resource_arns=[self.topic_arn]
        )
