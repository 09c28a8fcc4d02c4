"""IB6: the SNS topic of an infrastructure configuration is encrypted with a customer managed key (R5)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import keys_problem
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import (
    Compliance,
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Undecided,
)


def encrypted_topic(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant when ``SnsTopicArn`` can point at a topic of this stack without a customer key.

    ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub: "${Topic}"`` are followed in every alternative; a topic outside
    the stack (an ARN, a parameter, an import) cannot be read here: an undecided warning names it.
    """
    values = [x for x in v.reach(resource.props, "SnsTopicArn", stack=stack) if x is not v.ABSENT]
    if not values:
        return Compliance.NOT_APPLICABLE
    outside = []
    for value in values:
        topic = stack.target(value)
        if topic is not None and topic.type == "AWS::SNS::Topic":
            if keys_problem(v.reach(topic.props, "KmsMasterKeyId", stack=stack)):
                return Compliance.NON_COMPLIANT
        else:
            outside.append(value)
    if outside:
        return [Undecided("", outside[0], "the topic is outside the template: its encryption cannot be read")]
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
    unknown=(
        "A topic outside the template (an ARN, a parameter, an import) is an undecided warning naming it: "
        "its encryption cannot be read here."
    ),
)
