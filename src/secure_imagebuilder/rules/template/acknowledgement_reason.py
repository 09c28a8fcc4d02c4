"""ACK1: every acknowledgement gives a reason; one without a reason silences nothing (R4)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine.model import (
    STACK_TYPE,
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Violation,
)


def where(stack: Stack, ack: str) -> str:
    """Where an acknowledgement was written: construct paths or logical ids, ``the app`` for the app."""
    places = sorted(place or "the app" for place in stack.ack_sources.get(ack, set()))
    return ", ".join(places) or stack.path


def acknowledgement_reason(resource: Resource, stack: Stack) -> RuleResult:
    """Reported on the stack: one finding per acknowledged id written without a reason, naming where.

    cdk-nag requires a reason for every acknowledgement; so do we: without one it acknowledges nothing
    (the finding it names stays open) and this rule says where it was written.
    """
    without = {ack for ack, reason in stack.acks.items() if reason is None}
    for item in stack.resources:
        without.update(ack for ack, reason in item.acks.items() if reason is None)
    return [Violation(ack, f"Written without a reason at: {where(stack, ack)}") for ack in sorted(without)]


RULE = Rule(
    id="ACK1",
    level=Level.WARNING,
    refs=("R4",),
    info="An acknowledgement has no reason, so it silences nothing.",
    explanation=(
        "R4: every exception must say why, so a reviewer can audit it: give the acknowledgement a reason "
        "(Acknowledgment(id=..., reason=...), or rules_to_suppress: [{id, reason}])."
    ),
    applies_to=(STACK_TYPE,),
    check=acknowledgement_reason,
    unknown="Reads acknowledgements as written; a reason that is not a non-empty string is no reason.",
)
