"""IB1: components, workflows and container recipes use a customer managed key (R5, R10, R11)."""

from __future__ import annotations

from cdk_nag import NagRuleCompliance

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView
from secure_imagebuilder.nag.rules._shared import customer_key_problem


def document_kms_key(resource: Resource, stack: StackView) -> RuleResult:
    """Non-compliant when ``KmsKeyId`` is missing or names an ``alias/aws/...`` AWS managed key."""
    if customer_key_problem(v.get(resource.props, "KmsKeyId")):
        return NagRuleCompliance.NON_COMPLIANT
    return NagRuleCompliance.COMPLIANT
