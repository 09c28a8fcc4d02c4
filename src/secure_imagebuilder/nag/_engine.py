"""Runs the rule table over stack snapshots and turns findings into a CDK validation report.

One walk per validation: the snapshot builders (``_tree``, ``_assembly``) read every resource once;
``Engine.evaluate`` dispatches on the resource type to the rules that apply (a dict lookup) and runs
them in Python; only findings cross back to jsii (their construct path and acknowledgements).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import aws_cdk as cdk
from cdk_nag import NagMessageLevel, NagRuleCompliance
from constructs import IConstruct

from secure_imagebuilder.nag import _assembly, _tree
from secure_imagebuilder.nag._acks import base_rule_id
from secure_imagebuilder.nag._model import STACK_TYPE, Resource, Rule, StackView

# Types no rule reads: the CDK's own analytics resource.
_IGNORED_TYPES = frozenset({"AWS::CDK::Metadata"})


@dataclass(frozen=True)
class Finding:
    """One violation of one rule (or one finding of a multi-finding rule) by one resource."""

    rule: Rule
    rule_id: str
    resource: Resource
    stack: StackView


class Engine:
    """The rule table indexed by resource type, plus the two ways of feeding it."""

    def __init__(self, rules: tuple[Rule, ...], pack_name: str, fips_key: str, *, verbose: bool) -> None:
        """Index ``rules`` by the resource types they read."""
        self.rules = rules
        self.pack_name = pack_name
        self.fips_key = fips_key
        self.verbose = verbose
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

    def evaluate(self, stacks: Iterable[StackView]) -> list[Finding]:
        """Run every applicable rule on every resource (and stack) in Python; return the findings."""
        findings: list[Finding] = []
        for stack in stacks:
            for resource in (stack.itself, *stack.resources) if stack.whole else stack.resources:
                for rule in self.rules_for(resource.type):
                    rule_id = f"{self.pack_name}-{rule.id}"
                    try:
                        result = rule.check(resource, stack)
                    except Exception:  # a rule bug must not hide the resource: report it
                        result = NagRuleCompliance.NON_COMPLIANT
                    if result == NagRuleCompliance.NON_COMPLIANT:
                        findings.append(Finding(rule, rule_id, resource, stack))
                    elif isinstance(result, list):
                        findings.extend(
                            Finding(rule, f"{rule_id}[{item}]", resource, stack) for item in result
                        )
        return findings

    # --- entry points --------------------------------------------------------------------------

    def validate_tree(self, scope: IConstruct) -> cdk.PolicyValidationPluginReport:
        """Validate an unsynthesized construct tree (``validate_scope``)."""
        tree = _tree.TreeSnapshot(scope, self.fips_key)
        findings = [
            f
            for f in self.evaluate(tree.stacks)
            if not tree.is_acknowledged(f.resource, f.rule_id, base_rule_id(f.rule_id))
        ]
        for finding in findings:
            tree.fill_path(finding.resource)
        return self.report(findings)

    def validate_assembly(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        """Validate the synthesized templates handed over by ``app.synth()``."""
        assembly = _assembly.AssemblySnapshot(context, self.fips_key)
        findings = [
            f
            for f in self.evaluate(assembly.stacks)
            if not assembly.is_acknowledged(f.resource, f.rule_id, base_rule_id(f.rule_id))
        ]
        return self.report(findings)

    def report(self, findings: list[Finding]) -> cdk.PolicyValidationPluginReport:
        """Group findings by rule id into the report shape of the CDK validation framework."""
        grouped: dict[str, list[Finding]] = {}
        for finding in findings:
            grouped.setdefault(finding.rule_id, []).append(finding)
        violations = []
        for rule_id, group in grouped.items():
            rule = group[0].rule
            error = rule.level == NagMessageLevel.ERROR
            violations.append(
                cdk.PolicyViolation(
                    rule_name=rule_id,
                    description=f"{rule.info} {rule.explanation}" if self.verbose else rule.info,
                    fix=rule.explanation,
                    severity="error" if error else "warning",
                    violating_resources=[
                        cdk.PolicyViolatingResource(
                            locations=["Properties"] if f.resource.type != STACK_TYPE else ["Stack"],
                            construct_path=f.resource.path,
                            resource_logical_id=f.resource.logical_id if f.stack.template_path else None,
                            template_path=f.stack.template_path if f.resource.logical_id else None,
                        )
                        for f in group
                    ],
                )
            )
        success = not any(f.rule.level == NagMessageLevel.ERROR for f in findings)
        return cdk.PolicyValidationPluginReport(success=success, violations=violations)
