"""IB3: AMI distributions encrypt the AMI with a customer managed key (R5)."""

from __future__ import annotations

from collections.abc import Mapping

from secure_imagebuilder.rules.common import keys_problem
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def distribution_kms_key(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per distribution (by region) whose AMI configuration can lack ``KmsKeyId``."""
    findings = []
    for index, distribution in enumerate(v.as_list(v.get(resource.props, "Distributions"))):
        region = v.render(v.get(distribution, "Region"))
        label = region if region and region != v.TOKEN else f"Distribution{index}"
        for ami in v.reach(distribution, "AmiDistributionConfiguration", parameters=stack.parameters):
            if isinstance(ami, Mapping) and keys_problem(
                v.reach(ami, "KmsKeyId", parameters=stack.parameters)
            ):
                findings.append(label)
                break
    return findings


RULE = Rule(
    id="IB3",
    level=Level.ERROR,
    refs=("R5",),
    info="An AMI distribution does not encrypt the output AMI with a customer managed key.",
    explanation=(
        "R5: set AmiDistributionConfiguration.KmsKeyId for every region (SecureDistributionConfiguration "
        "does it); the key policy must let the target accounts use the key."
    ),
    applies_to=("AWS::ImageBuilder::DistributionConfiguration",),
    check=distribution_kms_key,
)
