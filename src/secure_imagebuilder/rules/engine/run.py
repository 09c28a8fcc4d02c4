"""Runs the rule table over stacks: ``evaluate(stacks) -> findings``. Pure Python.

Rules are indexed by the resource types they read (a dict lookup per resource). A rule that raises is
reported as its own kind of finding (``<rule id>-RuleError``, a warning carrying the exception), never
as a violation: a bug in the pack must not look like a problem in the template, nor hide the resource.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from secure_imagebuilder.rules.engine import assumptions
from secure_imagebuilder.rules.engine.acks import base_rule_id
from secure_imagebuilder.rules.engine.model import Compliance, Finding, Resource, Rule, Stack
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
        findings: list[Finding] = []
        for stack in stacks:
            for resource in (stack.itself, *stack.resources) if stack.whole else stack.resources:
                for rule in self.rules_for(resource.type):
                    findings.extend(self._check(rule, resource, stack))
        return findings

    def _check(self, rule: Rule, resource: Resource, stack: Stack) -> list[Finding]:
        rule_id = f"{self.pack_name}-{rule.id}"
        try:
            ids = self._ids(rule, resource, stack)
            return [
                Finding(
                    rule,
                    full_id,
                    resource,
                    stack,
                    acknowledged=acknowledgement(full_id, resource, stack),
                    assumptions=self._assumptions(full_id, rule, resource, stack),
                )
                for full_id in ids
            ]
        except Exception as error:
            message = f"{type(error).__name__}: {error}"[:200]
            return [Finding(rule, rule_id + RULE_ERROR_SUFFIX, resource, stack, error=message)]

    def _ids(self, rule: Rule, resource: Resource, stack: Stack) -> list[str]:
        rule_id = f"{self.pack_name}-{rule.id}"
        result = rule.check(resource, stack)
        if result == Compliance.NON_COMPLIANT:
            return [rule_id]
        if isinstance(result, list):
            return [f"{rule_id}[{item}]" for item in result]
        return []

    def _assumptions(self, finding_id: str, rule: Rule, resource: Resource, stack: Stack) -> tuple[str, ...]:
        found = assumptions.leading(
            finding_id, resource.props, stack.parameters, lambda: self._ids(rule, resource, stack)
        )
        if resource.condition:
            found += (f"condition {resource.condition} is true (the resource's Condition)",)
        return found


def acknowledgement(rule_id: str, resource: Resource, stack: Stack) -> str | None:
    """The reason ``rule_id`` (or its whole rule) is acknowledged on the resource or its stack, if it is."""
    for acks in (resource.acks, stack.acks):
        reason = _lookup(acks, rule_id)
        if reason is not None:
            return reason
    return None


def _lookup(acks: Mapping[str, str], rule_id: str) -> str | None:
    if rule_id in acks:
        return acks[rule_id]
    return acks.get(base_rule_id(rule_id))


def evaluate(stacks: Iterable[Stack]) -> list[Finding]:
    """Run the pack's rule table (``rules.table.RULES``) over ``stacks``."""
    return _pack_engine().evaluate(stacks)


@functools.cache
def _pack_engine() -> Engine:
    return Engine()
