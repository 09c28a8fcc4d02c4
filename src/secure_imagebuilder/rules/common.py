"""Readers several checks share: keys, policy documents of a resource, documents the build runs.

Every value is read through the value model (``engine.values``); every access question through the
evaluator (``engine.policy``, ``engine.access``).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from secure_imagebuilder.rules.engine import policy as p
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Compliance, Resource, RuleResult, Stack, Undecided
from secure_imagebuilder.rules.template.fields import user_data

DATA_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext")
_AWS_MANAGED_ALIAS = re.compile(r"(?:^|[:/])alias/aws/")


def key_problem(value: Any) -> str | None:
    """Why one value of a KMS key property is not a customer managed key: ``missing``, ``aws-managed``.

    ``None`` when it is one (a ``Ref``/``Fn::GetAtt`` of a key, a key ARN, a customer alias) or names a key
    outside the template only known at deploy time (its owner's policy decides; GRANT4 reports it).
    ``alias/aws/...`` in any literal part of the value (a parameter default, a mapping, ``Fn::Sub``) is an
    AWS managed key.
    """
    if value is v.ABSENT or value == "":
        return "missing"
    written = v.text(value)
    if written is not None and _AWS_MANAGED_ALIAS.search(written):
        return "aws-managed"
    return None


def keys_problem(values: list[Any]) -> str | None:
    """The first problem of any reachable value of a key property (see :func:`key_problem`)."""
    for value in values:
        problem = key_problem(value)
        if problem is not None:
            return problem
    return None


def unreadable(values: list[Any]) -> list[v.Unknown]:
    """The values the model could not read because of its own limits (not a deploy-time choice)."""
    return [value for value in values if isinstance(value, v.Unknown) and not value.specific]


def judge_every_value(values: Iterable[Any], insecure: Callable[[Any], bool | None]) -> RuleResult:
    """A one-property rule's result over every value the property can deploy as.

    ``insecure(value)`` is ``True`` for a value that breaks the rule, ``False`` for one that keeps it and
    ``None`` for one it cannot judge. One insecure value is enough to be non-compliant; otherwise the first
    value it cannot judge is an undecided warning naming it.
    """
    undecided = []
    for value in values:
        verdict = insecure(value)
        if verdict:
            return Compliance.NON_COMPLIANT
        if verdict is None:
            undecided.append(value)
    return [Undecided("", undecided[0])] if undecided else Compliance.COMPLIANT


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
# What the document rules read: the documents, and an image recipe's user data (run at launch).
RUN_ON_INSTANCE_TYPES = (*DOCUMENT_TYPES, "AWS::ImageBuilder::ImageRecipe")


_DOCUMENTS: weakref.WeakKeyDictionary[Resource, list[tuple[str, list[str]]]] = weakref.WeakKeyDictionary()


def documents(resource: Resource, stack: Stack) -> list[tuple[str, list[str]]]:
    """Each text the build instance runs, by the property that holds it (read once for the document rules).

    ``Data`` and ``DockerfileTemplateData`` as written (every alternative); a ``Uri`` or
    ``DockerfileTemplateUri`` document shipped as an asset of the cloud assembly (``Resource.documents``);
    an image recipe's ``AdditionalInstanceConfiguration.UserDataOverride`` decoded from base64.
    """
    found = _DOCUMENTS.get(resource)
    if found is None:
        found = [
            (name, list(v.texts(resource.props[name], stack)))
            for name in DOCUMENT_PROPERTIES
            if name in resource.props
        ]
        found.extend((name, [text]) for name, text in resource.documents.items())
        found.extend(user_data(resource, stack))
        _DOCUMENTS[resource] = found
    return found


def document_findings(resource: Resource, stack: Stack, matches: Callable[[str], bool]) -> list[str]:
    """The properties (see :func:`documents`) whose text ``matches``."""
    return [name for name, found in documents(resource, stack) if any(map(matches, found))]


@dataclass(frozen=True)
class Document:
    """One identity or resource policy document of a resource: its finding prefix and every alternative."""

    prefix: str
    source: p.Source


def identity_documents(resource: Resource, stack: Stack) -> Iterator[Document]:
    """The identity-based policy documents of a policy resource or a role's/user's/group's inline policies."""
    if resource.type in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        document = v.get(resource.props, "PolicyDocument")
        yield Document(
            "", p.document_alternatives(str(resource.logical_id), document, stack, resource_based=False)
        )
        return
    for index, inline in enumerate(v.as_list(v.get(resource.props, "Policies"))):
        name = v.get(inline, "PolicyName")
        label = name if isinstance(name, str) else f"Policy{index}"
        document = v.get(inline, "PolicyDocument")
        yield Document(f"{label}.", p.document_alternatives(label, document, stack, resource_based=False))


def resource_document(label: str, document: Any, stack: Stack) -> p.Source:
    """A resource policy (key, trust, bucket, topic) with every alternative, statements labelled."""
    return p.document_alternatives(label, document, stack, resource_based=True)


def exposures_found(exposures: list[Any], prefix: str = "") -> list[str | Undecided]:
    """Finding suffixes from ``access`` answers: a violation where the adversary succeeds, else undecided."""
    sure = {f"{prefix}{e.label}" for e in exposures if e.allowed is True}
    unknown: dict[str, Any] = {}  # label -> the value that leaves it undecided (run names it, redacted)
    for e in exposures:
        label = f"{prefix}{e.label}"
        if e.allowed is None and label not in sure and unknown.get(label) is None:
            unknown[label] = e.unknown
    return [
        *sorted(sure),
        *(
            Undecided(label, unknown[label], "a value only known at deploy time decides it")
            for label in sorted(unknown)
        ),
    ]


_ARNS: weakref.WeakKeyDictionary[Stack, dict[str, str]] = weakref.WeakKeyDictionary()


def symbolic_arn(stack: Stack, logical_id: str) -> str:
    """The ARN a resource of the stack has in the evaluator's view (cached per stack)."""
    arns = _ARNS.setdefault(stack, {})
    if logical_id not in arns:
        found = v.resolved({"Fn::GetAtt": [logical_id, "Arn"]}, stack)
        value = found[0].value if found else None
        kind = stack.resource_types.get(logical_id, "")
        arns[logical_id] = value if isinstance(value, str) else v.arn_of(logical_id, kind)
    return arns[logical_id]


def denied_in_every_alternative(sources: list[p.Source], requests: list[p.Request]) -> p.Tri:
    """Whether resource policies explicitly deny every request, in every alternative of every policy.

    ``False`` when no policy denies a request in some alternative; ``None`` when a Deny depends on a
    value only known at deploy time.
    """
    result: p.Tri = True
    for request in requests:
        context = request.full_context()
        outcomes: list[p.Tri] = []
        for combination in p.combinations(sources):
            verdicts = [p.judge(policy, request, context) for policy in combination]
            if any(verdict.denies for verdict in verdicts):
                outcomes.append(True)
            elif any(verdict.maybe_denies for verdict in verdicts):
                outcomes.append(None)
            else:
                outcomes.append(False)
        result = p.all_of([result, p.all_of(outcomes) if outcomes else False])
    return result
