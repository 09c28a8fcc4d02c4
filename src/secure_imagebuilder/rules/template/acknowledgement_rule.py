"""ACK2: every acknowledgement of this pack names one of its rules; a misspelled one silences nothing (R4)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine import acks
from secure_imagebuilder.rules.engine.model import (
    STACK_TYPE,
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Violation,
)
from secure_imagebuilder.rules.template.acknowledgement_reason import where


def acknowledgement_rule(resource: Resource, stack: Stack) -> RuleResult:
    """Reported on the stack: one finding per acknowledged id of this pack that names no rule.

    ``DataProtection-IB01`` for ``DataProtection-IB1`` matches nothing: the finding it meant stays open, and
    this rule names the closest rule id and where the acknowledgement was written.
    """
    from secure_imagebuilder.rules.table import PACK_NAME, RULES  # the table lists this rule

    unknown = acks.unknown(stack.ack_sources, (rule.id for rule in RULES), PACK_NAME)
    findings: list[str | Violation] = []
    for ack, closest in sorted(unknown.items()):
        hint = f"did you mean {closest}? " if closest else ""
        findings.append(Violation(ack, f"It names no rule: {hint}written at: {where(stack, ack)}"))
    return findings


RULE = Rule(
    id="ACK2",
    level=Level.WARNING,
    refs=("R4",),
    info="An acknowledgement names no rule of DataProtectionChecks, so it silences nothing.",
    explanation="R4: acknowledge a rule id of docs/rules.md (the finding id a scan shows), or remove it.",
    applies_to=(STACK_TYPE,),
    check=acknowledgement_rule,
    unknown="Reads acknowledgements as written.",
)
