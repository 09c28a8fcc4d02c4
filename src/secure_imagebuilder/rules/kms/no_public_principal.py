"""KMS4: a key policy never allows `Principal: *` without a condition that limits who (R1, R5)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import statement_label
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack

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


def no_public_principal(resource: Resource, stack: Stack) -> RuleResult:
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


RULE = Rule(
    id="KMS4",
    level=Level.ERROR,
    refs=("R1", "R5"),
    info="The key policy allows any principal (`*`) without a condition that limits the caller.",
    explanation=(
        "R1: name the principals, or add a condition on aws:PrincipalAccount, aws:PrincipalOrgID, "
        "aws:SourceAccount, aws:SourceArn, kms:CallerAccount or kms:ViaService."
    ),
    applies_to=("AWS::KMS::Key",),
    check=no_public_principal,
)
