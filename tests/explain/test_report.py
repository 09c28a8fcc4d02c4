"""``secure-imagebuilder report``: R1-R19 per stack, with what each status rests on, key access and flows."""

from __future__ import annotations

import json
import pathlib
import re

import pytest

from conftest import REPO
from explain.explaining import FIXTURES, run
from secure_imagebuilder.explain.evidence import OUTSIDE, RECOMMENDATIONS
from secure_imagebuilder.rules.table import RULES


def _report(*paths: str | pathlib.Path) -> str:
    result = run("report", *map(str, paths))
    assert result.returncode == 0, result.stderr
    return result.stdout


def _rows(report: str) -> dict[str, list[str]]:
    """R-number -> the cells of its row, per the first stack of the report."""
    rows = {}
    for line in report.splitlines():
        found = re.match(r"^\| (R\d+) \| (.*) \|$", line)
        if found and found.group(1) not in rows:
            rows[found.group(1)] = [cell.strip() for cell in found.group(2).split(" | ")]
    return rows


@pytest.fixture(scope="module")
def blueprint(assemblies: dict[str, pathlib.Path]) -> str:
    return _report(assemblies["blueprint"])


def test_every_recommendation_is_reported_with_its_rules(blueprint: str) -> None:
    rows = _rows(blueprint)
    assert list(rows) == [f"R{n}" for n in range(1, 20)]
    for number, (_, status, evidence) in rows.items():
        cited = [rule.id for rule in RULES if number in rule.refs]
        if cited:
            assert evidence.startswith(f"rules {', '.join(cited)}"), number
        else:
            assert status == "outside" and evidence == OUTSIDE[number], number


def test_the_blueprint_meets_what_a_template_can_show(
    blueprint: str, assemblies: dict[str, pathlib.Path]
) -> None:
    rows = _rows(blueprint)
    template = json.loads(next(assemblies["blueprint"].glob("*.template.json")).read_text())
    (key,) = [lid for lid, r in template["Resources"].items() if r["Type"] == "AWS::KMS::Key"]
    assert {number for number, (_, status, _) in rows.items() if status == "outside"} == {"R2", "R6", "R18"}
    assert rows["R4"][1] == "acknowledged" and "The organization trail records these events." in rows["R4"][2]
    assert rows["R13"][1] == "met" and key in rows["R13"][2]
    assert {status for _, status, _ in rows.values()} <= {"met", "acknowledged", "outside"}


def test_the_report_carries_the_diagram_and_the_flows_the_policies_allow(blueprint: str) -> None:
    assert "```mermaid\nflowchart LR" in blueprint
    assert "| `workflow-key` | build/test |" in blueprint and "| allowed | all denied |" in blueprint
    flows = re.findall(
        r"^\| `([a-z-]+)` \|.*\| (\S+?)(?::[^|]*)? \| (all denied|SOME ALLOWED) \|$", blueprint, re.M
    )
    assert {flow for flow, _, _ in flows} >= {
        "decrypt-component",
        "workflow-key",
        "ebs-volumes",
        "publish-key",
    }
    assert {(status, misses) for _, status, misses in flows} == {("allowed", "all denied")}


def test_a_violation_names_its_finding_and_the_flow_it_breaks() -> None:
    report = _report(FIXTURES / "missing_grants.yaml")
    rows = _rows(report)
    assert (
        rows["R13"][1] == "violated"
        and "error: DataProtection-GRANT1[Workflow] on Pipeline:" in rows["R13"][2]
    )
    assert rows["R10"][1] == "violated" and "DataProtection-GRANT3[Component]" in rows["R10"][2]
    assert re.search(r"^\| `workflow-key` \|.*\| denied: ", report, re.M)


def test_a_stack_without_image_builder_says_what_does_not_apply(tmp_path: pathlib.Path) -> None:
    template = tmp_path / "topic.yaml"
    template.write_text("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    report = _report(template)
    assert _rows(report)["R10"][1] == "not applicable"
    assert "No KMS key in scope." in report and "No documented flow applies" in report


def test_the_recommendations_are_those_of_the_docs() -> None:
    page = (REPO / "docs" / "recommendations.md").read_text()
    recommendations, implemented = page.split("## Where each is implemented")
    assert re.findall(r"^\| (R\d+) \|", recommendations, re.M) == list(RECOMMENDATIONS)
    assert re.findall(r"^\| (R\d+) \|", implemented, re.M) == list(RECOMMENDATIONS)
