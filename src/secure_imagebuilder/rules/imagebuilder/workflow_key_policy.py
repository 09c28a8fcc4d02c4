"""GRANT1: each workflow key's policy lets the execution role use it for Image Builder (R13)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack, Undecided
from secure_imagebuilder.rules.imagebuilder.builds import (
    builds,
    grants,
    required_all,
    verdict,
    workflow_requests,
)


def workflow_key_policy(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per workflow (logical id) whose key policy does not let the execution role use the key.

    The requests: ``kms:GenerateDataKey`` and ``kms:Decrypt`` under the workflow's ``aws:imagebuilder:arn``
    context, allowed by a statement of the key policy or by its delegation to the account, in every
    alternative of the template. Keys outside the template are GRANT4's; an execution role only known at
    deploy time, or a key policy that depends on one, is undecided.
    """
    found: dict[str, str | Undecided] = {}
    evaluator = grants(stack)
    for build in builds(stack):
        if build.resource is not resource:
            continue
        for role in evaluator.role_arns(build.execution_roles):
            for workflow in build.workflows:
                keys = evaluator.key_logical_ids(workflow.keys)
                if isinstance(role, v.Unknown):
                    if keys:
                        found.setdefault(workflow.logical_id, Undecided(workflow.logical_id, role))
                    continue
                requests = workflow_requests(role, evaluator.arn(workflow.logical_id))
                allowed = required_all(evaluator.key_policy_allows(key, r) for key in keys for r in requests)
                verdict(workflow.logical_id, allowed, found)
    return list(found.values())


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
    unknown=(
        "An execution role or key-policy value only known at deploy time makes the finding an undecided "
        "warning naming it; a key outside the template is GRANT4's."
    ),
)
