"""IB2: EBS volumes of image and container recipes are encrypted with a customer managed key (R5)."""

from __future__ import annotations

from secure_imagebuilder.rules import values as v
from secure_imagebuilder.rules._shared import customer_key_problem
from secure_imagebuilder.rules.model import Level, Resource, Rule, RuleResult, Stack


def ebs_mapping_encrypted(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per block device mapping (by device name) that is unencrypted or lacks a customer key."""
    if resource.type == "AWS::ImageBuilder::ContainerRecipe":
        mappings = v.get(resource.props, "InstanceConfiguration", "BlockDeviceMappings")
    else:
        mappings = v.get(resource.props, "BlockDeviceMappings")
    findings = []
    for index, mapping in enumerate(v.as_list(mappings)):
        ebs = v.get(mapping, "Ebs")
        if ebs is None:
            continue
        device = v.render(v.get(mapping, "DeviceName"))
        label = device if device and device != v.TOKEN else f"Mapping{index}"
        encrypted = v.truthy(v.get(ebs, "Encrypted"))
        if encrypted is False or (encrypted is None and v.get(ebs, "Encrypted") is None):
            findings.append(label)
        elif customer_key_problem(v.get(ebs, "KmsKeyId")):
            findings.append(label)
    return findings


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
)
