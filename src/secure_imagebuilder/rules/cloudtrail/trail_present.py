"""AUD1: a stack with Image Builder resources has (or acknowledges having) a CloudTrail trail (R4, R16)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine.model import (
    STACK_TYPE,
    Compliance,
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
)


def trail_present(resource: Resource, stack: Stack) -> RuleResult:
    """Reported on the stack: non-compliant when it holds Image Builder resources but no trail that can exist.

    A trail under a ``Condition`` the value model proves false never deploys, and does not count.
    """
    if not stack.has_imagebuilder:
        return Compliance.NOT_APPLICABLE
    if stack.has_trail:
        return Compliance.COMPLIANT
    return Compliance.NON_COMPLIANT


RULE = Rule(
    id="AUD1",
    level=Level.WARNING,
    refs=("R4", "R16"),
    info="The stack holds Image Builder resources but no CloudTrail trail.",
    explanation=(
        "R4/R16: record API activity (GenerateDataKey/Decrypt by imagebuilder.amazonaws.com) with a trail "
        "(ImageBuilderAuditTrail); if an organization or another stack's trail covers this account, "
        "acknowledge DataProtection-AUD1 on the stack."
    ),
    applies_to=(STACK_TYPE,),
    check=trail_present,
    unknown="A trail under a condition that depends on input counts; one proven never to deploy does not.",
)
