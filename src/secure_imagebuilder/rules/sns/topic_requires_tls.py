"""TLS2: SNS topics deny publishing without TLS (R3)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import denied_in_every_alternative, resource_document, symbolic_arn
from secure_imagebuilder.rules.engine import policy as p
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.access import principals_named
from secure_imagebuilder.rules.engine.model import (
    Compliance,
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Undecided,
)


def topic_requires_tls(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant unless the topic policies deny ``sns:Publish`` when ``aws:SecureTransport`` is false.

    The requests (every principal the policies name, and a role of this account, publishing without
    TLS) are evaluated against every alternative of every topic policy: each must be explicitly denied.
    A topic policy whose topics are all outside the stack is checked on the policy resource itself.
    """
    if resource.type == "AWS::SNS::TopicPolicy":
        if any(stack.target(t) is not None for t in v.as_list(v.get(resource.props, "Topics"))):
            return Compliance.NOT_APPLICABLE
        documents = [v.get(resource.props, "PolicyDocument")]
        topic = f"arn:{p.PARTITION}:sns:{p.REGION}:{p.ACCOUNT}:witness-topic"
    else:
        documents = stack.topic_policies.get(resource.logical_id or "", [])
        topic = symbolic_arn(stack, str(resource.logical_id))
    sources = [resource_document("topic policy", document, stack) for document in documents]
    principals = principals_named(policy for source in sources for policy in source.alternatives)
    requests = [p.Request("sns:Publish", who, topic, {"aws:SecureTransport": "false"}) for who in principals]
    denied = denied_in_every_alternative(sources, requests)
    if denied is None:
        return [Undecided("", reason="a Deny depends on a value only known at deploy time")]
    return Compliance.COMPLIANT if denied else Compliance.NON_COMPLIANT


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
    unknown="A Deny whose condition or resource is only known at deploy time is an undecided warning.",
)
