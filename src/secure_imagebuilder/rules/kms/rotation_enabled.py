"""KMS1: symmetric keys rotate their key material (R5)."""

from __future__ import annotations

from secure_imagebuilder.rules.common import judge_every_value
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Compliance, Level, Resource, Rule, RuleResult, Stack


def rotation_enabled(resource: Resource, stack: Stack) -> RuleResult:
    """Non-compliant when a symmetric key can deploy without ``EnableKeyRotation: true`` (any branch)."""
    specs = v.reach(resource.props, "KeySpec", stack=stack)
    if all(isinstance(spec, str) and spec != "SYMMETRIC_DEFAULT" for spec in specs):
        return Compliance.NOT_APPLICABLE
    return judge_every_value(v.reach(resource.props, "EnableKeyRotation", stack=stack), _not_rotating)


def _not_rotating(value: object) -> bool | None:
    if value is v.ABSENT:
        return True
    rotates = v.truthy(value)
    return None if rotates is None else not rotates


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
    unknown="A rotation flag only known at deploy time is an undecided warning naming it.",
)
