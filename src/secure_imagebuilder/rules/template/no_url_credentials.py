"""URL1: no credentials in URLs: user-info or signed query strings (R9)."""

from __future__ import annotations

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack
from secure_imagebuilder.rules.template.no_sensitive_data import finding_name


def no_url_credentials(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per property whose text holds a URL with ``user:pass@`` or a signed query string."""
    findings = []
    for key, value in resource.props.items():
        if any(detect.url_credential_kinds(text) for text in v.strings(value) if "://" in text):
            findings.append(finding_name(str(key)))
    return findings


RULE = Rule(
    id="URL1",
    level=Level.ERROR,
    refs=("R9",),
    info="A URL in a property carries credentials (user:password@ or a signed query string).",
    explanation=(
        "R9: never put credentials in a URL given to a server; fetch from S3 with the instance role, or "
        "read the credential from Secrets Manager at run time."
    ),
    applies_to=None,
    check=no_url_credentials,
)
