"""The four report formats of a scan: text, JSON (docs/cli.md has its schema), SARIF 2.1.0 and JUnit XML.

Every format lists acknowledged findings as suppressed, with their reason; none of them fails on those.
Text, JSON and SARIF list the files skipped as not CloudFormation templates, with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from secure_imagebuilder.cli.inputs import Skipped
from secure_imagebuilder.rules.engine.model import Finding, Level, Rule, Stack
from secure_imagebuilder.rules.engine.run import Engine
from secure_imagebuilder.rules.table import PACK_NAME, RULES

TOOL = "secure-imagebuilder"
INFORMATION_URI = "https://github.com/cdk-secure-imagebuilder/cdk-secure-imagebuilder"
JSON_SCHEMA_VERSION = 1
_SARIF_LEVELS = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "note"}


@dataclass(frozen=True)
class Located:
    """A finding with the file it was read from and the resource's line there (if known)."""

    finding: Finding
    template: str
    line: int | None

    @property
    def suppressed(self) -> bool:
        """Whether the finding is acknowledged (it never fails a scan)."""
        return self.finding.acknowledged is not None

    @property
    def logical_id(self) -> str:
        """The logical id, or the stack's own name for stack-wide findings."""
        return self.finding.resource.logical_id or self.finding.stack.path

    def message(self) -> str:
        """The violation, the rule's crash, or what the rule could not decide."""
        return self.finding.message


def fails(located: Iterable[Located]) -> bool:
    """Whether an unacknowledged error-level finding remains (exit code 1)."""
    return any(item.finding.level == Level.ERROR and not item.suppressed for item in located)


def text(located: list[Located], scanned_templates: int, skipped: Sequence[Skipped] = ()) -> str:
    """One line per finding (template:line, level, rule id, logical id, message, fix), then the suppressed.

    Then the skipped files with the reason, and a summary line.
    """
    lines = []
    for item in [i for i in located if not i.suppressed]:
        where = f"{item.template}:{item.line}" if item.line else item.template
        construct_path = item.finding.resource.path
        path = f" ({construct_path})" if construct_path and construct_path != item.logical_id else ""
        fix = "" if item.finding.error else f"\n    fix: {item.finding.rule.explanation}"
        lines.append(
            f"{where}: {item.finding.level.value.upper()} {item.finding.rule_id} {item.logical_id}{path}: "
            f"{item.message()}{fix}"
        )
    suppressed = [i for i in located if i.suppressed]
    if suppressed:
        lines.append("suppressed (acknowledged with a reason):")
        lines.extend(
            f"  {i.template}: {i.finding.rule_id} {i.logical_id}: {i.finding.acknowledged}"
            for i in suppressed
        )
    lines.extend(f"skipped {skip.path}: {skip.reason}" for skip in skipped)
    open_items = [i for i in located if not i.suppressed]
    counts = {level: sum(1 for i in open_items if i.finding.level == level) for level in Level}
    lines.append(
        f"{scanned_templates} template(s): {counts[Level.ERROR]} error(s), {counts[Level.WARNING]} "
        f"warning(s), {counts[Level.INFO]} info, {len(suppressed)} suppressed"
        + (f", {len(skipped)} file(s) skipped" if skipped else "")
    )
    return "\n".join(lines) + "\n"


def as_json(
    located: list[Located], scanned_templates: int, version: str, skipped: Sequence[Skipped] = ()
) -> str:
    """The JSON report (schema version 1, documented in docs/cli.md)."""
    open_items = [i for i in located if not i.suppressed]
    report = {
        "schemaVersion": JSON_SCHEMA_VERSION,
        "tool": {"name": TOOL, "version": version},
        "summary": {
            "templates": scanned_templates,
            "errors": sum(1 for i in open_items if i.finding.level == Level.ERROR),
            "warnings": sum(1 for i in open_items if i.finding.level == Level.WARNING),
            "infos": sum(1 for i in open_items if i.finding.level == Level.INFO),
            "suppressed": len(located) - len(open_items),
            "skipped": len(skipped),
        },
        "findings": [
            {
                "id": i.finding.rule_id,
                "rule": f"{PACK_NAME}-{i.finding.rule.id}",
                "level": i.finding.level.value,
                "template": i.template,
                "line": i.line,
                "stack": i.finding.stack.path,
                "logicalId": i.finding.resource.logical_id,
                "constructPath": i.finding.resource.path,
                "message": i.message(),
                "fix": i.finding.rule.explanation,
                "recommendations": list(i.finding.rule.refs),
                "suppressed": i.suppressed,
                "justification": i.finding.acknowledged,
                "ruleError": i.finding.error,
            }
            for i in located
        ],
        "skipped": [{"path": skip.path, "reason": skip.reason} for skip in skipped],
    }
    return json.dumps(report, indent=2) + "\n"


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    refs = ", ".join(rule.refs)
    return {
        "id": f"{PACK_NAME}-{rule.id}",
        "name": rule.check.__name__,
        "shortDescription": {"text": rule.info},
        "fullDescription": {"text": f"{rule.info} {rule.explanation}"},
        "help": {"text": f"{rule.explanation} (recommendations {refs}; see docs/rules.md)"},
        "defaultConfiguration": {"level": _SARIF_LEVELS[rule.level]},
        "properties": {"tags": ["security", *rule.refs]},
    }


def sarif(located: list[Located], version: str, skipped: Sequence[Skipped] = ()) -> str:
    """A SARIF 2.1.0 log: every rule of the pack in the driver, one result per finding.

    Skipped files are tool execution notifications (level ``note``) of the run's invocation.
    """
    index = {rule.id: number for number, rule in enumerate(RULES)}
    results = []
    for item in located:
        physical: dict[str, Any] = {"artifactLocation": {"uri": item.template}}
        if item.line:
            physical["region"] = {"startLine": item.line}
        result: dict[str, Any] = {
            "ruleId": f"{PACK_NAME}-{item.finding.rule.id}",
            "level": _SARIF_LEVELS[item.finding.level],
            "message": {"text": f"{item.logical_id}: {item.message()} [{item.finding.rule_id}]"},
            "locations": [
                {
                    "physicalLocation": physical,
                    "logicalLocations": [
                        {
                            "name": item.logical_id,
                            "fullyQualifiedName": f"{item.finding.stack.path}/{item.logical_id}",
                            "kind": "resource",
                        }
                    ],
                }
            ],
            "partialFingerprints": {
                "findingId": f"{item.finding.stack.path}/{item.logical_id}/{item.finding.rule_id}"
            },
        }
        if item.finding.rule.id in index:
            result["ruleIndex"] = index[item.finding.rule.id]
        if item.suppressed:
            result["suppressions"] = [{"kind": "inSource", "justification": item.finding.acknowledged}]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL,
                        "version": version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_sarif_rule(rule) for rule in RULES],
                    }
                },
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [_sarif_skipped(skip) for skip in skipped],
                    }
                ],
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _sarif_skipped(skip: Skipped) -> dict[str, Any]:
    return {
        "level": "note",
        "message": {"text": f"skipped: {skip.reason}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": skip.path}}}],
    }


def junit(located: list[Located], stacks: list[tuple[str, Stack]], engine: Engine) -> str:
    """JUnit XML: one test case per resource and applicable rule.

    An unacknowledged error is a ``failure``; a warning or info is printed in ``system-out`` (it does not
    fail the scan either); an acknowledged finding is ``skipped`` with its reason.
    """
    by_case: dict[tuple[str, str, str], list[Located]] = {}
    for item in located:
        key = (item.template, item.logical_id, f"{PACK_NAME}-{item.finding.rule.id}")
        by_case.setdefault(key, []).append(item)
    suites = ElementTree.Element("testsuites", name=TOOL)
    for template, stack in stacks:
        suite = ElementTree.SubElement(suites, "testsuite", name=f"{template} ({stack.path})")
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for resource in [stack.itself, *stack.resources] if stack.whole else stack.resources:
            logical_id = resource.logical_id or stack.path
            for rule in engine.rules_for(resource.type):
                rule_id = f"{PACK_NAME}-{rule.id}"
                case = ElementTree.SubElement(
                    suite, "testcase", classname=f"{template}.{logical_id}", name=rule_id
                )
                counts["tests"] += 1
                outcome = _junit_outcome(case, by_case.get((template, logical_id, rule_id), []))
                if outcome:
                    counts[outcome] += 1
        for name, value in {**counts, "errors": 0}.items():
            suite.set(name, str(value))
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _junit_outcome(case: ElementTree.Element, items: list[Located]) -> str | None:
    open_items = [i for i in items if not i.suppressed]
    errors = [i for i in open_items if i.finding.level == Level.ERROR]
    if errors:
        failure = ElementTree.SubElement(case, "failure", message=errors[0].message(), type="error")
        failure.text = "\n".join(f"{i.finding.rule_id}: fix: {i.finding.rule.explanation}" for i in errors)
        return "failures"
    if open_items:
        out = ElementTree.SubElement(case, "system-out")
        out.text = "\n".join(
            f"{i.finding.level.value}: {i.finding.rule_id}: {i.message()}" for i in open_items
        )
        return None
    if items:
        skip = ElementTree.SubElement(case, "skipped", message="acknowledged")
        skip.text = "\n".join(f"{i.finding.rule_id}: {i.finding.acknowledged}" for i in items)
        return "skipped"
    return None
