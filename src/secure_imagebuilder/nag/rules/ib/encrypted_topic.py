"""IB6: the SNS topic of an infrastructure configuration is encrypted with a customer managed key (R5)."""

from __future__ import annotations

from cdk_nag import NagRuleCompliance

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView
from secure_imagebuilder.nag.rules._shared import customer_key_problem


def encrypted_topic(resource: Resource, stack: StackView) -> RuleResult:
    """Non-compliant when ``SnsTopicArn`` points at a topic of this stack without a customer key.

    A topic outside the stack (an ARN string, an import) cannot be read and is accepted.
    """
    value = v.get(resource.props, "SnsTopicArn")
    if value is None:
        return NagRuleCompliance.NOT_APPLICABLE
    topic = stack.target(value)
    if topic is None or topic.type != "AWS::SNS::Topic":
        return NagRuleCompliance.COMPLIANT
    if customer_key_problem(v.get(topic.props, "KmsMasterKeyId")):
        return NagRuleCompliance.NON_COMPLIANT
    return NagRuleCompliance.COMPLIANT
