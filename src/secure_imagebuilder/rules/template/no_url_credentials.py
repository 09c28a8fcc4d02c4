"""URL1: no credentials in URLs anywhere in the template: user-info or signed query strings (R9)."""

from __future__ import annotations

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack
from secure_imagebuilder.rules.template.fields import read


def no_url_credentials(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per field whose text holds a URL with ``user:pass@`` or a signed query string.

    The fields SEC1 reads: user data decoded, asset documents with the property that names them.
    """
    return [
        field.name
        for field, found in read(resource, stack)
        if not field.nested and any(detect.url_credential_kinds(text) for text in found if "://" in text)
    ]


RULE = Rule(
    id="URL1",
    level=Level.ERROR,
    refs=("R9",),
    info="A URL in the template carries credentials (user:password@ or a signed query string).",
    explanation=(
        "R9: never put credentials in a URL given to a server; fetch from S3 with the instance role, or "
        "read the credential from Secrets Manager at run time."
    ),
    applies_to=None,
    check=no_url_credentials,
    unknown=(
        "Reads the text written in the template, with Fn::Sub/Fn::Join rendered over parameter defaults; a "
        "deploy-time part is a hole, never a pass for the literal text around it."
    ),
)
