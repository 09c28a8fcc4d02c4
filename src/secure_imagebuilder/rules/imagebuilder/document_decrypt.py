"""GRANT3: the build instance can decrypt its components and container recipe through Image Builder (R10)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack, Undecided
from secure_imagebuilder.rules.imagebuilder.builds import (
    builds,
    document_request,
    grants,
    required_all,
    verdict,
)


def document_decrypt(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per component or container recipe (logical id) the build instance cannot decrypt.

    The request: ``kms:Decrypt`` under the document's context via Image Builder, decided by KMS's rules
    for both sides (the key policy allows it directly, or delegates to the account and the role's own
    policies, within its boundary, allow it), in every alternative of the template. A managed policy this
    pack does not know makes the answer undecided, never a pass.
    """
    found: dict[str, str | Undecided] = {}
    evaluator = grants(stack)
    for build in builds(stack):
        if build.resource is not resource:
            continue
        for role_id in build.instance_roles:
            role = evaluator.arn(role_id)
            for document in build.documents:
                request = document_request(role, evaluator.arn(document.logical_id))
                keys = evaluator.key_logical_ids(document.keys)
                verdict(
                    document.logical_id, required_all(evaluator.allows(request, key) for key in keys), found
                )
    return list(found.values())


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
    unknown=(
        "A managed policy or permissions boundary this pack does not document, or a value only known at "
        "deploy time, makes the finding an undecided warning."
    ),
)
