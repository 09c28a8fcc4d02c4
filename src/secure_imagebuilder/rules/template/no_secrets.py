"""SEC1: no private key material or AWS secret access keys in any property (R19, R1)."""

from __future__ import annotations

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack
from secure_imagebuilder.rules.template.no_sensitive_data import finding_name


def no_secrets(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per property holding a PEM private key or something shaped like a secret access key."""
    findings = []
    for key, value in resource.props.items():
        if any(detect.secret_kinds(text) for text in v.strings(value)):
            findings.append(finding_name(str(key)))
    return findings


RULE = Rule(
    id="SEC1",
    level=Level.ERROR,
    refs=("R19", "R1"),
    info="A property holds PEM private key material or an AWS secret access key.",
    explanation=(
        "R19: private keys stay with their owner and secrets never enter templates; reference a Secrets "
        "Manager secret (dynamic reference) or keep the key on the host that uses it."
    ),
    applies_to=None,
    check=no_secrets,
)
