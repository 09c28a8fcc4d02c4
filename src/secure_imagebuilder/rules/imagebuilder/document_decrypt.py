"""GRANT3: the build instance can decrypt its components and container recipe through Image Builder (R10)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack
from secure_imagebuilder.rules.imagebuilder.builds import builds, document_request, grants


def document_decrypt(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per component or container recipe (logical id) the build instance cannot decrypt.

    The request: ``kms:Decrypt`` under the document's context via Image Builder, allowed by the key policy
    (a statement or delegation to the account) and, when it only delegates, by the role's own policies.
    A role holding a managed policy whose KMS statements are not modelled is judged on the key policy only.
    """
    found: list[str] = []
    evaluator = grants(stack)
    for build in builds(stack):
        if build.resource is not resource or evaluator.evaluator is None or build.instance_role is None:
            continue
        role = evaluator.arn(build.instance_role)
        for document in build.documents:
            keys = evaluator.key_logical_ids(document.key)
            request = document_request(role, evaluator.arn(document.logical_id))
            modelled = evaluator.identity_is_modelled(build.instance_role)
            for key in keys:
                if not evaluator.key_policy_allows(key, request) or (
                    modelled and not evaluator.evaluator.kms_allows(key, request)
                ):
                    found.append(document.logical_id)
                    break
    return found


RULE = Rule(
    id="GRANT3",
    level=Level.ERROR,
    refs=("R10", "R12"),
    info=(
        "The build instance role cannot decrypt a component or container recipe of the build through Image "
        "Builder: the build fails when the instance downloads it."
    ),
    explanation=(
        "R10: allow the instance role kms:Decrypt on the key under the document's aws:imagebuilder:arn "
        "context, called via imagebuilder.amazonaws.com; key.grant_component_decrypt(role) "
        "(key.grant_container_recipe_decrypt(role) for container recipes) adds both sides."
    ),
    applies_to=("AWS::ImageBuilder::ImagePipeline", "AWS::ImageBuilder::Image"),
    check=document_decrypt,
)
