"""GRANT1: each workflow key's policy lets the execution role use it for Image Builder (R13)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack
from secure_imagebuilder.rules.imagebuilder.builds import builds, grants, workflow_requests


def workflow_key_policy(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per workflow (logical id) whose key policy does not let the execution role use the key.

    The requests: ``kms:GenerateDataKey`` and ``kms:Decrypt`` under the workflow's ``aws:imagebuilder:arn``
    context, allowed by a statement of the key policy or by its delegation to the account. Keys outside the
    template are GRANT4's.
    """
    found: list[str] = []
    evaluator = grants(stack)
    for build in builds(stack):
        if build.resource is not resource or evaluator.evaluator is None:
            continue
        role = evaluator.role_arn(build.execution_role)
        for workflow in build.workflows if role else []:
            keys = evaluator.key_logical_ids(workflow.key)
            requests = workflow_requests(str(role), evaluator.arn(workflow.logical_id))
            if any(not evaluator.key_policy_allows(key, r) for key in keys for r in requests):
                found.append(workflow.logical_id)
    return found


RULE = Rule(
    id="GRANT1",
    level=Level.ERROR,
    refs=("R11", "R13"),
    info=(
        "A workflow's key policy does not let the pipeline's execution role use the key under the Image "
        "Builder encryption context: creating and reading the workflow fails, so the build never starts."
    ),
    explanation=(
        "R13: add the key-policy statement for the execution role (kms:Decrypt, kms:GenerateDataKey, "
        "Condition StringLike kms:EncryptionContext:aws:imagebuilder:arn = "
        "arn:<partition>:imagebuilder:*:<account>:workflow/*); key.grant_workflow_execution(role) adds "
        "it with the role's own statement."
    ),
    applies_to=("AWS::ImageBuilder::ImagePipeline", "AWS::ImageBuilder::Image"),
    check=workflow_key_policy,
)
