"""examples/github-actions/secure-imagebuilder.yml: a GitHub Actions workflow that installs the scanner,
scans and uploads SARIF. Its shape is checked here, its scan command is parsed by our own command line
(so a renamed flag fails this test), and the command runs on a template with a finding.
"""

from __future__ import annotations

import json
import os
import pathlib
import shlex
import subprocess
import sys
from typing import Any

import pytest
import yaml

from conftest import REPO
from secure_imagebuilder.cli.main import parser

WORKFLOW = REPO / "examples" / "github-actions" / "secure-imagebuilder.yml"
UPLOAD = "github/codeql-action/upload-sarif@v3"


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    return loaded


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    (job,) = workflow["jobs"].values()
    found: list[dict[str, Any]] = job["steps"]
    return found


def run_step(workflow: dict[Any, Any], command: str) -> dict[str, Any]:
    (step,) = [s for s in steps(workflow) if str(s.get("run", "")).startswith(command)]
    return step


def test_it_runs_on_pushes_and_pull_requests_with_the_upload_permission(workflow: dict[Any, Any]) -> None:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "pull_request"}
    assert workflow["permissions"] == {"contents": "read", "security-events": "write"}


def test_the_steps_check_out_install_scan_and_upload_in_that_order(workflow: dict[Any, Any]) -> None:
    order = [s.get("uses", str(s.get("run", "")).split(" ", 2)[:2]) for s in steps(workflow)]
    assert order == [
        "actions/checkout@v4",
        "actions/setup-python@v5",
        ["pip", "install"],
        ["secure-imagebuilder", "scan"],
        UPLOAD,
    ]


def test_it_installs_the_core_package_only(workflow: dict[Any, Any]) -> None:
    (spec,) = shlex.split(run_step(workflow, "pip install")["run"])[2:]
    name, _, url = spec.partition(" @ ")
    assert name == "cdk-secure-imagebuilder"  # no [cdk] extra: the scanner needs no CDK, no Node
    assert url.startswith("git+https://github.com/cdk-secure-imagebuilder/cdk-secure-imagebuilder@")


def test_the_scan_command_is_ours_and_writes_the_file_that_is_uploaded(workflow: dict[Any, Any]) -> None:
    command = shlex.split(run_step(workflow, "secure-imagebuilder scan")["run"])
    assert command[0] == "secure-imagebuilder"
    args = parser().parse_args(command[1:])
    assert (args.command, args.format, args.paths) == ("scan", "sarif", ["."])
    (upload,) = [s for s in steps(workflow) if s.get("uses") == UPLOAD]
    assert upload["with"]["sarif_file"] == args.output
    assert upload["if"] in ("${{ !cancelled() }}", "${{ always() }}")  # findings exit 1: upload anyway


def test_the_scan_command_runs_and_writes_sarif(workflow: dict[Any, Any], tmp_path: pathlib.Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "key.yaml").write_text(
        "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy: {}\n"
    )
    command = shlex.split(run_step(workflow, "secure-imagebuilder scan")["run"])
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "secure_imagebuilder.cli", *command[1:]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    sarif = json.loads((tmp_path / parser().parse_args(command[1:]).output).read_text())
    assert sarif["version"] == "2.1.0"
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"DataProtection-KMS1"}
