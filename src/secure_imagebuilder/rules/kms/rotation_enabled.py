"""KMS1: symmetric keys rotate their key material (R5)."""

from __future__ import annotations

from secure_imagebuilder.rules import values as v
from secure_imagebuilder.rules.model import Compliance, Level, Resource, Rule, RuleResult, Stack


def rotation_enabled(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant when a symmetric key does not set ``EnableKeyRotation: true``."""
    spec = v.get(resource.props, "KeySpec")
    if isinstance(spec, str) and spec != "SYMMETRIC_DEFAULT":
        return Compliance.NOT_APPLICABLE
    value = v.get(resource.props, "EnableKeyRotation")
    if value is not None and v.truthy(value) is not False:
        return Compliance.COMPLIANT
    return Compliance.NON_COMPLIANT


RULE = Rule(
    id="KMS1",
    level=Level.ERROR,
    refs=("R5",),
    info="The symmetric KMS key does not rotate its key material.",
    explanation=(
        "R5: set EnableKeyRotation: true (kms.Key(enable_key_rotation=True); ImageBuilderKey does it)."
    ),
    applies_to=("AWS::KMS::Key",),
    check=rotation_enabled,
)
