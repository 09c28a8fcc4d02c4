"""Runs the rule table over stacks: ``evaluate(stacks) -> findings``. Pure Python.

Rules are indexed by the resource types they read (a dict lookup per resource). Nothing the pack cannot
read passes in silence:

- a rule that raises is an *error* finding of its own (``<rule id>-RuleError``, acknowledgeable with a
  reason): a bug in the pack fails the gate instead of opening it;
- a rule that cannot decide returns :class:`~model.Undecided`, reported as a warning naming the value;
- a resource whose ``Condition`` is proven false does not exist and is only read by the template-wide
  text rules (a secret in it is still in the template); a resource is checked with its own condition
  taken as true, so an ``Fn::If`` on that condition inside it follows one branch.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from secure_imagebuilder.core import detect
from secure_imagebuilder.rules.engine import assumptions
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.acks import base_rule_id
from secure_imagebuilder.rules.engine.model import (
    Compliance,
    Finding,
    Resource,
    Rule,
    Stack,
    Undecided,
    Violation,
)
from secure_imagebuilder.rules.engine.redact import redacted
from secure_imagebuilder.rules.table import PACK_NAME, RULES

# Types no rule reads: the CDK's own analytics resource.
_IGNORED_TYPES = frozenset({"AWS::CDK::Metadata"})
RULE_ERROR_SUFFIX = "-RuleError"


class Engine:
    """A rule table indexed by resource type."""

    def __init__(self, rules: tuple[Rule, ...] = RULES, pack_name: str = PACK_NAME) -> None:
        """Index ``rules`` by the resource types they read."""
        self.rules = rules
        self.pack_name = pack_name
        self._every = tuple(r for r in rules if r.applies_to is None)
        self._by_type: dict[str, tuple[Rule, ...]] = {}
        for rule in rules:
            for resource_type in rule.applies_to or ():
                self._by_type[resource_type] = (*self._by_type.get(resource_type, ()), rule)

    def rules_for(self, resource_type: str) -> tuple[Rule, ...]:
        """The rules that read ``resource_type``: the type-specific ones, then those for every type."""
        if resource_type in _IGNORED_TYPES:
            return ()
        return self._by_type.get(resource_type, ()) + self._every

    def evaluate(self, stacks: Iterable[Stack]) -> list[Finding]:
        """Every finding of every applicable rule on every resource (and stack), acknowledged or not."""
        detect.forget()
        findings: list[Finding] = []
        for stack in stacks:
            for resource in (stack.itself, *stack.resources) if stack.whole else stack.resources:
                findings.extend(self._resource_findings(resource, stack))
        return findings

    def _resource_findings(self, resource: Resource, stack: Stack) -> list[Finding]:
        """A resource's findings; one under a ``Condition`` is checked with that condition taken as true."""
        exists = v.may_exist(resource.condition, stack)
        rules = [r for r in self.rules_for(resource.type) if exists or r.applies_to is None]
        condition = resource.condition if resource.condition in stack.conditions else None
        with v.assuming("condition", condition, True) if condition else contextlib.nullcontext():
            return [f for rule in rules for f in self._checked(rule, resource, stack)]

    def _checked(self, rule: Rule, resource: Resource, stack: Stack) -> list[Finding]:
        try:
            found = self._results(rule, resource, stack)
            return [
                Finding(
                    rule,
                    full_id,
                    resource,
                    stack,
                    acknowledged=acknowledgement(full_id, resource, stack),
                    assumptions=self._assumptions(full_id, rule, resource, stack),
                    undecided=result.undecided,
                    detail=result.detail,
                )
                for full_id, result in found.items()
            ]
        except Exception as error:  # a crash in a rule must fail the gate, never hide the resource
            message = redacted(f"{type(error).__name__}: {error}")[:200]
            error_id = f"{self.pack_name}-{rule.id}{RULE_ERROR_SUFFIX}"
            return [
                Finding(
                    rule,
                    error_id,
                    resource,
                    stack,
                    error=message,
                    acknowledged=acknowledgement(error_id, resource, stack),
                )
            ]

    def _results(self, rule: Rule, resource: Resource, stack: Stack) -> dict[str, _Result]:
        """Finding id -> what the message adds: nothing, a detail, or what the rule could not read."""
        result = rule.check(resource, stack)
        if not result:  # no finding, compliant or not applicable: the common case, decided first
            return {}
        rule_id = f"{self.pack_name}-{rule.id}"
        if result == Compliance.NON_COMPLIANT:
            return {rule_id: _Result()}
        if not isinstance(result, list | tuple):
            return {}
        found: dict[str, _Result] = {}
        for item in result:
            suffix = item if isinstance(item, str) else item.suffix
            full_id = f"{rule_id}[{suffix}]" if suffix else rule_id
            if isinstance(item, Undecided):
                found.setdefault(full_id, _Result(undecided=_undecided(item, stack)))
            else:
                found[full_id] = _Result(detail=item.detail if isinstance(item, Violation) else None)
        return found

    def _ids(self, rule: Rule, resource: Resource, stack: Stack) -> list[str]:
        """The violations only: a value left open (``values.RAW``) is undecided, not what leads to one."""
        return [
            full_id
            for full_id, result in self._results(rule, resource, stack).items()
            if not result.undecided
        ]

    def _assumptions(self, finding_id: str, rule: Rule, resource: Resource, stack: Stack) -> tuple[str, ...]:
        found = assumptions.leading(
            finding_id, resource.props, stack, lambda: self._ids(rule, resource, stack)
        )
        if resource.condition:
            found += (f"condition {resource.condition} is true (the resource's Condition)",)
        return found


@dataclass(frozen=True)
class _Result:
    undecided: str | None = None
    detail: str | None = None


def _undecided(item: Undecided, stack: Stack) -> str:
    """What a rule could not read, for the message: the reason and the (shortened, redacted) value."""
    parts = []
    if isinstance(item.value, v.Unknown):
        parts.append(f"{item.value.reason}: {redacted(v.describe(item.value.source), stack)}")
    elif item.value is not None:
        parts.append(redacted(v.describe(item.value), stack))
    if item.reason:
        parts.append(item.reason)
    return "; ".join(parts) or "a value only known at deploy time"


def acknowledgement(rule_id: str, resource: Resource, stack: Stack) -> str | None:
    """The reason ``rule_id`` (or its whole rule) is acknowledged on the resource or its stack, if it is.

    An acknowledgement written without a reason silences nothing (rule ACK1 reports it).
    """
    for acks in (resource.acks, stack.acks):
        reason = _lookup(acks, rule_id)
        if reason is not None:
            return reason
    return None


def _lookup(acks: Mapping[str, str | None], rule_id: str) -> str | None:
    reason = acks.get(rule_id)
    if reason is not None:
        return reason
    return acks.get(base_rule_id(rule_id))


def evaluate(stacks: Iterable[Stack]) -> list[Finding]:
    """Run the pack's rule table (``rules.table.RULES``) over ``stacks``."""
    return _pack_engine().evaluate(stacks)


@functools.cache
def _pack_engine() -> Engine:
    return Engine()
