"""Action lists, principals and conditions of every grant the library makes, in one place (R1).

Grants read these names so that the key policy (R13) and the identity policy (R14) can never drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import IConstruct

from secure_imagebuilder.core import defaults, suppressions, thresholds

WORKFLOW_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
"""R13/R14: what Image Builder needs to encrypt a workflow (CreateWorkflow) and read it (GetWorkflow)."""

COMPONENT_DECRYPT_ACTIONS = ("kms:Decrypt",)
"""R10: what a build instance needs to read a component encrypted with a customer managed key."""

KEY_ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:Create*",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
)
"""R13: key administrators manage the key but can neither encrypt nor decrypt with it."""


def imagebuilder_arn_pattern(scope: IConstruct, resource_type: str) -> str:
    """``arn:<partition>:imagebuilder:*:<account>:<resource_type>/*`` for the stack of ``scope``.

    Partition and account come from the stack (tokens when the stack is environment-agnostic), never
    hard-coded, so the same app deploys to any account and to the China and GovCloud partitions.
    """
    stack = cdk.Stack.of(scope)
    return f"arn:{stack.partition}:imagebuilder:*:{stack.account}:{resource_type}/*"


def encryption_context_condition(scope: IConstruct, resource_type: str) -> dict[str, dict[str, str]]:
    """R12: ``StringLike kms:EncryptionContext:aws:imagebuilder:arn`` limited to one resource type."""
    return {"StringLike": {defaults.ENCRYPTION_CONTEXT_KEY: imagebuilder_arn_pattern(scope, resource_type)}}


def called_via_imagebuilder_condition() -> dict[str, dict[str, str]]:
    """The request must come through Image Builder (as ``EC2InstanceProfileForImageBuilder`` requires)."""
    return {"ForAnyValue:StringEquals": {"aws:CalledVia": defaults.IMAGEBUILDER_SERVICE}}


SNS_PUBLISH_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")
"""What a publisher to an encrypted SNS topic needs on its key (the key-policy example of integ-sns.md)."""

SNS_ROLE_PUBLISH_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
"""The same without a wildcard, for a role's own policy (the actions integ-sns.md lists)."""

LOGS_KEY_ACTIONS = ("kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*")
"""What CloudWatch Logs needs on the key of an encrypted log group (AWS's documented key policy)."""

S3_WRITE_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
"""What a writer to an SSE-KMS bucket needs on its key (through S3 only): ``kms:GenerateDataKey``, and
``kms:Decrypt`` for multipart uploads (Amazon S3 User Guide, "Specifying server-side encryption with AWS
KMS (SSE-KMS)": multipart uploads need both)."""

EBS_KEY_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")
"""What EC2 needs on the key of an encrypted AMI to copy or launch it (on behalf of the caller)."""

EBS_GRANT_ACTIONS = ("kms:CreateGrant",)
"""EC2 creates a grant for the volumes it attaches; only for AWS resources (``kms:GrantIsForAWSResource``)."""

CLOUDTRAIL_KEY_ACTIONS = ("kms:GenerateDataKey*",)
CLOUDTRAIL_DESCRIBE_ACTIONS = ("kms:DescribeKey",)

INSTANCE_COMPONENT_ACTIONS = ("imagebuilder:GetComponent",)
"""R1: the build instance reads component documents (ours and AWS-managed ones)."""

INSTANCE_CONTAINER_RECIPE_ACTIONS = ("imagebuilder:GetContainerRecipe",)
"""R1: a container build instance reads its recipe (AWS managed policy ...ECRContainerBuilds)."""

INSTANCE_LOG_OBJECT_ACTIONS = ("s3:PutObject",)
"""R17: the build instance uploads its logs; it never reads or deletes them."""

MANAGED_ARTIFACT_BUCKETS = "ec2imagebuilder*"
"""Image Builder's own buckets, from which AWS-managed components download their artifacts."""


PRINCIPAL_ARN_INSTEAD_OF_PRINCIPAL = (
    "Principal * is limited by aws:PrincipalArn to one role of a known account, by kms:CallerAccount and by "
    "kms:ViaService: KMS rejects a key policy whose principal does not exist, and service-linked roles "
    "(and other accounts' roles) may not exist yet when the key is created."
)
"""Why a key-policy statement names its principal by ``aws:PrincipalArn`` (checkov CKV_AWS_33 skip reason)."""


def skip_any_principal_check(key: kms.IKey) -> None:
    """Record, on a key this app owns, why its policy has ``Principal: *`` statements (checkov CKV_AWS_33)."""
    resource = suppressions.default_resource(key) if isinstance(key, kms.Key) else None
    if resource is not None:
        suppressions.skip_checkov(resource, "CKV_AWS_33", PRINCIPAL_ARN_INSTEAD_OF_PRINCIPAL)


def principal_arn_statement(
    sid: str, principal_arn: str, actions: Sequence[str], conditions: dict[str, dict[str, Any]]
) -> iam.PolicyStatement:
    """A key-policy statement for a principal that may not exist yet: ``*`` limited by its ARN."""
    return iam.PolicyStatement(
        sid=sid,
        principals=[iam.AnyPrincipal()],
        actions=list(actions),
        resources=["*"],
        conditions={**conditions, "ArnEquals": {"aws:PrincipalArn": principal_arn}},
    )


def service_linked_role_arn(scope: IConstruct, service: str, role_name: str) -> str:
    """The ARN of a service-linked role of the stack's account."""
    stack = cdk.Stack.of(scope)
    return f"arn:{stack.partition}:iam::{stack.account}:role/aws-service-role/{service}/{role_name}"


def imagebuilder_service_linked_role(scope: IConstruct) -> iam.ArnPrincipal:
    """``AWSServiceRoleForImageBuilder``: it publishes to the notification topic."""
    return iam.ArnPrincipal(
        service_linked_role_arn(scope, "imagebuilder.amazonaws.com", "AWSServiceRoleForImageBuilder")
    )


def auto_scaling_service_linked_role(scope: IConstruct) -> iam.ArnPrincipal:
    """``AWSServiceRoleForAutoScaling``: it launches instances from the encrypted AMIs."""
    return iam.ArnPrincipal(
        service_linked_role_arn(scope, "autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling")
    )


def via_service(scope: IConstruct, service: str, region: str | None = None) -> str:
    """``<service>.<region>.amazonaws.com``: ``kms:ViaService`` for a call through that service."""
    stack = cdk.Stack.of(scope)
    return f"{service}.{region or stack.region}.{stack.url_suffix}"


_AWS_MANAGED_POLICY = re.compile(r":iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)")


def broad_managed_policies(text: str) -> list[str]:
    """The broad AWS managed policies (``thresholds.BROAD_MANAGED_POLICIES``) that ARNs in ``text`` name.

    ``text`` is a policy ARN, a token-bearing one (``arn:${Token[AWS.Partition.1]}:iam::aws:policy/...``)
    or resolved CloudFormation JSON; a customer managed policy of the same name is not AWS's (R1).
    """
    return [name for name in _AWS_MANAGED_POLICY.findall(text) if name in thresholds.BROAD_MANAGED_POLICIES]
