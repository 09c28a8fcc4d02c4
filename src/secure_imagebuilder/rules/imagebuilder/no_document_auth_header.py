"""URL2: component and workflow documents carry no basic/bearer authorization headers or passwords (R9)."""

from __future__ import annotations

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack
from secure_imagebuilder.rules.template.no_sensitive_data import finding_name

DOCUMENT_PROPERTIES = ("data", "dockerfiletemplatedata")


def no_document_auth_header(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per document property (``Data``, ``DockerfileTemplateData``) embedding a credential."""
    findings = []
    for key, value in resource.props.items():
        if str(key).lower() in DOCUMENT_PROPERTIES and any(
            detect.has_auth_header(text) for text in v.strings(value)
        ):
            findings.append(finding_name(str(key)))
    return findings


RULE = Rule(
    id="URL2",
    level=Level.ERROR,
    refs=("R9",),
    info=(
        "A component or workflow document embeds an Authorization header, `--user user:pass` or a password."
    ),
    explanation=(
        "R9: read the credential from Secrets Manager or SSM Parameter Store at build time (or pass an "
        "Image Builder parameter) instead of writing it into the document."
    ),
    applies_to=(
        "AWS::ImageBuilder::Component",
        "AWS::ImageBuilder::Workflow",
        "AWS::ImageBuilder::ContainerRecipe",
    ),
    check=no_document_auth_header,
)
