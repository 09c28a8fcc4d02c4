"""KMS2: keys survive stack deletion and replacement (R15)."""

from __future__ import annotations

from secure_imagebuilder.nag._model import Resource, RuleResult, StackView


def key_retained(resource: Resource, stack: StackView) -> RuleResult:
    """Findings ``DeletionPolicy`` and ``UpdateReplacePolicy`` when either is not ``Retain``."""
    findings = []
    if resource.deletion_policy not in ("Retain", "RetainExceptOnCreate"):
        findings.append("DeletionPolicy")
    if resource.update_replace_policy != "Retain":
        findings.append("UpdateReplacePolicy")
    return findings
