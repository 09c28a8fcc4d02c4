"""IB2: EBS volumes of image and container recipes are encrypted with a customer managed key (R5)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import keys_problem, unreadable
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack, Undecided


def ebs_mapping_encrypted(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per block device mapping (by device name) that can deploy unencrypted or without a CMK."""
    path: tuple[str, ...] = ("BlockDeviceMappings",)
    if resource.type == "AWS::ImageBuilder::ContainerRecipe":
        path = ("InstanceConfiguration", "BlockDeviceMappings")
    findings: dict[str, str | Undecided] = {}
    for mappings in v.reach(resource.props, *path, stack=stack):
        if isinstance(mappings, v.Unknown):  # mappings only known at deploy time
            findings.setdefault("BlockDeviceMappings", Undecided("BlockDeviceMappings", mappings))
        for index, mapping in enumerate(v.as_list(mappings) if isinstance(mappings, list) else []):
            device = v.render(v.get(mapping, "DeviceName"), stack)
            label = device if device and v.HOLE not in device else f"Mapping{index}"
            for ebs in v.reach(mapping, "Ebs", stack=stack):
                if isinstance(ebs, v.Unknown):
                    findings.setdefault(label, Undecided(label, ebs))
                if not v.is_literal_mapping(ebs):  # absent: an instance-store or suppressed mapping
                    continue
                encrypted = v.reach(ebs, "Encrypted", stack=stack)
                keys = v.reach(ebs, "KmsKeyId", stack=stack)
                if any(e is v.ABSENT or v.truthy(e) is False for e in encrypted) or keys_problem(keys):
                    findings[label] = label
                elif unreadable(keys) or any(isinstance(e, v.Unknown) for e in encrypted):
                    findings.setdefault(label, Undecided(label, next(iter(unreadable(keys)), None)))
    return list(findings.values())


RULE = Rule(
    id="IB2",
    level=Level.ERROR,
    refs=("R5",),
    info=(
        "An EBS block device mapping of the image or container recipe is not encrypted with a customer "
        "managed key."
    ),
    explanation=(
        "R5: set Ebs.Encrypted: true and Ebs.KmsKeyId to a customer managed key on every mapping "
        "(EncryptedImageRecipe does it) (BlockDeviceMappings, or InstanceConfiguration.BlockDeviceMappings "
        "for container recipes)."
    ),
    applies_to=("AWS::ImageBuilder::ImageRecipe", "AWS::ImageBuilder::ContainerRecipe"),
    check=ebs_mapping_encrypted,
    unknown=(
        "A key only known at deploy time is a key outside the template; an Encrypted flag only known at "
        "deploy time, or a value the model cannot read, is an undecided warning."
    ),
)
