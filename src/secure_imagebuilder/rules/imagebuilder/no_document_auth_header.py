"""URL2: component and workflow documents carry no basic/bearer authorization headers or passwords (R9)."""

from __future__ import annotations

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.common import RUN_ON_INSTANCE_TYPES, document_findings
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def no_document_auth_header(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per document property (``Data``, ``DockerfileTemplateData``) embedding a credential.

    The documents of ``common.documents``: inline, shipped as cloud assembly assets (``Uri``), and an
    image recipe's user data decoded (``AdditionalInstanceConfiguration.UserDataOverride``).
    """
    return document_findings(resource, stack, detect.has_auth_header)


RULE = Rule(
    id="URL2",
    level=Level.ERROR,
    refs=("R9",),
    info=(
        "A component or workflow document, or an image recipe's user data, embeds an Authorization header, "
        "`--user user:pass` or a password."
    ),
    explanation=(
        "R9: read the credential from Secrets Manager or SSM Parameter Store at build time (or pass an "
        "Image Builder parameter) instead of writing it into the document."
    ),
    applies_to=RUN_ON_INSTANCE_TYPES,
    check=no_document_auth_header,
    unknown=(
        "Reads the text written in the document: literal parts of Fn::Join/Fn::Sub with parameters and "
        "mappings substituted; a deploy-time part is a hole, never a pass for the literal around it."
    ),
)
