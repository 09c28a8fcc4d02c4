"""DOC1: documents the build runs download over HTTPS, not plain http:// (R3, R9)."""

from __future__ import annotations

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.common import RUN_ON_INSTANCE_TYPES, document_findings
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def plain_http_download(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per document property that downloads over plain ``http://`` from outside the instance.

    Instance metadata (``169.254.169.254``, ``[fd00:ec2::254]``), the ECS metadata endpoint and the loopback
    interface are not findings: those requests never leave the instance. The documents of
    ``common.documents``: inline, shipped as cloud assembly assets (``Uri``), and an image recipe's user
    data decoded (``AdditionalInstanceConfiguration.UserDataOverride``).
    """
    return document_findings(resource, stack, lambda text: bool(detect.plain_http_urls(text)))


RULE = Rule(
    id="DOC1",
    level=Level.ERROR,
    refs=("R3", "R9"),
    info=(
        "A component, workflow or container-recipe document, or an image recipe's user data, downloads "
        "over plain http://."
    ),
    explanation=(
        "R3: use https:// (or an S3 URI read with the instance role) so what the build runs cannot be "
        "read or changed on the way; plain HTTP to instance metadata and localhost is fine."
    ),
    applies_to=RUN_ON_INSTANCE_TYPES,
    check=plain_http_download,
    unknown=(
        "Reads the text written in the document: literal parts of Fn::Join/Fn::Sub with parameters and "
        "mappings substituted; a deploy-time part is a hole, never a pass for the literal around it."
    ),
)
