"""URL2: component and workflow documents carry no basic/bearer authorization headers or passwords (R9)."""

from __future__ import annotations

from secure_imagebuilder.core import detect
from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._model import Resource, RuleResult, StackView
from secure_imagebuilder.nag.rules.sd.no_sensitive_data import finding_name

DOCUMENT_PROPERTIES = ("data", "dockerfiletemplatedata")


def no_document_auth_header(resource: Resource, stack: StackView) -> RuleResult:
    """One finding per document property (``Data``, ``DockerfileTemplateData``) embedding a credential."""
    findings = []
    for key, value in resource.props.items():
        if str(key).lower() in DOCUMENT_PROPERTIES and any(
            detect.has_auth_header(text) for text in v.strings(value)
        ):
            findings.append(finding_name(str(key)))
    return findings
