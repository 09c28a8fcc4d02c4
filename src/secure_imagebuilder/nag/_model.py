"""Plain-Python snapshots of what the rules read: one resource, one stack, one rule.

The snapshots are built once per validation (from the construct tree or from the synthesized
templates) with as few jsii round trips as possible; after that every rule runs in Python only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cdk_nag import NagMessageLevel, NagRuleCompliance

from secure_imagebuilder.nag import _values as v

# The pseudo resource type under which a stack's own tags and stack-wide checks are evaluated.
STACK_TYPE = "Stack"
# Image Builder resources whose KmsKeyId encrypts data under the `aws:imagebuilder:arn` context (R12).
IMAGEBUILDER_CONTEXT_TYPES = (
    "AWS::ImageBuilder::Component",
    "AWS::ImageBuilder::Workflow",
    "AWS::ImageBuilder::ContainerRecipe",
)

RuleResult = NagRuleCompliance | list[str]


@dataclass(eq=False)
class Resource:
    """One CloudFormation resource as the rules see it (or the stack itself, type ``Stack``)."""

    type: str
    props: Mapping[str, Any]
    logical_id: str | None = None
    deletion_policy: str | None = None
    update_replace_policy: str | None = None
    # Construct path without the leading slash; filled lazily for the tree (only for findings).
    path: str | None = None
    # The construct (tree source) or nothing (template source).
    handle: Any = None


@dataclass(eq=False)
class StackView:
    """One stack's resources plus the stack-wide facts that cross-resource rules need."""

    path: str
    resources: list[Resource]
    tags: dict[str, str] = field(default_factory=dict)
    fips: bool = False
    template_path: str | None = None
    handle: Any = None
    # False when only a sub-tree of the stack is validated: stack-wide rules are then skipped.
    whole: bool = True

    @functools.cached_property
    def itself(self) -> Resource:
        """The stack as a pseudo resource carrying its tags."""
        tags = [{"Key": k, "Value": val} for k, val in self.tags.items()]
        return Resource(type=STACK_TYPE, props={"Tags": tags}, path=self.path, handle=self.handle)

    @functools.cached_property
    def by_logical_id(self) -> dict[str, Resource]:
        """Resources indexed by logical id (only those whose id is known)."""
        return {r.logical_id: r for r in self.resources if r.logical_id}

    def target(self, value: Any) -> Resource | None:
        """The resource of this stack that a ``Ref``/``Fn::GetAtt`` value points at, if any."""
        target = v.ref_target(value)
        return self.by_logical_id.get(target) if target else None

    @functools.cached_property
    def has_imagebuilder(self) -> bool:
        """Whether the stack holds any Image Builder resource."""
        return any(r.type.startswith("AWS::ImageBuilder::") for r in self.resources)

    @functools.cached_property
    def has_trail(self) -> bool:
        """Whether the stack holds a CloudTrail trail."""
        return any(r.type == "AWS::CloudTrail::Trail" for r in self.resources)

    @functools.cached_property
    def imagebuilder_keys(self) -> frozenset[str]:
        """Logical ids of the KMS keys that encrypt Image Builder components, workflows or recipes."""
        keys = set()
        for resource in self.resources:
            if resource.type in IMAGEBUILDER_CONTEXT_TYPES:
                key = self.target(v.get(resource.props, "KmsKeyId"))
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
            for target in v.as_list(v.get(resource.props, target_property)):
                logical_id = v.ref_target(target)
                if logical_id:
                    found.setdefault(logical_id, []).append(v.get(resource.props, "PolicyDocument"))
        return found


Check = Callable[[Resource, StackView], RuleResult]


@dataclass(frozen=True)
class Rule:
    """One row of the pack's table."""

    id: str
    level: NagMessageLevel
    refs: tuple[str, ...]
    info: str
    explanation: str
    # Resource types the rule reads; ``None`` means every resource and the stack itself.
    applies_to: tuple[str, ...] | None
    check: Check
