"""Logical ids kept when a construct's tree changes shape: a changed logical id replaces the resource.

``ImageBuilderKey`` used to wrap a ``kms.Key`` child named ``Resource``; it now *is* the ``kms.Key``, so
its ``AWS::KMS::Key`` sits one level higher in the tree. ``keep_wrapped_ids`` gives every CloudFormation
element below such a construct the logical id it had when the construct was a wrapper, so upgrading
replaces nothing (a replaced key would orphan every piece of data encrypted with it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import aws_cdk as cdk
from constructs import Construct

_NON_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")


def unique_id(components: Sequence[str]) -> str:
    """CDK's logical id for a path below the stack (``makeUniqueId`` of aws-cdk-lib core uniqueid.ts)."""
    path = [component for component in components if component != "Default"]
    if len(path) == 1 and len(_NON_ALPHANUMERIC.sub("", path[0])) <= 255:
        return _NON_ALPHANUMERIC.sub("", path[0])
    digest = hashlib.md5("/".join(path).encode(), usedforsecurity=False).hexdigest()[:8].upper()
    deduplicated: list[str] = []
    for component in path:
        if not deduplicated or not deduplicated[-1].endswith(component):
            deduplicated.append(component)
    human = "".join(_NON_ALPHANUMERIC.sub("", c) for c in deduplicated if c != "Resource")
    return human[:240] + digest


def keep_wrapped_ids(
    construct: Construct, wrapper_child: str = "Resource", legacy_path: Sequence[str] | None = None
) -> None:
    """Give each CloudFormation element below ``construct`` the id it had below ``wrapper_child``.

    ``legacy_path`` is where ``construct`` itself was (ids below the stack), when that was elsewhere.
    """
    stack = cdk.Stack.of(construct)
    depth = len(stack.node.scopes)
    own = len(construct.node.scopes)
    for child in construct.node.find_all():
        if isinstance(child, cdk.CfnElement):
            components = [scope.node.id for scope in child.node.scopes[depth:]]
            path = components[: own - depth] if legacy_path is None else list(legacy_path)
            child.override_logical_id(unique_id([*path, wrapper_child, *components[own - depth :]]))
