"""IB2: EBS volumes of image and container recipes are encrypted with a customer managed key (R5)."""

from __future__ import annotations

from collections.abc import Mapping

from secure_imagebuilder.rules.common import keys_problem
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def ebs_mapping_encrypted(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per block device mapping (by device name) that can deploy unencrypted or without a CMK."""
    if resource.type == "AWS::ImageBuilder::ContainerRecipe":
        mappings = v.get(resource.props, "InstanceConfiguration", "BlockDeviceMappings")
    else:
        mappings = v.get(resource.props, "BlockDeviceMappings")
    findings = []
    for index, mapping in enumerate(v.as_list(mappings)):
        ebs_values = [
            e for e in v.reach(mapping, "Ebs", parameters=stack.parameters) if isinstance(e, Mapping)
        ]
        if not ebs_values:
            continue
        device = v.render(v.get(mapping, "DeviceName"))
        label = device if device and device != v.TOKEN else f"Mapping{index}"
        for ebs in ebs_values:
            encrypted = v.reach(ebs, "Encrypted", parameters=stack.parameters)
            if any(e is None or v.truthy(e) is False for e in encrypted) or keys_problem(
                v.reach(ebs, "KmsKeyId", parameters=stack.parameters)
            ):
                findings.append(label)
                break
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
