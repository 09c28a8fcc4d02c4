"""RA1: Roles Anywhere sessions last at most one hour unless acknowledged (R1, R19)."""

from __future__ import annotations

from secure_imagebuilder.core.thresholds import MAX_ROLES_ANYWHERE_SESSION_SECONDS as MAX_SESSION_SECONDS
from secure_imagebuilder.rules.common import judge_every_value
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def session_duration(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant when ``DurationSeconds`` can deploy above 3600 (missing means the default, 3600).

    A parameter counts with its ``Default``, each of its ``AllowedValues`` and its ``MaxValue``.
    """
    return judge_every_value(v.reach(resource.props, "DurationSeconds", stack=stack), _too_long)


def _too_long(value: object) -> bool | None:
    if value is v.ABSENT:
        return False
    seconds = v.number(value)
    return None if seconds is None else seconds > MAX_SESSION_SECONDS


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
