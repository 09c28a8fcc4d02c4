"""IB6: the SNS topic of an infrastructure configuration is encrypted with a customer managed key (R5)."""

from __future__ import annotations

from secure_imagebuilder.rules import values as v
from secure_imagebuilder.rules._shared import customer_key_problem
from secure_imagebuilder.rules.model import Compliance, Level, Resource, Rule, RuleResult, Stack


def encrypted_topic(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant when ``SnsTopicArn`` points at a topic of this stack without a customer key.

    A topic outside the stack (an ARN string, an import) cannot be read and is accepted.
    """
    value = v.get(resource.props, "SnsTopicArn")
    if value is None:
        return Compliance.NOT_APPLICABLE
    topic = stack.target(value)
    if topic is None or topic.type != "AWS::SNS::Topic":
        return Compliance.COMPLIANT
    if customer_key_problem(v.get(topic.props, "KmsMasterKeyId")):
        return Compliance.NON_COMPLIANT
    return Compliance.COMPLIANT


RULE = Rule(
    id="IB6",
    level=Level.ERROR,
    refs=("R5",),
    info=(
        "The infrastructure configuration notifies an SNS topic that is not encrypted with a customer "
        "managed key."
    ),
    explanation=(
        "R5: give the topic named in SnsTopicArn a KmsMasterKeyId that is a customer managed key whose "
        "policy lets Image Builder publish (ImageBuilderNotificationTopic); an alias/aws/sns key cannot be "
        "used by the service."
    ),
    applies_to=("AWS::ImageBuilder::InfrastructureConfiguration",),
    check=encrypted_topic,
)
