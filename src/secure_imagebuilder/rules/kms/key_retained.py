"""KMS2: keys survive stack deletion and replacement (R15)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def key_retained(resource: Resource, stack: Stack) -> RuleResult:
    """Findings ``DeletionPolicy`` and ``UpdateReplacePolicy`` when either is not ``Retain``."""
    findings = []
    if resource.deletion_policy not in ("Retain", "RetainExceptOnCreate"):
        findings.append("DeletionPolicy")
    if resource.update_replace_policy != "Retain":
        findings.append("UpdateReplacePolicy")
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
)
