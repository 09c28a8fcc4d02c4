"""IAM3: roles trusted by Image Builder guard against the confused deputy (R1)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import statement_label, trust_statements
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack

SCOPING_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn"})


def imagebuilder_trust_scoped(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per trust statement for ``imagebuilder.amazonaws.com`` without SourceAccount/SourceArn."""
    return [
        statement_label(statement, index)
        for index, statement in trust_statements(resource, "imagebuilder.")
        if SCOPING_KEYS.isdisjoint(v.condition_keys(statement))
    ]


RULE = Rule(
    id="IAM3",
    level=Level.ERROR,
    refs=("R1",),
    info=(
        "A role trusted by imagebuilder.amazonaws.com has no aws:SourceAccount or aws:SourceArn condition."
    ),
    explanation=(
        "R1: add Condition StringEquals aws:SourceAccount (and/or ArnLike aws:SourceArn) to the trust "
        "statement to prevent the confused deputy problem."
    ),
    applies_to=("AWS::IAM::Role",),
    check=imagebuilder_trust_scoped,
)
