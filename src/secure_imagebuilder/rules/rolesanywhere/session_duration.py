"""RA1: Roles Anywhere sessions last at most one hour unless acknowledged (R1, R19)."""

from __future__ import annotations

from secure_imagebuilder.core.thresholds import MAX_ROLES_ANYWHERE_SESSION_SECONDS as MAX_SESSION_SECONDS
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import (
    Compliance,
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Undecided,
)


def session_duration(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant when ``DurationSeconds`` can deploy above 3600 (missing means the default, 3600).

    A parameter counts with its ``Default``, each of its ``AllowedValues`` and its ``MaxValue``.
    """
    unknown = []
    for value in v.reach(resource.props, "DurationSeconds", stack=stack):
        seconds = v.number(value)
        if seconds is not None and seconds > MAX_SESSION_SECONDS:
            return Compliance.NON_COMPLIANT
        if seconds is None and value is not v.ABSENT:
            unknown.append(value)
    return [Undecided("", unknown[0])] if unknown else Compliance.COMPLIANT


RULE = Rule(
    id="RA1",
    level=Level.ERROR,
    refs=("R1", "R19"),
    info="The Roles Anywhere profile allows sessions longer than one hour.",
    explanation=(
        "R1: leave DurationSeconds unset (3600) or at most 3600; acknowledge DataProtection-RA1 with a "
        "reason if a job needs longer sessions."
    ),
    applies_to=("AWS::RolesAnywhere::Profile",),
    check=session_duration,
    unknown="A duration only known at deploy time (a parameter without bounds) is an undecided warning.",
)
