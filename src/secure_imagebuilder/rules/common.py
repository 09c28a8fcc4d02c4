"""Small readers several rules share: customer managed keys, policy documents, statement labels."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Resource

DATA_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext")


def customer_key_problem(value: Any) -> str | None:
    """Why ``value`` is not a customer managed KMS key: ``missing``, ``aws-managed``; ``None`` if fine.

    A ``Ref``/``Fn::GetAtt`` to a key, a key ARN, an alias of the customer or any other token is
    accepted; an ``alias/aws/...`` anywhere in the value (also inside ``Fn::Join``/``Fn::Sub``/``Fn::If``)
    is an AWS managed key.
    """
    if value is None or value == "":
        return "missing"
    if any("alias/aws/" in text for text in v.strings(value)):
        return "aws-managed"
    return None


def keys_problem(values: list[Any]) -> str | None:
    """The first problem of any reachable value of a key property (see ``customer_key_problem``)."""
    for value in values:
        problem = customer_key_problem(value)
        if problem is not None:
            return problem
    return None


def scoped_to_encryption_context(statement: Mapping[str, Any]) -> bool:
    """Whether a statement is limited to one service's data: ``kms:EncryptionContext:*``/``kms:ViaService``.

    Image Builder data can only be decrypted with its exact ``aws:imagebuilder:arn`` context (R12), so a
    grant limited to another context (``aws:logs:arn``) or to requests made through another service
    (``kms:ViaService``) does not reach it; an unconditioned grant does.
    """
    keys = v.condition_keys(statement)
    return "kms:viaservice" in keys or any(key.startswith("kms:encryptioncontext:") for key in keys)


def statement_label(statement: Mapping[str, Any], index: int, prefix: str = "") -> str:
    """A finding id for a statement that never depends on its position: its ``Sid``, else a content hash.

    ``Statement-<8 hex digits>`` is the start of the SHA-256 of the statement's canonical JSON, so adding
    or reordering other statements keeps every acknowledgement matching. (``index`` is kept for callers.)
    """
    sid = v.get(statement, "Sid")
    if isinstance(sid, str) and sid:
        return f"{prefix}{sid}"
    canonical = json.dumps(statement, sort_keys=True, separators=(",", ":"), default=str)
    return f"{prefix}Statement-{hashlib.sha256(canonical.encode()).hexdigest()[:8]}"


def identity_documents(resource: Resource) -> Iterator[tuple[str, Any]]:
    """``(finding prefix, policy document)`` of an identity-based policy resource or inline policies."""
    if resource.type in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        yield "", v.get(resource.props, "PolicyDocument")
        return
    for index, policy in enumerate(v.as_list(v.get(resource.props, "Policies"))):
        name = v.get(policy, "PolicyName")
        label = name if isinstance(name, str) else f"Policy{index}"
        yield f"{label}.", v.get(policy, "PolicyDocument")


def trust_statements(resource: Resource, service: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Allow statements of a role's trust policy whose principal is ``service``."""
    document = v.get(resource.props, "AssumeRolePolicyDocument")
    for index, statement in enumerate(v.statements(document)):
        if not v.is_allow(statement):
            continue
        for kind, value in v.principals(statement):
            text = v.render(value)
            if kind == "service" and text is not None and text.lower().startswith(service):
                yield index, statement
                break


# Resource types that carry identity-based policies.
IDENTITY_POLICIES = (
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::IAM::Group",
)

# Image Builder resources that carry a document or recipe encrypted with KmsKeyId.
DOCUMENT_TYPES = (
    "AWS::ImageBuilder::Component",
    "AWS::ImageBuilder::Workflow",
    "AWS::ImageBuilder::ContainerRecipe",
)


# Properties that hold a document Image Builder runs on the build instance.
DOCUMENT_PROPERTIES = ("Data", "DockerfileTemplateData")


def document_findings(resource: Resource, matches: Callable[[str], bool]) -> list[str]:
    """The document properties (``Data``, ``DockerfileTemplateData``) whose text ``matches``."""
    return [
        name
        for name in DOCUMENT_PROPERTIES
        if name in resource.props and any(matches(text) for text in v.strings(resource.props[name]))
    ]
