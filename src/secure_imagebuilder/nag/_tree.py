"""Snapshots of an unsynthesized construct tree, for ``validate_scope``.

jsii round trips (each ~0.3 ms) are what a Python pack pays; this module spends them as follows:
- one ``find_all`` for the scope and one per stack in it (which resources belong to which stack);
- the resource type from the proxy's class (cached per class; zero round trips for L1 classes);
- one ``_cfn_properties`` read per resource, then one ``Stack.resolve`` per stack for all of them;
- the logical id of keys, topics and buckets (cross-resource rules), the deletion policies of keys;
- per finding only: the construct path and the acknowledgement metadata of the ancestors (memoized).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from constructs import IConstruct

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._acks import acknowledged_ids
from secure_imagebuilder.nag._model import Resource, StackView

# Types whose logical id a cross-resource rule needs (targets of Ref/Fn::GetAtt).
LOGICAL_ID_TYPES = frozenset({"AWS::KMS::Key", "AWS::SNS::Topic", "AWS::S3::Bucket"})
POLICY_TYPES = frozenset({"AWS::KMS::Key"})

_type_by_class: dict[type, str | None] = {}


def ref(obj: Any) -> object:
    """A stable identity for a jsii object: its kernel reference (proxies of one JS object can differ)."""
    reference = getattr(obj, "__jsii_ref__", None)
    return getattr(reference, "ref", None) or id(obj)


def resource_type(resource: cdk.CfnResource) -> str:
    """The CloudFormation type, read from the L1 class when there is one (no round trip)."""
    cls = type(resource)
    if cls not in _type_by_class:
        name = None
        if any("CFN_RESOURCE_TYPE_NAME" in vars(base) for base in cls.__mro__):
            name = str(cls.CFN_RESOURCE_TYPE_NAME)  # type: ignore[attr-defined]
        _type_by_class[cls] = name
    return _type_by_class[cls] or resource.cfn_resource_type


_POLICY_NAMES = {
    "DELETE": "Delete",
    "RETAIN": "Retain",
    "SNAPSHOT": "Snapshot",
    "RETAIN_EXCEPT_ON_CREATE": "RetainExceptOnCreate",
}


def _policy(value: Any) -> str | None:
    """The CloudFormation spelling of a ``CfnDeletionPolicy`` (jsii enum values are the member names)."""
    if value is None:
        return None
    name = str(getattr(value, "name", value))
    return _POLICY_NAMES.get(name, name)


class TreeSnapshot:
    """The stacks under a scope, each with plain-Python resources."""

    def __init__(self, scope: IConstruct, fips_key: str) -> None:
        """Read everything the rules need from the tree under ``scope``."""
        self._fips_key = fips_key
        self._acks: dict[object, tuple[set[str], Any]] = {}
        constructs = scope.node.find_all()
        resources = [c for c in constructs if isinstance(c, cdk.CfnResource)]
        stacks = [c for c in constructs if isinstance(c, cdk.Stack)]
        owner: dict[object, cdk.Stack] = {}
        for stack in stacks:  # pre-order: a nested stack overrides its parent
            members = constructs if stack is scope else stack.node.find_all()
            for member in members:
                owner[ref(member)] = stack
        grouped: dict[object, tuple[cdk.Stack, list[cdk.CfnResource]]] = {ref(s): (s, []) for s in stacks}
        enclosing: cdk.Stack | None = None  # the stack around a scope that is not itself a stack
        for resource in resources:
            found = owner.get(ref(resource))
            if found is None:
                enclosing = enclosing or cdk.Stack.of(scope)
                found = enclosing
            grouped.setdefault(ref(found), (found, []))[1].append(resource)
        # Stack-wide rules (AUD1, stack tags) only run for stacks inside the scope.
        self.stacks = [
            self._stack(stack, members, whole=enclosing is None or ref(stack) != ref(enclosing))
            for stack, members in grouped.values()
        ]

    def _stack(self, stack: cdk.Stack, members: list[cdk.CfnResource], *, whole: bool) -> StackView:
        node = stack.node
        types = [resource_type(r) for r in members]
        raw = [r._cfn_properties for r in members]
        needs_id = [i for i, t in enumerate(types) if t in LOGICAL_ID_TYPES]
        resolved = self._resolve(stack, {"props": raw, "ids": [members[i].logical_id for i in needs_id]})
        props, ids = resolved["props"], dict(zip(needs_id, resolved["ids"], strict=True))
        views = []
        for i, (member, member_type) in enumerate(zip(members, types, strict=True)):
            deletion = replace = None
            if member_type in POLICY_TYPES:
                options = member.cfn_options
                deletion, replace = _policy(options.deletion_policy), _policy(options.update_replace_policy)
            member_props = props[i] if isinstance(props[i], Mapping) else {}
            views.append(
                Resource(
                    type=member_type,
                    props=member_props,
                    logical_id=ids.get(i) if isinstance(ids.get(i), str) else None,
                    deletion_policy=deletion,
                    update_replace_policy=replace,
                    handle=member,
                )
            )
        fips = v.truthy(node.try_get_context(self._fips_key)) is True
        tags = dict(stack.tags.tag_values())
        return StackView(path=node.path, resources=views, tags=tags, fips=fips, handle=stack, whole=whole)

    @staticmethod
    def _resolve(stack: cdk.Stack, value: dict[str, list[Any]]) -> dict[str, list[Any]]:
        try:
            resolved = stack.resolve(value)
            if isinstance(resolved, dict):
                return resolved
        except Exception:  # an unresolvable token: resolve one by one, keep what can be read
            pass
        out: dict[str, list[Any]] = {}
        for key, items in value.items():
            out[key] = []
            for item in items:
                try:
                    out[key].append(stack.resolve(item))
                except Exception:
                    out[key].append(item)
        return out

    @staticmethod
    def fill_path(resource: Resource) -> None:
        """Read the construct path of a resource that has a finding (two round trips)."""
        if resource.path is None and resource.handle is not None:
            resource.path = resource.handle.node.path

    def is_acknowledged(self, resource: Resource, rule_id: str, base_id: str) -> bool:
        """Whether ``rule_id`` (or the whole rule) is acknowledged on the construct or an ancestor."""
        current = resource.handle
        while current is not None:
            ids, parent = self._ack_entry(current)
            if rule_id in ids or base_id in ids:
                return True
            current = parent
        return False

    def _ack_entry(self, construct: Any) -> tuple[set[str], Any]:
        key = ref(construct)
        if key not in self._acks:
            node = construct.node
            self._acks[key] = (acknowledged_ids(node.metadata), node.scope)
        return self._acks[key]
