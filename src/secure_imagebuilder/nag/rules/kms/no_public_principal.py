"""KMS4: a key policy never allows `Principal: *` without a condition that limits who (R1, R5)."""

from __future__ import annotations

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView
from secure_imagebuilder.nag.rules._shared import statement_label

LIMITING_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourcevpce",
        "aws:sourcevpc",
        "aws:userid",
        "kms:calleraccount",
        "kms:viaservice",
    }
)


def no_public_principal(resource: Resource, stack: StackView) -> RuleResult:
    """One finding per Allow statement (by Sid) with a ``*`` principal and no account/principal condition."""
    findings = []
    for index, statement in enumerate(v.statements(v.get(resource.props, "KeyPolicy"))):
        if not v.is_allow(statement):
            continue
        if not any(v.is_anyone(value) for _, value in v.principals(statement)):
            continue
        if LIMITING_KEYS.isdisjoint(v.condition_keys(statement)):
            findings.append(statement_label(statement, index))
    return findings
