"""AUD1: a stack with Image Builder resources has (or acknowledges having) a CloudTrail trail (R4, R16)."""

from __future__ import annotations

from cdk_nag import NagRuleCompliance

from secure_imagebuilder.nag._model import Resource, RuleResult, StackView


def trail_present(resource: Resource, stack: StackView) -> RuleResult:
    """Reported on the stack: non-compliant when it holds Image Builder resources but no trail."""
    if not stack.has_imagebuilder:
        return NagRuleCompliance.NOT_APPLICABLE
    if stack.has_trail:
        return NagRuleCompliance.COMPLIANT
    return NagRuleCompliance.NON_COMPLIANT
