"""DOC3: documents the build runs use TLS 1.2 or newer (R3)."""

from __future__ import annotations

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.common import RUN_ON_INSTANCE_TYPES, document_findings
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def tls_1_2_or_newer(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per document property that forces a protocol older than TLS 1.2.

    ``[Net.ServicePointManager]::SecurityProtocol = ... Tls``/``Tls11``/``Ssl3``,
    ``curl --tlsv1.0``/``--tlsv1.1``/``--tls-max 1.1``. Documents as DOC1 reads them (user data decoded,
    cloud assembly assets).
    """
    return document_findings(resource, stack, detect.forces_old_tls)


RULE = Rule(
    id="DOC3",
    level=Level.ERROR,
    refs=("R3",),
    info=(
        "A component, workflow or container-recipe document, or an image recipe's user data, forces a "
        "protocol older than TLS 1.2."
    ),
    explanation="R3: require TLS 1.2 or newer (SecurityProtocol = Tls12, or Tls12 | Tls13; curl --tlsv1.2).",
    applies_to=RUN_ON_INSTANCE_TYPES,
    check=tls_1_2_or_newer,
    unknown=(
        "Reads the text written in the document: literal parts of Fn::Join/Fn::Sub with parameters and "
        "mappings substituted; a deploy-time part is a hole, never a pass for the literal around it."
    ),
)
