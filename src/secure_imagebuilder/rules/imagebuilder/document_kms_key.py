"""IB1: components, workflows and container recipes use a customer managed key (R5, R10, R11)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import keys_problem, unreadable
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import (
    Compliance,
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Undecided,
)


def document_kms_key(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant when ``KmsKeyId`` can deploy missing (``AWS::NoValue`` too) or as ``alias/aws/...``.

    Every value the property can take counts: ``Fn::If`` branches, a parameter's ``Default`` and
    ``AllowedValues``, a mapping's entries, ``Fn::Sub``/``Fn::Join`` over them.
    """
    values = v.reach(resource.props, "KmsKeyId", stack=stack)
    if keys_problem(values):
        return Compliance.NON_COMPLIANT
    unread = unreadable(values)
    return [Undecided("", unread[0])] if unread else Compliance.COMPLIANT


RULE = Rule(
    id="IB1",
    level=Level.ERROR,
    refs=("R5", "R10", "R11"),
    info=(
        "The Image Builder component, workflow or container recipe is not encrypted with a customer "
        "managed KMS key."
    ),
    explanation=(
        "R10/R11: set KmsKeyId to a customer managed key (EncryptedComponent, EncryptedWorkflow and "
        "EncryptedContainerRecipe take `key=`); a missing KmsKeyId or an alias/aws/... AWS managed key "
        "cannot be audited or revoked by you."
    ),
    applies_to=(
        "AWS::ImageBuilder::Component",
        "AWS::ImageBuilder::Workflow",
        "AWS::ImageBuilder::ContainerRecipe",
    ),
    check=document_kms_key,
    unknown=(
        "A key only known at deploy time (a parameter without Default or AllowedValues, an import) is a "
        "key outside the template: GRANT4 reports it for builds; a value the model cannot read is an "
        "undecided warning."
    ),
)
