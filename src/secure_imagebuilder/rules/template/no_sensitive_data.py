"""SD1: no e-mail addresses, account numbers, access key ids or secrets in tags or free-form fields (R8)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack

FREE_FORM_SUFFIXES = ("name", "description", "comment", "notes")


def finding_name(key: str) -> str:
    """A property key as a finding id: first letter upper-cased, ``::`` (reserved by CDK) flattened."""
    return (key[:1].upper() + key[1:]).replace("::", ":")


def _tag_fields(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict) and v.intrinsic(value) is None:
        for key, tag_value in value.items():
            yield f"Tag:{key}", [key, tag_value]
        return
    for tag in v.as_list(value):
        key = v.render(v.get(tag, "Key")) or v.TOKEN
        yield f"Tag:{key}", [v.get(tag, "Key"), v.get(tag, "Value")]


def no_sensitive_data(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per field: ``Tag:<key>`` or the property name (``Name``, ``Description``, ...)."""
    findings = []
    for key, value in resource.props.items():
        lowered = str(key).lower()
        if lowered == "tags":
            fields = list(_tag_fields(value))
        elif lowered.endswith(FREE_FORM_SUFFIXES):
            fields = [(finding_name(str(key)), value)]
        else:
            continue
        for name, field_value in fields:
            if any(detect.sensitive_kinds(text) for text in v.strings(field_value)):
                findings.append(finding_name(name))
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
)
