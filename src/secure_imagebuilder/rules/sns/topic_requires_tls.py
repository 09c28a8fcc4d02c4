"""TLS2: SNS topics deny publishing without TLS (R3)."""

from __future__ import annotations

from typing import Any

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Compliance, Level, Resource, Rule, RuleResult, Stack


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


def topic_requires_tls(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant unless a topic policy denies ``sns:Publish`` when ``aws:SecureTransport`` is false.

    A topic policy whose topics are all outside the stack is checked on the policy resource itself.
    """
    if resource.type == "AWS::SNS::TopicPolicy":
        if any(stack.target(t) is not None for t in v.as_list(v.get(resource.props, "Topics"))):
            return Compliance.NOT_APPLICABLE
        documents = [v.get(resource.props, "PolicyDocument")]
    else:
        documents = stack.topic_policies.get(resource.logical_id or "", [])
    if _denies_insecure_publish(documents):
        return Compliance.COMPLIANT
    return Compliance.NON_COMPLIANT


RULE = Rule(
    id="TLS2",
    level=Level.ERROR,
    refs=("R3",),
    info="The SNS topic policy does not deny sns:Publish when aws:SecureTransport is false.",
    explanation=(
        "R3: set enforce_ssl=True on sns.Topic, or add the Deny statement to the AWS::SNS::TopicPolicy."
    ),
    applies_to=("AWS::SNS::Topic", "AWS::SNS::TopicPolicy"),
    check=topic_requires_tls,
)
