"""KMS1: symmetric keys rotate their key material (R5)."""

from __future__ import annotations

from cdk_nag import NagRuleCompliance

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView


def rotation_enabled(resource: Resource, stack: StackView) -> RuleResult:
    """Non-compliant when a symmetric key does not set ``EnableKeyRotation: true``."""
    spec = v.get(resource.props, "KeySpec")
    if isinstance(spec, str) and spec != "SYMMETRIC_DEFAULT":
        return NagRuleCompliance.NOT_APPLICABLE
    value = v.get(resource.props, "EnableKeyRotation")
    if value is not None and v.truthy(value) is not False:
        return NagRuleCompliance.COMPLIANT
    return NagRuleCompliance.NON_COMPLIANT
