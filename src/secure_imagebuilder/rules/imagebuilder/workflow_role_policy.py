"""GRANT2: the execution role's own policies carry the workflow key grant (R14)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack, Undecided
from secure_imagebuilder.rules.imagebuilder.builds import (
    builds,
    grants,
    required_all,
    verdict,
    workflow_requests,
)


def workflow_role_policy(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per workflow (logical id) whose key the execution role's own policies do not let it use.

    Read on a role of the template: ``kms:GenerateDataKey`` and ``kms:Decrypt`` on the key ARN under the
    workflow's context, allowed by its inline and attached policies (AWS managed ones as
    rules/imagebuilder/managed.py documents them) and within its permissions boundary, in every alternative.
    A managed policy or boundary this pack does not know makes the answer undecided, never a pass.
    """
    found: dict[str, str | Undecided] = {}
    evaluator = grants(stack)
    for build in builds(stack):
        if build.resource is not resource:
            continue
        for value in build.execution_roles:
            target = stack.target(value)
            if target is None or target.type != "AWS::IAM::Role" or not target.logical_id:
                continue
            role = evaluator.arn(target.logical_id)
            for workflow in build.workflows:
                keys = evaluator.key_logical_ids(workflow.keys)
                requests = workflow_requests(role, evaluator.arn(workflow.logical_id))
                allowed = required_all(evaluator.identity_allows(r, key) for key in keys for r in requests)
                verdict(workflow.logical_id, allowed, found)
    return list(found.values())


RULE = Rule(
    id="GRANT2",
    level=Level.ERROR,
    refs=("R11", "R14"),
    info=(
        "The pipeline's execution role has no policy of its own that lets it use a workflow's key under the "
        "Image Builder encryption context: creating and reading the workflow fails, so the build never "
        "starts."
    ),
    explanation=(
        "R14: give the execution role kms:Decrypt and kms:GenerateDataKey on the key ARN with Condition "
        "StringLike kms:EncryptionContext:aws:imagebuilder:arn = "
        "arn:<partition>:imagebuilder:*:<account>:workflow/*; key.grant_workflow_execution(role) adds it "
        "with the key-policy statement."
    ),
    applies_to=("AWS::ImageBuilder::ImagePipeline", "AWS::ImageBuilder::Image"),
    check=workflow_role_policy,
    unknown=(
        "A managed policy or permissions boundary this pack does not document, or a value only known at "
        "deploy time, makes the finding an undecided warning."
    ),
)
