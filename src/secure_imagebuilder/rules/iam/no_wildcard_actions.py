"""IAM2: identity policies never allow `*` or `kms:*` (R1)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import IDENTITY_POLICIES, identity_documents, statement_label
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack

WILDCARDS = frozenset({"*", "kms:*"})


def no_wildcard_actions(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per Allow statement (by policy and Sid) with ``*``/``kms:*`` or ``NotAction``."""
    findings = []
    for prefix, document in identity_documents(resource):
        for index, statement in enumerate(v.statements(document)):
            if not v.is_allow(statement):
                continue
            actions = {a.lower() for a in v.as_list(v.get(statement, "Action")) if isinstance(a, str)}
            if actions & WILDCARDS or v.get(statement, "NotAction") is not None:
                findings.append(statement_label(statement, index, prefix))
    return findings


RULE = Rule(
    id="IAM2",
    level=Level.ERROR,
    refs=("R1",),
    info="An identity policy allows `*` or `kms:*` actions (or uses NotAction with Allow).",
    explanation="R1: list the actions the principal needs; least privilege.",
    applies_to=IDENTITY_POLICIES,
    check=no_wildcard_actions,
)
