"""RA3: roles trusted by Roles Anywhere are limited by `aws:SourceArn` to a trust anchor (R1, R19)."""

from __future__ import annotations

from typing import Any

from secure_imagebuilder.rules.common import statement_label, trust_statements
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def _is_trust_anchor(value: Any) -> bool:
    attribute = v.getatt_attribute(value)
    if attribute is not None:
        return attribute == "TrustAnchorArn"
    text = v.render(value)
    if text is None:
        return False
    if text == v.TOKEN:
        return True  # a parameter or import: decided at deploy time
    return ":trust-anchor/" in text and not text.rstrip().endswith(":trust-anchor/*")


def rolesanywhere_trust_scoped(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per trust statement for ``rolesanywhere.amazonaws.com`` not limited to trust anchors."""
    findings = []
    for index, statement in trust_statements(resource, "rolesanywhere."):
        values = [value for _, value in v.condition_keys(statement).get("aws:sourcearn", [])]
        items = [item for value in values for item in v.as_list(value)]
        if not items or not all(_is_trust_anchor(item) for item in items):
            findings.append(statement_label(statement, index))
    return findings


RULE = Rule(
    id="RA3",
    level=Level.ERROR,
    refs=("R1", "R19"),
    info=("A role trusted by rolesanywhere.amazonaws.com is not limited by aws:SourceArn to a trust anchor."),
    explanation=(
        "R1/R19: add Condition ArnEquals aws:SourceArn = the trust anchor ARN "
        "(TrustAnchor.attr_trust_anchor_arn) to the trust statement (RolesAnywhereAccess does it)."
    ),
    applies_to=("AWS::IAM::Role",),
    check=rolesanywhere_trust_scoped,
)
