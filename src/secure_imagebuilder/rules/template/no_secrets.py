"""SEC1: no private key material or AWS secret access keys anywhere in the template (R19, R1)."""

from __future__ import annotations

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack
from secure_imagebuilder.rules.template.fields import read


def no_secrets(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per field holding a PEM private key or something shaped like a secret access key.

    Every field: resource properties (with the parameter defaults and mapping entries they read) and
    metadata, and for the stack itself the parameters, mappings, conditions, outputs and the template's
    metadata; an image recipe's ``UserDataOverride`` decoded from base64, and documents shipped as cloud
    assembly assets with the property that names them (``Uri``).
    """
    return [
        field.name
        for field, found in read(resource, stack)
        if not field.nested and any(map(detect.secret_kinds, found))
    ]


RULE = Rule(
    id="SEC1",
    level=Level.ERROR,
    refs=("R19", "R1"),
    info="The template holds PEM private key material or an AWS secret access key.",
    explanation=(
        "R19: private keys stay with their owner and secrets never enter templates; reference a Secrets "
        "Manager secret (dynamic reference) or keep the key on the host that uses it. A NoEcho parameter "
        "hides the value from the console, not from the template: remove the Default."
    ),
    applies_to=None,
    check=no_secrets,
    unknown=(
        "Reads the text written in the template; a deploy-time part of a string is a hole, never a pass "
        "for the literal text around it."
    ),
)
