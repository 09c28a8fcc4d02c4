"""The nag tests' case stacks, frozen as cloud assemblies, give the same findings without CDK.

tests/nag builds each case table with CDK, checks the pack's findings against the table, and keeps
``tests/rules/frozen/<name>/`` current: the cloud assembly and those findings. Here the rules read the same
assembly the way the scanner does, so the whole case table runs in milliseconds and a mutation run
(``make mutation``) reaches every rule through it.
"""

from __future__ import annotations

import json
import pathlib

import pytest

from secure_imagebuilder.rules.engine import assembly, run

FROZEN = pathlib.Path(__file__).parent / "frozen"
CASE_SETS = sorted(path.name for path in FROZEN.iterdir() if path.is_dir())


def _within(path: str, parent: str) -> bool:
    return not parent or path == parent or path.startswith(parent + "/")


def test_every_case_set_of_the_nag_tests_is_frozen() -> None:
    assert CASE_SETS == ["Content", "Cov", "Fips", "IB", "KI", "Tls"]


@pytest.mark.parametrize("name", CASE_SETS)
def test_the_rules_find_on_the_frozen_assembly_what_the_pack_found_in_cdk(name: str) -> None:
    expected = json.loads((FROZEN / name / "findings.json").read_text(encoding="utf-8"))
    stacks = assembly.read_assembly(FROZEN / name / "assembly", fips=expected["fips"])
    in_scope = [stack for stack in stacks if _within(stack.path, expected["scope"])]
    found = sorted(
        [f.rule_id, f.resource.logical_id or "", f.resource.path or ""]
        for f in run.evaluate(in_scope)
        if f.acknowledged is None
    )
    assert found == expected["findings"]
