"""IB4: build and test instances require IMDSv2 (R1, R5)."""

from __future__ import annotations

from cdk_nag import NagRuleCompliance

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView


def imdsv2_required(resource: Resource, stack: StackView) -> RuleResult:
    """Non-compliant unless ``InstanceMetadataOptions.HttpTokens`` is ``required`` (a token is accepted)."""
    tokens = v.get(resource.props, "InstanceMetadataOptions", "HttpTokens")
    if isinstance(tokens, str) and tokens.lower() == "required":
        return NagRuleCompliance.COMPLIANT
    if tokens is not None and not isinstance(tokens, str):
        return NagRuleCompliance.COMPLIANT
    return NagRuleCompliance.NON_COMPLIANT
