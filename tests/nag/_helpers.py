"""Shared helpers for the DataProtectionChecks tests: run the pack once, index findings by path."""

from __future__ import annotations

import filecmp
import json
import os
import pathlib
import re
import shutil
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from constructs import IConstruct

from conftest import make_stack
from secure_imagebuilder.nag import DataProtectionChecks
from secure_imagebuilder.nag.pack import FIPS_CONTEXT_KEY, fips_context
from secure_imagebuilder.rules.engine import acks

# The case stacks' cloud assemblies and the pack's findings on them, frozen for the rules' own tests
# (tests/rules/test_frozen_cases.py): the same cases run without CDK, where a mutation run reaches them.
FROZEN = pathlib.Path(__file__).parents[1] / "rules" / "frozen"
UPDATE_FROZEN = "SECURE_IMAGEBUILDER_UPDATE_FROZEN"


def findings(report: cdk.PolicyValidationPluginReport) -> dict[str, set[str]]:
    """Rule ids (with finding suffixes) by construct path."""
    fired: dict[str, set[str]] = defaultdict(set)
    for violation in report.violations:
        for resource in violation.violating_resources:
            fired[resource.construct_path or ""].add(violation.rule_name)
    return fired


def run(scope: IConstruct, *, frozen: str | None = None) -> dict[str, set[str]]:
    """``validate_scope`` once and index the findings; ``frozen`` names the case set to keep current."""
    report = DataProtectionChecks().validate_scope(scope)
    if frozen:
        freeze(scope, frozen, report)
    return findings(report)


def freeze(scope: IConstruct, name: str, report: cdk.PolicyValidationPluginReport) -> None:
    """Check that ``FROZEN/name`` holds this scope's cloud assembly and the pack's findings on it.

    With ``SECURE_IMAGEBUILDER_UPDATE_FROZEN=1`` it writes them instead.
    """
    assert not acks.acknowledged(scope.node.root.node.metadata), "app-level acknowledgements are not frozen"
    stage = scope if cdk.Stage.is_stage(scope) else cdk.Stage.of(scope)
    assert stage is not None
    assembly = pathlib.Path(stage.synth().directory)  # the assembly validate_scope wrote
    expected = {
        "scope": scope.node.path,
        "fips": fips_context(scope.node.try_get_context(FIPS_CONTEXT_KEY)),
        "findings": sorted(
            [violation.rule_name, resource.resource_logical_id or "", resource.construct_path or ""]
            for violation in report.violations
            for resource in violation.violating_resources
        ),
    }
    target = FROZEN / name
    if os.environ.get(UPDATE_FROZEN) == "1":
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(assembly, target / "assembly", ignore=shutil.ignore_patterns("tree.json"))
        rows = ",\n  ".join(json.dumps(finding) for finding in expected["findings"])
        head = json.dumps({"scope": expected["scope"], "fips": expected["fips"]})[:-1]
        text = f'{head}, "findings": [\n  {rows}\n]}}\n'
        (target / "findings.json").write_text(text, encoding="utf-8")
        return
    stale = f"{target} is out of date: run the nag tests with {UPDATE_FROZEN}=1 and commit the result"
    assert json.loads((target / "findings.json").read_text(encoding="utf-8")) == expected, stale
    assert not _differences(filecmp.dircmp(assembly, target / "assembly", ignore=["tree.json"])), stale


def _differences(compared: filecmp.dircmp[str]) -> list[str]:
    found = [*compared.left_only, *compared.right_only, *compared.diff_files, *compared.funny_files]
    for sub in compared.subdirs.values():
        found.extend(_differences(sub))
    return found


STATEMENT_HASH = re.compile(r"Statement-[0-9a-f]{8}")


def area(fired: dict[str, set[str]], path: str, prefix: str) -> set[str]:
    """The ids of one area (``DataProtection-IB``) that fired on ``path``, without the pack prefix.

    Statement content hashes are shown as ``Statement-*`` (tests/rules/test_engine.py pins the hash).
    """
    return {
        STATEMENT_HASH.sub("Statement-*", i.removeprefix("DataProtection-"))
        for i in fired.get(path, set())
        if i.startswith(prefix)
    }


def rule_of(case: str) -> str:
    """The rule a numbered case targets: ``IB2`` for ``IB2Bad1``, ``IB`` for ``IB456Good1``."""
    match = re.match(r"([A-Z]+?\d*)(?:Bad|Good|Undecided)", case)
    assert match, case
    return "DataProtection-" + match.group(1)


def raw(
    stack: cdk.Stack, construct_id: str, resource_type: str, properties: dict[str, Any]
) -> cdk.CfnResource:
    """A hand-written resource (as CfnInclude or another library would produce), PascalCase properties."""
    return cdk.CfnResource(stack, construct_id, type=resource_type, properties=properties)


def stack_fixture(name: str, build: Callable[[cdk.Stack], object]) -> Any:
    """A module fixture: the findings of one stack built by ``build`` (synthesized once per module)."""

    @pytest.fixture(scope="module")
    def fired() -> dict[str, set[str]]:
        stack = make_stack(name=name)
        build(stack)
        return run(stack, frozen=name)

    return fired


def case_test(name: str, cases: dict[str, set[str]]) -> Any:
    """The parametrized test of a case table: construct id (under stack ``name``) -> expected finding ids.

    The expected set is every finding of the pack on the construct, not only the targeted rule's: another
    rule's false alarm on a case fails the test too. Each case must name its targeted rule.
    """

    @pytest.mark.parametrize(("construct_id", "expected"), cases.items(), ids=list(cases))
    def test_case(fired: dict[str, set[str]], construct_id: str, expected: set[str]) -> None:
        rule_of(construct_id)
        assert area(fired, f"{name}/{construct_id}", "DataProtection-") == expected

    return test_case
