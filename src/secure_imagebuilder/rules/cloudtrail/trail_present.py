"""AUD1: a stack with Image Builder resources has (or acknowledges having) a CloudTrail trail (R4, R16)."""

from __future__ import annotations

from typing import Any

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import (
    STACK_TYPE,
    Compliance,
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Undecided,
)

TRAIL = "AWS::CloudTrail::Trail"


def trail_present(resource: Resource, stack: Stack) -> RuleResult:
    """Reported on the stack: non-compliant when it holds Image Builder resources but no trail that logs.

    A trail counts when it can exist (its ``Condition`` is not proven false) and ``IsLogging`` is true in
    every value it can deploy with: a trail deployed with logging off records nothing. A flag only known at
    deploy time leaves the rule undecided (when no other trail logs).
    """
    if not stack.has_imagebuilder:
        return Compliance.NOT_APPLICABLE
    unknown: list[Any] = []
    for trail in stack.resources:
        if trail.type != TRAIL or not v.may_exist(trail.condition, stack):
            continue
        flags = v.reach(trail.props, "IsLogging", stack=stack)
        answers = [v.truthy(flag) for flag in flags]
        if all(answers):
            return Compliance.COMPLIANT
        if False not in answers:
            unknown.append(next(flag for flag, answer in zip(flags, answers, strict=True) if answer is None))
    if unknown:
        return [Undecided("", unknown[0], "whether the trail logs is only known at deploy time")]
    return Compliance.NON_COMPLIANT


RULE = Rule(
    id="AUD1",
    level=Level.WARNING,
    refs=("R4", "R16"),
    info="The stack holds Image Builder resources but no CloudTrail trail that logs.",
    explanation=(
        "R4/R16: record API activity (GenerateDataKey/Decrypt by imagebuilder.amazonaws.com) with a trail "
        "(ImageBuilderAuditTrail); if an organization or another stack's trail covers this account, "
        "acknowledge DataProtection-AUD1 on the stack."
    ),
    applies_to=(STACK_TYPE,),
    check=trail_present,
    unknown=(
        "A trail under a condition that depends on input counts; one proven never to deploy does not. An "
        "IsLogging flag only known at deploy time is an undecided warning."
    ),
)
