"""RA1: Roles Anywhere sessions last at most one hour unless acknowledged (R1, R19)."""

from __future__ import annotations

from secure_imagebuilder.rules import values as v
from secure_imagebuilder.rules.model import Compliance, Level, Resource, Rule, RuleResult, Stack

MAX_SESSION_SECONDS = 3600


def session_duration(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant when ``DurationSeconds`` is above 3600 (missing means the service default, 3600)."""
    seconds = v.get(resource.props, "DurationSeconds")
    if isinstance(seconds, str) and seconds.isdigit():
        seconds = int(seconds)
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > MAX_SESSION_SECONDS:
        return Compliance.NON_COMPLIANT
    return Compliance.COMPLIANT


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
)
