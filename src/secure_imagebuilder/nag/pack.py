"""DataProtectionChecks: the CDK policy-validation plugin (the cdk-nag 3 plugin shape) over ``rules``.

Both entry points read synthesized templates from the cloud assembly (``rules.assembly``) and run the
pure-Python rule engine (``rules.engine``), so they give identical findings and finding ids:
``validate`` is called by ``app.synth()``; ``validate_scope`` synthesizes the scope's stage itself.
Only the report crosses back to jsii.
"""

from __future__ import annotations

import pathlib

import aws_cdk as cdk
import jsii
from constructs import IConstruct, Node

from secure_imagebuilder.nag import exported
from secure_imagebuilder.rules.engine import acks, assembly, run
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import STACK_TYPE, Finding, Level, Stack
from secure_imagebuilder.rules.table import FIPS_CONTEXT_KEY, PACK_NAME, RULES

PLUGIN_NAME = "DataProtectionChecks"


@jsii.implements(cdk.IPolicyValidationPlugin)
class DataProtectionChecks:
    """Checks the EC2 Image Builder and IAM Roles Anywhere data-protection guidance on any CloudFormation.

    Register with ``Validations.of(app).add_plugins(DataProtectionChecks(app))``; in tests,
    ``DataProtectionChecks().validate_scope(stack)`` returns the report. Acknowledge a finding with
    ``Validations.of(construct).acknowledge(Acknowledgment(id="DataProtection-IB1", reason="..."))``, or
    one finding of a rule that reports several (``id="DataProtection-KMS2[DeletionPolicy]"``).
    See docs/rules.md.
    """

    def __init__(self, scope: IConstruct | None = None, *, verbose: bool | None = None) -> None:
        """Create the pack; ``verbose`` adds each rule's explanation to the violation description.

        ``scope`` is accepted for the cdk-nag pack signature (``AwsSolutionsChecks(app)``) and not used.
        """
        self._verbose = bool(verbose)

    @property
    def name(self) -> str:
        """The plugin name shown in the CDK validation report."""
        return PLUGIN_NAME

    @property
    def rule_ids(self) -> list[str]:
        """The ids of every rule of the pack (``DataProtection-IB1``, ...)."""
        return [f"{PACK_NAME}-{rule.id}" for rule in RULES]

    @property
    def version(self) -> str | None:
        """The library version (the CDK shows it in the validation report)."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("cdk-secure-imagebuilder")
        except PackageNotFoundError:
            return None

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        """Entry point of ``app.synth()``: check the synthesized templates of the validated stacks.

        An input the pack cannot read (a context value, a template, the assembly's metadata) fails the
        report with our message: the gate never opens on what it could not check. With the context key
        ``secure-imagebuilder:write-acknowledgements`` true, the app's acknowledgements are then written
        into its templates (``nag.exported``); a template that cannot be written fails the report too.
        """
        try:
            app_node = context.app_construct.node
            outer = acks.acknowledged(app_node.metadata)
            fips = fips_context(app_node.try_get_context(FIPS_CONTEXT_KEY))
            write = context_flag(exported.WRITE_ACKNOWLEDGEMENTS_CONTEXT_KEY, app_node)
            stacks: list[Stack] = []
            for template in context.stack_templates:
                path = pathlib.Path(template.template_path)
                stacks.extend(
                    assembly.read_stack_artifact(path, outer_acks=outer, fips=fips, written_by_cdk=True)
                )
        except (ValueError, OSError) as error:  # TemplateError, AssemblyError, a bad context value
            problem = f"{PLUGIN_NAME} could not read its input, so nothing was checked: {error}"
            return self._unreadable(problem)
        report = self._report(run.evaluate(stacks), stacks)
        if write:
            try:
                exported.write_acknowledgements(stacks)
            except (ValueError, OSError) as error:
                return self._unreadable(
                    f"{PLUGIN_NAME} could not write the acknowledgements into the templates "
                    f"({exported.WRITE_ACKNOWLEDGEMENTS_CONTEXT_KEY}): {error}"
                )
        return report

    def _unreadable(self, problem: str) -> cdk.PolicyValidationPluginReport:
        violation = cdk.PolicyViolation(
            rule_name=f"{PACK_NAME}-Unreadable",
            description=problem,
            fix="Fix the value or file named above; the pack fails rather than pass what it did not read.",
            severity="error",
            violating_resources=[cdk.PolicyViolatingResource(locations=["Stack"], template_path="")],
        )
        return cdk.PolicyValidationPluginReport(success=False, violations=[violation])

    def validate_scope(self, scope: IConstruct) -> cdk.PolicyValidationPluginReport:
        """Check every CloudFormation resource under ``scope`` (synthesizes the stage that holds it).

        On a construct inside a stack only its resources are checked and stack-wide rules are skipped.
        """
        stacks = scope_stacks(scope)
        return self._report(run.evaluate(stacks), stacks)

    def _report(self, findings: list[Finding], stacks: list[Stack]) -> cdk.PolicyValidationPluginReport:
        """The CDK validation report: unacknowledged findings grouped by finding id."""
        open_findings = [f for f in findings if f.acknowledged is None]
        grouped: dict[str, list[Finding]] = {}
        for finding in open_findings:
            grouped.setdefault(finding.rule_id, []).append(finding)
        violations = [self._violation(rule_id, group) for rule_id, group in grouped.items()]
        success = not any(f.level == Level.ERROR for f in open_findings)
        return cdk.PolicyValidationPluginReport(success=success, violations=violations)

    def _violation(self, rule_id: str, group: list[Finding]) -> cdk.PolicyViolation:
        first = group[0]
        rule = first.rule
        if first.error is not None:
            description = f"The rule {PACK_NAME}-{rule.id} failed (a bug in {PLUGIN_NAME}): {first.error}"
            fix = (
                "Please report it with the resource's properties; the resource was not checked by this rule. "
                f"Acknowledge {rule_id} with a reason to go on meanwhile."
            )
        else:
            description = first.message if len(group) == 1 or not first.assumptions else first.rule.info
            if self._verbose:
                description += f" {rule.explanation}"
            if len(group) > 1:
                description += "".join(f" {f.resource.logical_id}{f.when}." for f in group if f.assumptions)
            fix = rule.explanation
        return cdk.PolicyViolation(
            rule_name=rule_id,
            description=description,
            fix=fix,
            severity=first.level.value,
            violating_resources=[
                cdk.PolicyViolatingResource(
                    locations=["Properties"] if f.resource.type != STACK_TYPE else ["Stack"],
                    construct_path=f.resource.path,
                    resource_logical_id=f.resource.logical_id,
                    template_path=f.stack.template_path if f.resource.logical_id else None,
                )
                for f in group
            ],
        )


def fips_context(value: object) -> bool:
    """The ``secure-imagebuilder:fips`` context: ``true``/``false`` (a bool or its text), else our error.

    Anything else (``"1"``, ``"yes"``, a list) would silently turn FIPS checking off, so it is refused.
    """
    return _flag(FIPS_CONTEXT_KEY, value)


def context_flag(key: str, node: Node) -> bool:
    """A ``true``/``false`` context value of ``node``'s app (unset: ``False``), else our error."""
    return _flag(key, node.try_get_context(key))


def _flag(key: str, value: object) -> bool:
    if value is None:
        return False
    flag = v.truthy(value)
    if flag is None:
        raise ValueError(
            f"context {key}: got {v.describe(value)}; set it to true or false "
            f"(cdk synth -c {key}=true, or in cdk.json)"
        )
    return flag


def scope_stacks(scope: IConstruct) -> list[Stack]:
    """The stacks under ``scope`` as the rules see them, read from the synthesized cloud assembly."""
    stage = scope if isinstance(scope, cdk.Stage) else cdk.Stage.of(scope)
    if stage is None:
        raise ValueError(f"{scope.node.path}: validate_scope needs a construct inside an App or Stage")
    cloud_assembly = stage.synth()
    root = scope.node.root.node
    outer = acks.acknowledged(root.metadata)
    fips = fips_context(scope.node.try_get_context(FIPS_CONTEXT_KEY))
    stacks = [
        _with_outer(stack, outer)
        for stack in assembly.read_assembly(pathlib.Path(cloud_assembly.directory), fips=fips)
    ]
    scope_path = scope.node.path
    if not scope_path or cdk.Stage.is_stage(scope):
        return [s for s in stacks if _within(s.path, scope_path)]
    if cdk.Stack.is_stack(scope):
        return [s for s in stacks if _within(s.path, scope_path)]
    # A construct inside a stack: only its resources, no stack-wide rules.
    subtrees = []
    for stack in stacks:
        members = [r for r in stack.resources if r.path and _within(r.path, scope_path)]
        if members:
            stack.resources, stack.whole = members, False
            subtrees.append(stack)
    return subtrees


def _with_outer(stack: Stack, outer: dict[str, str | None]) -> Stack:
    """Add the app's acknowledgements under those already read (the closer acknowledgement wins)."""
    for resource in (*stack.resources,):
        resource.acks = {**outer, **resource.acks}
    stack.acks = {**outer, **stack.acks}
    for ack in outer:
        stack.ack_sources.setdefault(ack, set()).add("")
    return stack


def _within(path: str, parent: str) -> bool:
    return not parent or path == parent or path.startswith(parent + "/")


__all__ = ["FIPS_CONTEXT_KEY", "PACK_NAME", "RULES", "DataProtectionChecks", "scope_stacks"]
