"""SD1: no e-mail addresses, account numbers, access key ids or secrets in tags or free-form fields (R8)."""

from __future__ import annotations

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack
from secure_imagebuilder.rules.template.fields import Kind, finding_name, read

__all__ = ["RULE", "finding_name", "no_sensitive_data"]

# What SD1 looks for in each kind of field. Outside free text an account number is expected (ARNs,
# mappings, policies); in other properties e-mail addresses are data the resource needs (a subscription).
_KINDS = {
    Kind.FREE_TEXT: frozenset({"email", "account-id", "access-key-id", "secret-access-key", "private-key"}),
    Kind.WRITTEN: frozenset({"email", "access-key-id", "secret-access-key", "private-key"}),
    Kind.PROPERTY: frozenset(),
}


def no_sensitive_data(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per field: ``Tag:<key>``, a property name, or a section of the template.

    Free-form fields (tags, ``Name``, ``Description``, ...) hold no e-mail address, account number,
    access key id or secret; text written elsewhere in the template (parameters and their defaults,
    mappings, conditions, outputs, metadata) holds no e-mail address, access key id or secret.
    """
    findings = []
    for field, found in read(resource, stack):
        wanted = _KINDS[field.kind]
        if wanted and any(wanted.intersection(detect.sensitive_kinds(text)) for text in found):
            findings.append(field.name)
    return findings


RULE = Rule(
    id="SD1",
    level=Level.ERROR,
    refs=("R8",),
    info=(
        "A tag or free-form field (Name, Description, ChangeDescription, ...) holds an e-mail address, an "
        "AWS account number, an access key id or a secret."
    ),
    explanation=(
        "R8: tags and names are visible to anyone who can list the resource and end up in bills and logs; "
        "move the value to a parameter or secret, or reference the account through the AWS::AccountId "
        "pseudo parameter."
    ),
    applies_to=None,
    check=no_sensitive_data,
    unknown=(
        "Reads the text written in the template, with Fn::Sub/Fn::Join rendered over parameter defaults; a "
        "deploy-time part is a hole, never a pass for the literal text around it."
    ),
)
