"""IB4: build and test instances require IMDSv2 (R1, R5)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import judge_every_value
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def imdsv2_required(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant when ``InstanceMetadataOptions.HttpTokens`` can deploy as anything but ``required``.

    Absent means ``optional`` (IMDSv1 allowed); every reachable value counts (both ``Fn::If`` branches, a
    parameter's default and allowed values, a mapping's entries).
    """
    tokens = v.reach(resource.props, "InstanceMetadataOptions", "HttpTokens", stack=stack)
    return judge_every_value(tokens, _allows_imdsv1)


def _allows_imdsv1(tokens: object) -> bool | None:
    if tokens is v.ABSENT:
        return True
    return tokens != "required" if isinstance(tokens, str) else None


RULE = Rule(
    id="IB4",
    level=Level.ERROR,
    refs=("R1", "R5"),
    info="The infrastructure configuration does not require IMDSv2 on build and test instances.",
    explanation=(
        "R1/R5: set InstanceMetadataOptions.HttpTokens to `required` (SecureInfrastructureConfiguration "
        "does it) so instance credentials cannot be read through a server-side request forgery."
    ),
    applies_to=("AWS::ImageBuilder::InfrastructureConfiguration",),
    check=imdsv2_required,
    unknown="A value only known at deploy time is an undecided warning naming it.",
)
