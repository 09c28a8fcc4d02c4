"""KMS2: keys survive stack deletion and replacement (R15)."""

from __future__ import annotations

from typing import Any

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack, Undecided

_KEPT = {"DeletionPolicy": ("Retain", "RetainExceptOnCreate"), "UpdateReplacePolicy": ("Retain",)}


def key_retained(resource: Resource, stack: Stack) -> RuleResult:
    """Findings ``DeletionPolicy`` and ``UpdateReplacePolicy`` when either can deploy as anything but Retain.

    Both attributes are read through the value model (CloudFormation accepts ``Fn::If`` and parameters in
    them); missing means Delete.
    """
    findings: list[str | Undecided] = []
    written: dict[str, Any] = {
        "DeletionPolicy": resource.deletion_policy,
        "UpdateReplacePolicy": resource.update_replace_policy,
    }
    for name, value in written.items():
        values = v.alternatives(value, stack)
        if any(isinstance(item, str | type(None)) and item not in _KEPT[name] for item in values):
            findings.append(name)
        elif any(not isinstance(item, str) for item in values):
            findings.append(Undecided(name, next(i for i in values if not isinstance(i, str))))
    return findings


RULE = Rule(
    id="KMS2",
    level=Level.ERROR,
    refs=("R15",),
    info="The KMS key is deleted when the stack is deleted or the key is replaced.",
    explanation=(
        "R15: deleting the key makes everything it encrypted unreadable; set DeletionPolicy and "
        "UpdateReplacePolicy to Retain (removal_policy=RemovalPolicy.RETAIN)."
    ),
    applies_to=("AWS::KMS::Key",),
    check=key_retained,
    unknown="A policy only known at deploy time is an undecided warning naming it.",
)
