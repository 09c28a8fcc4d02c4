"""IAM3: roles trusted by Image Builder guard against the confused deputy (R1)."""

from __future__ import annotations

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView
from secure_imagebuilder.nag.rules._shared import statement_label, trust_statements

SCOPING_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn"})


def imagebuilder_trust_scoped(resource: Resource, stack: StackView) -> RuleResult:
    """One finding per trust statement for ``imagebuilder.amazonaws.com`` without SourceAccount/SourceArn."""
    return [
        statement_label(statement, index)
        for index, statement in trust_statements(resource, "imagebuilder.")
        if SCOPING_KEYS.isdisjoint(v.condition_keys(statement))
    ]
