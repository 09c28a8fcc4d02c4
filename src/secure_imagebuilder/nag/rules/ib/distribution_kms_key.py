"""IB3: AMI distributions encrypt the AMI with a customer managed key (R5)."""

from __future__ import annotations

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView
from secure_imagebuilder.nag.rules._shared import customer_key_problem


def distribution_kms_key(resource: Resource, stack: StackView) -> RuleResult:
    """One finding per distribution (by region) whose ``AmiDistributionConfiguration`` lacks ``KmsKeyId``."""
    findings = []
    for index, distribution in enumerate(v.as_list(v.get(resource.props, "Distributions"))):
        ami = v.get(distribution, "AmiDistributionConfiguration")
        if ami is None:
            continue
        region = v.render(v.get(distribution, "Region"))
        label = region if region and region != v.TOKEN else f"Distribution{index}"
        if customer_key_problem(v.get(ami, "KmsKeyId")):
            findings.append(label)
    return findings
