"""IB8: an AMI distribution never makes the image public (R1, R8)."""

from __future__ import annotations

from typing import Any

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack, Undecided

PUBLIC_GROUP = "all"
PATH = ("AmiDistributionConfiguration", "LaunchPermissionConfiguration", "UserGroups")
OPEN = "a launch group chosen at deploy time"


def no_public_launch_permission(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per distribution (by region) whose launch permissions can name the group ``all``.

    ``LaunchPermissionConfiguration.UserGroups`` is sent to EC2 ``ModifyImageAttribute``, where the only
    group is ``all``: every AWS account may launch the AMI, copy it and read its snapshots (EC2 User
    Guide, "Make your AMI publicly available"; Image Builder API reference,
    ``LaunchPermissionConfiguration``).
    Every value the list and each entry can take counts (a parameter's default and allowed values, both
    ``Fn::If`` branches, ``Fn::Split`` of a list parameter); an entry only known at deploy time (a
    parameter without default) may be ``all``: undecided. Source:
    https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_LaunchPermissionConfiguration.html.
    """
    findings: dict[str, str | Undecided] = {}
    for distributions in v.reach(resource.props, "Distributions", stack=stack):
        if isinstance(distributions, v.Unknown):  # distributions only known at deploy time
            findings.setdefault("Distributions", Undecided("Distributions", distributions, OPEN))
        for index, distribution in enumerate(distributions if isinstance(distributions, list) else []):
            region = v.render(v.get(distribution, "Region"), stack)
            label = region if region and v.HOLE not in region else f"Distribution{index}"
            public, open_values = _groups(v.reach(distribution, *PATH, stack=stack), stack)
            if public:
                findings[label] = label
            elif open_values:
                findings.setdefault(label, Undecided(label, open_values[0], OPEN))
    return list(findings.values())


def _groups(lists: list[Any], stack: Stack) -> tuple[bool, list[Any]]:
    """Whether any alternative names ``all``, and the entries only known at deploy time."""
    open_values: list[Any] = []
    for groups in lists:
        if isinstance(groups, v.Unknown):
            open_values.append(groups)
            continue
        for entry in v.as_list(groups):
            for value in v.alternatives(entry, stack):
                text = v.text(value)
                if text is not None and text.strip().lower() == PUBLIC_GROUP:
                    return True, []
                if isinstance(value, v.Unknown) and (value.text is None or v.HOLE in value.text):
                    open_values.append(value)
    return False, open_values


RULE = Rule(
    id="IB8",
    level=Level.ERROR,
    refs=("R1", "R8"),
    info=(
        "An AMI distribution gives the launch permission to the group 'all': every AWS account can launch "
        "and copy the image, and read everything the build baked into it."
    ),
    explanation=(
        "R1/R8: remove 'all' from LaunchPermissionConfiguration.UserGroups; share with named accounts "
        "(UserIds), an organization or OUs (OrganizationArns, OrganizationalUnitArns) instead."
    ),
    applies_to=("AWS::ImageBuilder::DistributionConfiguration",),
    check=no_public_launch_permission,
    unknown=(
        "A launch group only known at deploy time (a parameter without Default or AllowedValues, an "
        "import) may be 'all': an undecided warning naming it."
    ),
)
