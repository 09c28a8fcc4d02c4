"""IB6: the SNS topic of an infrastructure configuration is encrypted with a customer managed key (R5)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import keys_problem
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Compliance, Level, Resource, Rule, RuleResult, Stack


def encrypted_topic(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant when ``SnsTopicArn`` points at a topic of this stack without a customer key.

    ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub: "${Topic}"`` are followed, in every ``Fn::If`` branch; a topic
    outside the stack (an ARN string, an import) cannot be read and is accepted.
    """
    values = [x for x in v.reach(resource.props, "SnsTopicArn", parameters=stack.parameters) if x is not None]
    if not values:
        return Compliance.NOT_APPLICABLE
    for value in values:
        topic = stack.target(value)
        if topic is not None and topic.type == "AWS::SNS::Topic":
            if keys_problem(v.reach(topic.props, "KmsMasterKeyId", parameters=stack.parameters)):
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
