"""Action lists and conditions of every grant the library makes, in one place.

Grants read these names so that the key policy (R13) and the identity policy (R14) can never drift apart.
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct

from secure_imagebuilder import _defaults

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
    return {"StringLike": {_defaults.ENCRYPTION_CONTEXT_KEY: imagebuilder_arn_pattern(scope, resource_type)}}


def called_via_imagebuilder_condition() -> dict[str, dict[str, str]]:
    """The request must come through Image Builder (as ``EC2InstanceProfileForImageBuilder`` requires)."""
    return {"ForAnyValue:StringEquals": {"aws:CalledVia": _defaults.IMAGEBUILDER_SERVICE}}
