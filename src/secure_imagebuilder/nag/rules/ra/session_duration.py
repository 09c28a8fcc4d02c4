"""RA1: Roles Anywhere sessions last at most one hour unless acknowledged (R1, R19)."""

from __future__ import annotations

from cdk_nag import NagRuleCompliance

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView

MAX_SESSION_SECONDS = 3600


def session_duration(resource: Resource, stack: StackView) -> RuleResult:
    """Non-compliant when ``DurationSeconds`` is above 3600 (missing means the service default, 3600)."""
    seconds = v.get(resource.props, "DurationSeconds")
    if isinstance(seconds, str) and seconds.isdigit():
        seconds = int(seconds)
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > MAX_SESSION_SECONDS:
        return NagRuleCompliance.NON_COMPLIANT
    return NagRuleCompliance.COMPLIANT
