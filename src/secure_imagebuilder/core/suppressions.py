"""Deliberate exceptions that travel with the template, so every scanner of ``cdk.out`` sees the same reasons.

One call per exception writes it where each tool reads it (R1):

- cdk-nag / CDK validation: ``Validations.of(scope).acknowledge`` (the construct tree) and, in the
  template, ``Metadata.cdk_nag.rules_to_suppress: [{id, reason}]`` on every resource under ``scope``, the
  form cdk-nag 3 writes with ``writeSuppressionsToCloudFormation`` (its
  ``WriteNagSuppressionsToCloudFormationAspect``) and cdk-nag 2 always wrote;
- checkov: ``Metadata.checkov.skip: [{id, comment}]`` on the resource (checkov's CloudFormation
  suppression form);
- cfn-lint: ``Metadata.cfn-lint.config.ignore_checks: [id]`` on the resource (cfn-lint's
  resource-level configuration; it has no field for a reason, so the reason goes to the cdk-nag block).
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from constructs import IConstruct

_NAG = "cdk_nag"
_CHECKOV = "checkov"
_CFN_LINT = "cfn-lint"


def _resources(scope: IConstruct) -> list[cdk.CfnResource]:
    return [node for node in scope.node.find_all() if isinstance(node, cdk.CfnResource)]


def _merge_list(resource: cdk.CfnResource, key: str, path: tuple[str, ...], item: Any) -> None:
    """Append ``item`` to the list at ``Metadata.<key>.<path...>`` unless it is there already."""
    root: dict[str, Any] = dict(resource.get_metadata(key) or {})
    node = root
    for part in path[:-1]:
        node[part] = dict(node.get(part) or {})
        node = node[part]
    items = list(node.get(path[-1]) or [])
    if item not in items:
        items.append(item)
    node[path[-1]] = items
    resource.add_metadata(key, root)


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge a cdk-nag / ``DataProtectionChecks`` finding on ``scope`` and write it into the template.

    Call it after the resources the finding is about exist under ``scope``.
    """
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))
    for resource in _resources(scope):
        _merge_list(resource, _NAG, ("rules_to_suppress",), {"id": rule_id, "reason": reason})


def acknowledge_value(scope: IConstruct, rule: str, kind: str, value: str, reason: str) -> None:
    """Acknowledge the finding ``<rule>[<kind>::<value>]`` as cdk-nag spells it in this stack.

    cdk-nag names a wildcard resource or managed policy by its *resolved* value (``flattenCfnReference``):
    ``<AWS::Region>`` in an environment-agnostic stack, ``us-east-1`` in a stack with an environment. The
    id is built from the value itself, so the acknowledgement matches the finding whatever the stack.
    """
    acknowledge(scope, f"{rule}[{kind}::{finding_text(scope, value)}]", reason)


def finding_text(scope: IConstruct, value: Any) -> str:
    """``value`` resolved in the stack of ``scope`` and flattened as cdk-nag flattens it in finding ids."""
    return _flatten(cdk.Stack.of(scope).resolve(value))


def _flatten(node: Any) -> str:
    """cdk-nag's ``flattenCfnReference`` (src/utils/flatten-cfn-reference.ts), for the same ids."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict) and len(node) == 1:
        ((name, argument),) = node.items()
        if name == "Fn::Join":
            separator, parts = argument
            return str(separator).join(_flatten(part) for part in parts)
        if name == "Fn::Sub":
            return _flatten(argument)
        if name == "Fn::GetAtt":
            return f"<{_flatten(argument[0])}.{_flatten(argument[1])}>"
        if name == "Fn::ImportValue":
            return _flatten(argument)
        if name == "Ref":
            return f"<{_flatten(argument)}>"
    return json.dumps(node, separators=(",", ":"))


def skip_checkov(resource: cdk.CfnResource, check_id: str, reason: str) -> None:
    """Skip one checkov check on ``resource``, with the reason (``Metadata.checkov.skip``)."""
    _merge_list(resource, _CHECKOV, ("skip",), {"id": check_id, "comment": reason})


def ignore_cfn_lint(resource: cdk.CfnResource, rule_id: str) -> None:
    """Ignore one cfn-lint rule on ``resource`` (``Metadata.cfn-lint.config.ignore_checks``)."""
    _merge_list(resource, _CFN_LINT, ("config", "ignore_checks"), rule_id)


def default_resource(scope: IConstruct) -> cdk.CfnResource | None:
    """The L1 resource of an L2 construct (its ``node.default_child``), if it is one."""
    child = scope.node.default_child
    return child if isinstance(child, cdk.CfnResource) else None
