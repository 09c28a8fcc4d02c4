"""Shared helpers for the DataProtectionChecks tests: run the pack once, index findings by path."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from constructs import IConstruct

from conftest import make_stack
from secure_imagebuilder.nag import DataProtectionChecks


def findings(report: cdk.PolicyValidationPluginReport) -> dict[str, set[str]]:
    """Rule ids (with finding suffixes) by construct path."""
    fired: dict[str, set[str]] = defaultdict(set)
    for violation in report.violations:
        for resource in violation.violating_resources:
            fired[resource.construct_path or ""].add(violation.rule_name)
    return fired


def run(scope: IConstruct) -> dict[str, set[str]]:
    """``validate_scope`` once and index the findings."""
    return findings(DataProtectionChecks().validate_scope(scope))


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
        return run(stack)

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
