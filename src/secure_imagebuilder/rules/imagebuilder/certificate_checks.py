"""DOC2: documents the build runs keep TLS certificate verification on (R3)."""

from __future__ import annotations

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.common import RUN_ON_INSTANCE_TYPES, document_findings
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


def certificate_checks_on(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per document property that turns TLS certificate verification off.

    ``curl -k``/``--insecure``, ``wget --no-check-certificate``, ``-SkipCertificateCheck``,
    ``ServerCertificateValidationCallback``, ``http.sslVerify false``, ``NODE_TLS_REJECT_UNAUTHORIZED=0``.
    Documents as DOC1 reads them (user data decoded, cloud assembly assets).
    """
    return document_findings(resource, stack, detect.disables_certificate_checks)


RULE = Rule(
    id="DOC2",
    level=Level.ERROR,
    refs=("R3",),
    info=(
        "A component, workflow or container-recipe document, or an image recipe's user data, turns TLS "
        "certificate verification off."
    ),
    explanation=(
        "R3: keep certificate checks on; install the CA that signs your internal endpoints into the "
        "trust store (a component step) instead of disabling verification."
    ),
    applies_to=RUN_ON_INSTANCE_TYPES,
    check=certificate_checks_on,
    unknown=(
        "Reads the text written in the document: literal parts of Fn::Join/Fn::Sub with parameters and "
        "mappings substituted; a deploy-time part is a hole, never a pass for the literal around it."
    ),
)
