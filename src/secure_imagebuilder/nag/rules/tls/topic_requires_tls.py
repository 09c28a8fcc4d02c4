"""TLS2: SNS topics deny publishing without TLS (R3)."""

from __future__ import annotations

from typing import Any

from cdk_nag import NagRuleCompliance

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView


def _denies_insecure_publish(documents: list[Any]) -> bool:
    for document in documents:
        for statement in v.statements(document):
            if v.is_allow(statement) or not v.actions_match(statement, ("sns:Publish",)):
                continue
            for operator, value in v.condition_keys(statement).get("aws:securetransport", []):
                if operator.lower() in ("bool", "boolifexists") and any(
                    v.truthy(item) is False for item in v.as_list(value)
                ):
                    return True
    return False


def topic_requires_tls(resource: Resource, stack: StackView) -> RuleResult:
    """Non-compliant unless a topic policy denies ``sns:Publish`` when ``aws:SecureTransport`` is false.

    A topic policy whose topics are all outside the stack is checked on the policy resource itself.
    """
    if resource.type == "AWS::SNS::TopicPolicy":
        if any(stack.target(t) is not None for t in v.as_list(v.get(resource.props, "Topics"))):
            return NagRuleCompliance.NOT_APPLICABLE
        documents = [v.get(resource.props, "PolicyDocument")]
    else:
        documents = stack.topic_policies.get(resource.logical_id or "", [])
    if _denies_insecure_publish(documents):
        return NagRuleCompliance.COMPLIANT
    return NagRuleCompliance.NON_COMPLIANT
