"""IB3: AMI distributions encrypt the AMI with a customer managed key (R5)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import keys_problem, unreadable
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack, Undecided


def distribution_kms_key(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per distribution (by region) whose AMI configuration can lack a customer managed key."""
    findings: dict[str, str | Undecided] = {}
    for distributions in v.reach(resource.props, "Distributions", stack=stack):
        if isinstance(distributions, v.Unknown):  # distributions only known at deploy time
            findings.setdefault("Distributions", Undecided("Distributions", distributions))
        for index, distribution in enumerate(
            v.as_list(distributions) if isinstance(distributions, list) else []
        ):
            region = v.render(v.get(distribution, "Region"), stack)
            label = region if region and v.HOLE not in region else f"Distribution{index}"
            for ami in v.reach(distribution, "AmiDistributionConfiguration", stack=stack):
                if isinstance(ami, v.Unknown):
                    findings.setdefault(label, Undecided(label, ami))
                if not v.is_literal_mapping(ami):  # absent: a container distribution, no AMI
                    continue
                keys = v.reach(ami, "KmsKeyId", stack=stack)
                if keys_problem(keys):
                    findings[label] = label
                elif unreadable(keys):
                    findings.setdefault(label, Undecided(label, unreadable(keys)[0]))
    return list(findings.values())


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
    unknown=(
        "A key only known at deploy time is a key outside the template; a value the model cannot read is "
        "an undecided warning."
    ),
)
