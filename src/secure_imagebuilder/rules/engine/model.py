"""What the rules read and what they report: resources, stacks, rules, findings. Pure Python.

Every front end (the cdk-nag plugin, the scanner, the test helpers) turns CloudFormation templates into
``Stack`` objects; ``rules.engine.evaluate`` runs the rule table over them and returns ``Finding``s.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from secure_imagebuilder.rules.engine import values as v

# The pseudo resource type under which a stack's own tags and stack-wide checks are evaluated.
STACK_TYPE = "Stack"
# Image Builder resources whose KmsKeyId encrypts data under the `aws:imagebuilder:arn` context (R12).
IMAGEBUILDER_CONTEXT_TYPES = (
    "AWS::ImageBuilder::Component",
    "AWS::ImageBuilder::Workflow",
    "AWS::ImageBuilder::ContainerRecipe",
)


class Level(enum.Enum):
    """How a finding is treated: errors fail ``cdk synth`` and the scanner; warnings are printed."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Compliance(enum.Enum):
    """A rule's verdict on one resource (a rule may also return a list of finding suffixes)."""

    COMPLIANT = "compliant"
    NON_COMPLIANT = "non-compliant"
    NOT_APPLICABLE = "not-applicable"


@dataclass(frozen=True)
class Undecided:
    """A finding the rule could not decide, and the value it could not read (reported as a warning).

    ``suffix`` is the finding's suffix (``""``: the rule's own id); ``value`` the expression that is only
    known at deploy time, or ``reason`` why the rule cannot tell.
    """

    suffix: str
    value: Any = None
    reason: str = ""


@dataclass(frozen=True)
class Violation:
    """A finding with a detail the message shows (which endpoint, where an acknowledgement was written)."""

    suffix: str
    detail: str


RuleResult = Compliance | Sequence[str | Violation | Undecided]


@dataclass(eq=False)
class Resource:
    """One CloudFormation resource as the rules see it (or the stack itself, type ``Stack``)."""

    type: str
    props: Mapping[str, Any]
    logical_id: str | None = None
    # As written: a string, or an intrinsic (``Fn::If``, a parameter) the value model reads.
    deletion_policy: Any = None
    update_replace_policy: Any = None
    # Construct path without the leading slash (from the cloud assembly), if known.
    path: str | None = None
    # Acknowledged rule ids (``DataProtection-IB1`` or ``DataProtection-KMS2[DeletionPolicy]``) -> reason,
    # from the resource and its ancestors in the construct tree and from the template's own metadata.
    acks: Mapping[str, str | None] = field(default_factory=dict)
    # The template's ``Metadata`` and ``Condition`` of the resource.
    metadata: Mapping[str, Any] = field(default_factory=dict)
    condition: str | None = None
    # Documents the cloud assembly ships as assets, by the property that names them (``Uri``,
    # ``DockerfileTemplateUri``): the text of the file, read where the template only holds its S3 URI.
    documents: Mapping[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class Stack:
    """One template's resources plus the stack-wide facts that cross-resource rules need."""

    path: str
    resources: list[Resource]
    tags: dict[str, str] = field(default_factory=dict)
    fips: bool = False
    template_path: str | None = None
    # False when only a sub-tree of the stack is validated: stack-wide rules are then skipped.
    whole: bool = True
    # Acknowledgements on the stack itself and its ancestors (rule id -> reason).
    acks: Mapping[str, str | None] = field(default_factory=dict)
    # The template's ``Parameters``, ``Conditions``, ``Mappings`` and ``Outputs`` sections and its own
    # top-level ``Metadata``.
    parameters: Mapping[str, Any] = field(default_factory=dict)
    conditions: Mapping[str, Any] = field(default_factory=dict)
    mappings: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    description: Any = None
    # Parts of the template the pack could not read (``engine.expand.Unread``): rule CFN2 reports them.
    unread: list[Any] = field(default_factory=list)
    # Logical id of a resource a ``Fn::ForEach`` loop generated -> the loop's key (where it is written).
    origins: Mapping[str, str] = field(default_factory=dict)
    # Every acknowledged id that reaches this template -> where it was written (construct paths or
    # logical ids; "" for the app), so an id that names no rule can be reported where it is.
    ack_sources: dict[str, set[str]] = field(default_factory=dict)

    @functools.cached_property
    def itself(self) -> Resource:
        """The stack as a pseudo resource carrying its tags."""
        tags = [{"Key": k, "Value": val} for k, val in self.tags.items()]
        return Resource(type=STACK_TYPE, props={"Tags": tags}, path=self.path, acks=self.acks)

    @functools.cached_property
    def by_logical_id(self) -> dict[str, Resource]:
        """Resources indexed by logical id (only those whose id is known)."""
        return {r.logical_id: r for r in self.resources if r.logical_id}

    @functools.cached_property
    def resource_types(self) -> dict[str, str]:
        """Logical id -> resource type (the value model reads references through it)."""
        return {logical_id: r.type for logical_id, r in self.by_logical_id.items()}

    @functools.cached_property
    def resource_properties(self) -> dict[str, Mapping[str, Any]]:
        """Logical id -> properties (the value model reads physical names through it)."""
        return {logical_id: r.props for logical_id, r in self.by_logical_id.items()}

    def target(self, value: Any) -> Resource | None:
        """The resource of this stack that a ``Ref``/``Fn::GetAtt`` value points at, if any."""
        target = v.ref_target(value)
        return self.by_logical_id.get(target) if target else None

    @functools.cached_property
    def has_imagebuilder(self) -> bool:
        """Whether the stack holds any Image Builder resource."""
        return any(r.type.startswith("AWS::ImageBuilder::") for r in self.resources)

    @functools.cached_property
    def imagebuilder_keys(self) -> frozenset[str]:
        """Logical ids of the KMS keys that encrypt Image Builder components, workflows or recipes."""
        keys = set()
        for resource in self.resources:
            if resource.type in IMAGEBUILDER_CONTEXT_TYPES:
                for value in v.reach(resource.props, "KmsKeyId", stack=self):
                    key = self.target(value)
                    if key is not None and key.type == "AWS::KMS::Key" and key.logical_id:
                        keys.add(key.logical_id)
        return frozenset(keys)

    @functools.cached_property
    def bucket_policies(self) -> dict[str, list[Any]]:
        """Policy documents of the ``AWS::S3::BucketPolicy`` resources, by the bucket they point at."""
        return self._policies("AWS::S3::BucketPolicy", "Bucket")

    @functools.cached_property
    def topic_policies(self) -> dict[str, list[Any]]:
        """Policy documents of the ``AWS::SNS::TopicPolicy`` resources, by the topic they point at."""
        return self._policies("AWS::SNS::TopicPolicy", "Topics")

    def _policies(self, policy_type: str, target_property: str) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {}
        for resource in self.resources:
            if resource.type != policy_type:
                continue
            for targets in v.reach(resource.props, target_property, stack=self):
                for target in v.as_list(targets):
                    for value in v.alternatives(target, self):
                        logical_id = v.ref_target(value)
                        if logical_id:
                            found.setdefault(logical_id, []).append(v.get(resource.props, "PolicyDocument"))
        return found


Check = Callable[[Resource, Stack], RuleResult]


@dataclass(frozen=True)
class Rule:
    """One rule, declared in its own file next to its check function.

    ``id`` is the short id (``IB1``; the pack prefixes it: ``DataProtection-IB1``); ``refs`` the
    recommendations it implements (R-numbers of docs/recommendations.md); ``info`` the violation;
    ``explanation`` the fix; ``applies_to`` the resource types it reads (``None``: every resource and the
    stack itself); ``unknown`` what a value only known at deploy time means for it (a violation where it
    can be decided anyway, otherwise an :class:`Undecided` warning naming the value): never a pass.
    """

    id: str
    level: Level
    refs: tuple[str, ...]
    info: str
    explanation: str
    applies_to: tuple[str, ...] | None
    check: Check
    unknown: str


@dataclass(frozen=True)
class Finding:
    """One violation of one rule by one resource, or a rule that crashed on it (``error`` set).

    ``rule_id`` is the full id with the pack prefix and, for rules that report several findings per
    resource, a suffix (``DataProtection-KMS2[DeletionPolicy]``). ``acknowledged`` holds the reason when
    the finding is acknowledged; front ends drop or list such findings, they never fail on them.
    ``undecided`` says what the rule could not read (the finding is then a warning).
    """

    rule: Rule
    rule_id: str
    resource: Resource
    stack: Stack
    error: str | None = None
    acknowledged: str | None = None
    # What leads to the finding when it depends on a condition or parameter ("condition IsProd is false").
    assumptions: tuple[str, ...] = ()
    undecided: str | None = None
    detail: str | None = None

    @property
    def when(self) -> str:
        """`` (when condition X is true and ...)`` for a finding that depends on assumptions, else ``""``."""
        return f" (when {' and '.join(self.assumptions)})" if self.assumptions else ""

    @property
    def level(self) -> Level:
        """A crashed rule is an error (a bug must fail the gate, not open it); undecided is a warning."""
        if self.error is not None:
            return Level.ERROR
        if self.undecided is not None:
            return Level.WARNING
        return self.rule.level

    @property
    def message(self) -> str:
        """The violation, the rule's crash, or what the rule could not read."""
        if self.error is not None:
            return f"the rule {self.rule.id} failed on this resource (a bug in the pack): {self.error}"
        if self.undecided is not None:
            return f"could not decide: {self.undecided}. {self.rule.info}{self.when}"
        detail = f" {self.detail}." if self.detail else ""
        return f"{self.rule.info}{detail}{self.when}"
