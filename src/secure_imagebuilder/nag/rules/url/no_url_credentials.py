"""URL1: no credentials in URLs: user-info or signed query strings (R9)."""

from __future__ import annotations

from secure_imagebuilder.core import detect
from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView
from secure_imagebuilder.nag.rules.sd.no_sensitive_data import finding_name


def no_url_credentials(resource: Resource, stack: StackView) -> RuleResult:
    """One finding per property whose text holds a URL with ``user:pass@`` or a signed query string."""
    findings = []
    for key, value in resource.props.items():
        if any(detect.url_credential_kinds(text) for text in v.strings(value) if "://" in text):
            findings.append(finding_name(str(key)))
    return findings
