"""Every example app, in an environment-agnostic stack and in a stack with an account and Region:
synthesized once each with CDK's template validation and both nag packs, checked by the independent
validators cfn-lint and checkov, and (environment-agnostic) snapshotted.

Synthesis fails (and so does the test) when CDK's validation, ``AwsSolutionsChecks`` or
``DataProtectionChecks`` reports an error that is not acknowledged with a written reason.
"""

from __future__ import annotations

import functools
import importlib
import json
import pathlib
import re
import subprocess
import sys
from typing import Any

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from conftest import REPO, make_app
from secure_imagebuilder.nag import DataProtectionChecks
from secure_imagebuilder.testing import assert_compliant, normalize

EXAMPLES = sorted(p.stem for p in (REPO / "examples").glob("*.py") if p.stem != "__init__")
BIN = pathlib.Path(sys.executable).parent
# Most production stacks pin an environment: cdk-nag's finding ids then carry literals, not tokens.
ENVIRONMENTS = {"agnostic": None, "env": cdk.Environment(account="111122223333", region="us-east-1")}
BOTH = [(name, env) for name in EXAMPLES for env in ENVIRONMENTS]


@functools.cache
def build(name: str, env: str = "agnostic") -> list[cdk.Stack]:
    """One example's stacks, synthesized with CDK validation and both packs (errors raise)."""
    app = make_app(validation=True)
    stacks: list[cdk.Stack] = importlib.import_module(f"examples.{name}").build(app, ENVIRONMENTS[env])
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(), DataProtectionChecks(app))
    app.synth()
    return stacks


def synthesize(name: str, env: str = "agnostic") -> dict[str, dict[str, Any]]:
    """One example's templates by stack name."""
    stacks = build(name, env)
    assembly = stacks[0].node.root.synth()  # type: ignore[attr-defined]
    return {stack.stack_name: assembly.get_stack_artifact(stack.artifact_id).template for stack in stacks}


@pytest.fixture(scope="module")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """All example templates, of both kinds of stack, in one folder, so each validator starts once."""
    folder = tmp_path_factory.mktemp("templates")
    for name, env in BOTH:
        for stack_name, template in synthesize(name, env).items():
            (folder / f"{name}-{env}-{stack_name}.template.json").write_text(json.dumps(template, indent=1))
    return folder


def test_there_are_examples() -> None:
    assert "quickstart" in EXAMPLES


@pytest.mark.parametrize(("name", "env"), BOTH)
def test_example_synthesizes_with_validation_and_both_nag_packs(name: str, env: str) -> None:
    assert synthesize(name, env), f"{name} has no stacks"


@pytest.mark.parametrize(("name", "env"), BOTH)
def test_example_has_no_unacknowledged_finding_not_even_a_warning(name: str, env: str) -> None:
    """Synthesis fails only on errors; the examples must not leave warnings behind either."""
    for stack in build(name, env):
        assert_compliant(stack, warnings=True)
        report = AwsSolutionsChecks().validate_scope(stack)
        assert [v.rule_name for v in report.violations] == [], f"{name} ({env}): {stack.stack_name}"


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_snapshot(name: str, snapshot: SnapshotAssertion) -> None:
    templates = {stack_name: normalize(template) for stack_name, template in synthesize(name).items()}
    assert templates == snapshot(extension_class=JSONSnapshotExtension)


def test_cfn_lint_passes_on_every_example(template_dir: pathlib.Path) -> None:
    templates = sorted(template_dir.glob("*.json"))
    assert len(templates) >= len(BOTH)
    # W3010 (hard-coded Availability Zones): a VPC in a stack with an environment gets the AZs of that
    # account and Region written in by the CDK (here its offline dummies); env-agnostic stacks use
    # Fn::GetAZs. It concerns the examples' VPC, not a construct of this library.
    result = subprocess.run(
        [str(BIN / "cfn-lint"), "--ignore-checks", "W3010", "--", *map(str, templates)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_passes_on_every_example(template_dir: pathlib.Path) -> None:
    result = subprocess.run(
        [
            str(BIN / "checkov"),
            "-d",
            str(template_dir),
            "--framework",
            "cloudformation",
            "--skip-download",
            "--quiet",
            "--compact",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout or "{}")
    reports = report if isinstance(report, list) else [report]
    failed = [
        f"{check['check_id']} {check['resource']} ({check['file_path']})"
        for rep in reports
        for check in rep.get("results", {}).get("failed_checks", [])
    ]
    assert failed == [], "\n".join(failed)
    assert result.returncode == 0, result.stderr[-2000:]
    # An empty report would pass vacuously: checkov must have run its checks on every template.
    assert sum(rep["summary"]["passed"] for rep in reports) > 100, result.stdout[-2000:]
    assert sum(rep["summary"]["resource_count"] for rep in reports) > 0


def sids(value: Any) -> list[str]:
    """Every ``Sid`` anywhere inside a template fragment."""
    if isinstance(value, dict):
        found = [value["Sid"]] if isinstance(value.get("Sid"), str) else []
        return found + [sid for item in value.values() for sid in sids(item)]
    if isinstance(value, list):
        return [sid for item in value for sid in sids(item)]
    return []


def test_every_policy_sid_is_valid_for_iam() -> None:
    """IAM accepts only [A-Za-z0-9] in Sids (the guide's example with spaces is rejected, cfn-lint E3510)."""
    found = {name: sids(synthesize(name)) for name in EXAMPLES}
    assert found["quickstart"], (
        "the key policy carries Sids; none found means this test looks in the wrong place"
    )
    assert {
        name: [sid for sid in names if not re.fullmatch(r"[A-Za-z0-9]+", sid)]
        for name, names in found.items()
    } == {name: [] for name in EXAMPLES}
