"""IB4: build and test instances require IMDSv2 (R1, R5)."""

from __future__ import annotations

from secure_imagebuilder.rules import values as v
from secure_imagebuilder.rules.model import Compliance, Level, Resource, Rule, RuleResult, Stack


def imdsv2_required(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant unless ``InstanceMetadataOptions.HttpTokens`` is ``required`` (a token is accepted)."""
    tokens = v.get(resource.props, "InstanceMetadataOptions", "HttpTokens")
    if isinstance(tokens, str) and tokens.lower() == "required":
        return Compliance.COMPLIANT
    if tokens is not None and not isinstance(tokens, str):
        return Compliance.COMPLIANT
    return Compliance.NON_COMPLIANT


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
)
