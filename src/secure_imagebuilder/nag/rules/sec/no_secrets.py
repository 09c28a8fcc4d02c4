"""SEC1: no private key material or AWS secret access keys in any property (R19, R1)."""

from __future__ import annotations

from secure_imagebuilder.core import detect
from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView
from secure_imagebuilder.nag.rules.sd.no_sensitive_data import finding_name


def no_secrets(resource: Resource, stack: StackView) -> RuleResult:
    """One finding per property holding a PEM private key or something shaped like a secret access key."""
    findings = []
    for key, value in resource.props.items():
        if any(detect.secret_kinds(text) for text in v.strings(value)):
            findings.append(finding_name(str(key)))
    return findings
