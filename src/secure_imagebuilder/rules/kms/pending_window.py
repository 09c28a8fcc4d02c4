"""KMS3: a key scheduled for deletion waits the longest pending window (R15)."""

from __future__ import annotations

from secure_imagebuilder.core.thresholds import MIN_PENDING_WINDOW_DAYS
from secure_imagebuilder.rules.common import judge_every_value
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def pending_window(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant when ``PendingWindowInDays`` can deploy below 30 (missing means the default, 30)."""
    return judge_every_value(v.reach(resource.props, "PendingWindowInDays", stack=stack), _too_short)


def _too_short(value: object) -> bool | None:
    if value is v.ABSENT:
        return False
    days = v.number(value)
    return None if days is None else days < MIN_PENDING_WINDOW_DAYS


RULE = Rule(
    id="KMS3",
    level=Level.ERROR,
    refs=("R15",),
    info="The KMS key has a deletion pending window shorter than 30 days.",
    explanation=(
        "R15: leave PendingWindowInDays unset or set it to 30 so an accidental deletion can be cancelled."
    ),
    applies_to=("AWS::KMS::Key",),
    check=pending_window,
    unknown="A window only known at deploy time is an undecided warning naming it.",
)
