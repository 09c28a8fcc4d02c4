"""KMS3: a key scheduled for deletion waits the longest pending window (R15)."""

from __future__ import annotations

from cdk_nag import NagRuleCompliance

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView

MIN_PENDING_WINDOW_DAYS = 30


def pending_window(resource: Resource, stack: StackView) -> RuleResult:
    """Non-compliant when ``PendingWindowInDays`` is set below 30 (missing means the default, 30)."""
    days = v.get(resource.props, "PendingWindowInDays")
    if isinstance(days, str) and days.isdigit():
        days = int(days)
    if isinstance(days, int | float) and not isinstance(days, bool) and days < MIN_PENDING_WINDOW_DAYS:
        # A numeric token (a huge negative number) is never a real window.
        if days > -1e10:
            return NagRuleCompliance.NON_COMPLIANT
    return NagRuleCompliance.COMPLIANT
