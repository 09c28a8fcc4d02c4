"""GRANT4: keys outside the template are not judged; the owner must add the statement (R13, R10)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack, Undecided
from secure_imagebuilder.rules.imagebuilder.builds import (
    builds,
    grants,
)


def outside_key(resource: Resource, stack: Stack) -> RuleResult:
    """One info finding per workflow, component or container recipe encrypted with a key not in the template.

    An ARN, a parameter or an import: its key policy is unknown here, so its owner must add the statement
    for the execution role (workflows) or the build instance role (documents).
    """
    found: list[str | Undecided] = []
    evaluator = grants(stack)
    for build in builds(stack):
        if build.resource is not resource:
            continue
        for item in [*build.workflows, *build.documents]:
            if evaluator.outside_keys(item.keys) and item.logical_id not in found:
                found.append(item.logical_id)
    return found


RULE = Rule(
    id="GRANT4",
    level=Level.INFO,
    refs=("R10", "R13"),
    info=(
        "A workflow, component or container recipe of the build is encrypted with a key outside the "
        "template: its key policy cannot be checked here."
    ),
    explanation=(
        "R13/R10: the key's owner adds, to its key policy, kms:Decrypt and kms:GenerateDataKey for the "
        "execution role (workflows) or kms:Decrypt via imagebuilder.amazonaws.com for the build instance "
        "role (components), each with Condition StringLike kms:EncryptionContext:aws:imagebuilder:arn = "
        "arn:<partition>:imagebuilder:*:<account>:<workflow|component>/*; ImageBuilderKey.from_key_arn "
        "prints the statements."
    ),
    applies_to=("AWS::ImageBuilder::ImagePipeline", "AWS::ImageBuilder::Image"),
    check=outside_key,
    unknown="A key only known at deploy time is a key outside the template: this rule reports it (info).",
)
