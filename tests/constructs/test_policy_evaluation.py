"""The synthesized key and role policies, evaluated against the CloudTrail requests of the guide (R16).

The reference document shows Image Builder calling KMS for the workflow execution role with the
encryption context of the workflow: GenerateDataKey from CreateWorkflow and Decrypt from GetWorkflow.
Both must be allowed; every near miss must be denied. ``policy_eval`` documents its model and limits.
"""

from __future__ import annotations

import dataclasses

import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from conftest import make_stack
from policy_eval import ACCOUNT, PolicyEvaluator, Request
from secure_imagebuilder import ImageBuilderKey, WorkflowExecutionRole

WORKFLOW_CONTEXT = (
    f"arn:aws:imagebuilder:us-west-2:{ACCOUNT}:workflow/build/sample-encrypted-workflow/1.0.0/*"
)
COMPONENT_CONTEXT = f"arn:aws:imagebuilder:us-west-2:{ACCOUNT}:component/hello/1.0.0/1"


@pytest.fixture(scope="module")
def evaluator() -> PolicyEvaluator:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    WorkflowExecutionRole(stack, "ExecRole", key=key)
    instance = iam.Role(stack, "InstanceRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    key.grant_component_decrypt(instance)
    iam.Role(stack, "Unrelated", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    return PolicyEvaluator(Template.from_stack(stack).to_json())


def lid(evaluator: PolicyEvaluator, prefix: str) -> str:
    (found,) = [x for x in evaluator.stack.resource_types if x.startswith(prefix) and "Policy" not in x]
    return found


def cloudtrail_request(evaluator: PolicyEvaluator, action: str) -> Request:
    """The request of the guide's CloudTrail example for ``action`` (invokedBy imagebuilder)."""
    return Request(
        action=action,
        principal=evaluator.role_arn(lid(evaluator, "ExecRole")),
        resource=evaluator.key_arn(lid(evaluator, "Key")),
        context={
            "kms:EncryptionContext:aws:imagebuilder:arn": WORKFLOW_CONTEXT,
            "kms:EncryptionContext:aws-crypto-public-key": "key value",
            "aws:CalledVia": ["imagebuilder.amazonaws.com"],
        },
    )


@pytest.mark.parametrize("action", ["kms:GenerateDataKey", "kms:Decrypt"])
def test_the_cloudtrail_requests_of_the_guide_are_allowed(evaluator: PolicyEvaluator, action: str) -> None:
    request = cloudtrail_request(evaluator, action)
    key = lid(evaluator, "Key")
    assert evaluator.kms_allows(key, request)
    # Both steps of the guide hold on their own: the key policy (R13) and the role policy (R14).
    assert evaluator.identity_allows(request)


def without(context: dict[str, str | list[str]], name: str) -> dict[str, str | list[str]]:
    return {k: v for k, v in context.items() if k != name}


NEAR_MISSES = {
    "no encryption context": lambda r, e: dataclasses.replace(r, context={}),
    "another account's workflow": lambda r, e: dataclasses.replace(
        r,
        context={
            **r.context,
            "kms:EncryptionContext:aws:imagebuilder:arn": WORKFLOW_CONTEXT.replace(ACCOUNT, "444455556666"),
        },
    ),
    "a component instead of a workflow": lambda r, e: dataclasses.replace(
        r, context={**r.context, "kms:EncryptionContext:aws:imagebuilder:arn": COMPONENT_CONTEXT}
    ),
    "another context key": lambda r, e: dataclasses.replace(
        r,
        context={
            **without(r.context, "kms:EncryptionContext:aws:imagebuilder:arn"),
            "kms:EncryptionContext:aws:imagebuilder:name": WORKFLOW_CONTEXT,
        },
    ),
    "a case-changed value": lambda r, e: dataclasses.replace(
        r,
        context={
            **r.context,
            "kms:EncryptionContext:aws:imagebuilder:arn": WORKFLOW_CONTEXT.replace("workflow", "Workflow"),
        },
    ),
    "an admin action": lambda r, e: dataclasses.replace(r, action="kms:ScheduleKeyDeletion"),
    "another cryptographic action": lambda r, e: dataclasses.replace(r, action="kms:Encrypt"),
    "an unrelated role": lambda r, e: dataclasses.replace(r, principal=e.role_arn(lid(e, "Unrelated"))),
    "the build-instance role": lambda r, e: dataclasses.replace(
        r, principal=e.role_arn(lid(e, "InstanceRole"))
    ),
}


@pytest.mark.parametrize("action", ["kms:GenerateDataKey", "kms:Decrypt"])
@pytest.mark.parametrize("miss", sorted(NEAR_MISSES))
def test_near_misses_are_denied(evaluator: PolicyEvaluator, miss: str, action: str) -> None:
    request = NEAR_MISSES[miss](cloudtrail_request(evaluator, action), evaluator)
    assert not evaluator.kms_allows(lid(evaluator, "Key"), request)


def component_request(evaluator: PolicyEvaluator, **changes: object) -> Request:
    request = Request(
        action="kms:Decrypt",
        principal=evaluator.role_arn(lid(evaluator, "InstanceRole")),
        resource=evaluator.key_arn(lid(evaluator, "Key")),
        context={
            "kms:EncryptionContext:aws:imagebuilder:arn": COMPONENT_CONTEXT,
            "aws:CalledVia": ["imagebuilder.amazonaws.com"],
        },
    )
    return dataclasses.replace(request, **changes)  # type: ignore[arg-type]


def test_build_instance_decrypts_components_through_imagebuilder(evaluator: PolicyEvaluator) -> None:
    assert evaluator.kms_allows(lid(evaluator, "Key"), component_request(evaluator))


@pytest.mark.parametrize(
    "context",
    [
        {
            "kms:EncryptionContext:aws:imagebuilder:arn": COMPONENT_CONTEXT
        },  # called directly, not via Image Builder
        {
            "aws:CalledVia": ["imagebuilder.amazonaws.com"],
            "kms:EncryptionContext:aws:imagebuilder:arn": WORKFLOW_CONTEXT,
        },
        {"aws:CalledVia": ["imagebuilder.amazonaws.com"]},
    ],
    ids=["not-via-imagebuilder", "workflow-context", "no-context"],
)
def test_build_instance_near_misses_are_denied(
    evaluator: PolicyEvaluator, context: dict[str, object]
) -> None:
    assert not evaluator.kms_allows(lid(evaluator, "Key"), component_request(evaluator, context=context))


def test_build_instance_cannot_generate_data_keys(evaluator: PolicyEvaluator) -> None:
    assert not evaluator.kms_allows(
        lid(evaluator, "Key"), component_request(evaluator, action="kms:GenerateDataKey")
    )


def test_the_evaluator_itself_allows_an_unscoped_grant() -> None:
    """Guards the guards: with CDK's plain ``grant_decrypt`` the near misses would be allowed."""
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    role = iam.Role(stack, "ExecRole", assumed_by=iam.ServicePrincipal("imagebuilder.amazonaws.com"))
    key.grant_decrypt(role)
    evaluator = PolicyEvaluator(Template.from_stack(stack).to_json())
    request = dataclasses.replace(cloudtrail_request(evaluator, "kms:Decrypt"), context={})
    assert evaluator.kms_allows(lid(evaluator, "Key"), request)
