"""The ``secure-imagebuilder scan`` console script, run as a subprocess as CI runs it.

Formats are parsed back (JSON, SARIF 2.1.0 structure, JUnit XML); findings equal the in-app pack's on the
same templates; acknowledgements are honoured; exit codes; no aws_cdk or jsii in the scanner process.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from typing import Any
from xml.etree import ElementTree

import aws_cdk as cdk
import pytest

from conftest import CDK_CONTEXT
from secure_imagebuilder.nag import DataProtectionChecks

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
CDK_MODULES = ("aws_cdk", "jsii", "cdk_nag", "constructs")
Assembly = tuple[pathlib.Path, set[tuple[str, str]]]


def scan(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the scanner in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "secure_imagebuilder.cli", "scan", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def as_json(*args: str) -> dict[str, Any]:
    result = scan(*args, "--format", "json")
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def ids(report: dict[str, Any], *, suppressed: bool = False) -> set[tuple[str | None, str]]:
    return {(f["logicalId"], f["id"]) for f in report["findings"] if f["suppressed"] is suppressed}


# --- exit codes and inputs ---------------------------------------------------------------------


def test_a_clean_template_exits_0() -> None:
    result = scan(str(FIXTURES / "clean.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stdout


def test_an_error_exits_1_and_names_template_logical_id_rule_message_and_fix() -> None:
    result = scan(str(FIXTURES / "bad.yaml"))
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if "DataProtection-KMS1" in line)
    assert line.startswith(f"{FIXTURES / 'bad.yaml'}:5: ERROR DataProtection-KMS1 Key: ")
    assert "fix: R5: set EnableKeyRotation: true" in result.stdout


def test_warnings_alone_do_not_fail() -> None:
    result = scan(str(FIXTURES / "warning_only.yaml"))
    assert result.returncode == 0, result.stdout
    assert "WARNING DataProtection-AUD1" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.yaml"], "missing.yaml: cannot be read"),
        ([str(FIXTURES / "broken.yaml")], f"{FIXTURES / 'broken.yaml'}:3:1: not valid YAML"),
        ([str(HERE)], f"{FIXTURES / 'broken.yaml'}:3:1: not valid YAML"),
        (["--format", "xml", "x.yaml"], "invalid choice: 'xml'"),
    ],
)
def test_usage_errors_and_unreadable_inputs_exit_2_naming_the_path(args: list[str], message: str) -> None:
    result = scan(*args)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_file_that_is_not_a_template_is_skipped_and_reported() -> None:
    result = scan(str(FIXTURES / "not_a_template.yaml"))
    assert result.returncode == 0, result.stderr
    assert f"skipped {FIXTURES / 'not_a_template.yaml'}: not a CloudFormation template" in result.stdout
    assert result.stdout.endswith(
        "0 template(s): 0 error(s), 0 warning(s), 0 info, 0 suppressed, 1 file(s) skipped\n"
    )


def test_output_file(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "report.json"
    result = scan(str(FIXTURES / "bad.yaml"), "--format", "json", "--output", str(out))
    assert result.returncode == 1 and result.stdout == ""
    assert json.loads(out.read_text())["summary"]["errors"] == 4


# --- the template: short forms, intrinsics, acknowledgements ------------------------------------


def test_yaml_short_forms_and_in_template_acknowledgements() -> None:
    report = as_json(str(FIXTURES / "bad.yaml"))
    assert ids(report) == {
        ("Key", "DataProtection-KMS1"),
        ("Key", "DataProtection-KMS2[DeletionPolicy]"),
        ("Key", "DataProtection-KMS2[UpdateReplacePolicy]"),
        ("Component", "DataProtection-IB1"),
        (None, "DataProtection-AUD1"),
    }
    (suppressed,) = [f for f in report["findings"] if f["suppressed"]]
    assert suppressed["id"] == "DataProtection-SD1[Description]"
    assert suppressed["justification"] == "the description is public on purpose"
    assert report["summary"] == {
        "templates": 1,
        "errors": 4,
        "warnings": 1,
        "infos": 0,
        "suppressed": 1,
        "skipped": 0,
    }
    assert report["skipped"] == []


def test_fips_flag_turns_on_fips1() -> None:
    assert not any(
        f["rule"] == "DataProtection-FIPS1" for f in as_json(str(FIXTURES / "endpoint.yaml"))["findings"]
    )
    fips = as_json(str(FIXTURES / "endpoint.yaml"), "--fips")
    assert ("Endpoint", "DataProtection-FIPS1[ServiceEndpoint]") in ids(fips)


# --- SARIF and JUnit ----------------------------------------------------------------------------


def test_sarif_2_1_0_structure() -> None:
    result = scan(str(FIXTURES / "bad.yaml"), "--format", "sarif")
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert "DataProtection-IB1" in rule_ids and len(rule_ids) == len(set(rule_ids))
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert "recommendations R" in rule["help"]["text"]
    for result_ in run["results"]:
        assert result_["ruleId"] == rule_ids[result_["ruleIndex"]]
        assert result_["level"] in ("error", "warning", "note")
        assert result_["message"]["text"]
        location = result_["locations"][0]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == str(FIXTURES / "bad.yaml")
    by_rule = {r["ruleId"]: r for r in run["results"]}
    key = by_rule["DataProtection-KMS1"]["locations"][0]
    assert key["physicalLocation"]["region"]["startLine"] == 5
    assert key["logicalLocations"][0]["name"] == "Key"
    assert by_rule["DataProtection-SD1"]["suppressions"] == [
        {"kind": "inSource", "justification": "the description is public on purpose"}
    ]


def test_junit_one_case_per_resource_and_rule() -> None:
    result = scan(str(FIXTURES / "bad.yaml"), "--format", "junit")
    root = ElementTree.fromstring(result.stdout)
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert int(suite.get("tests", "0")) == len(cases)
    failed = {
        (c.get("classname", "").rsplit(".", 1)[-1], c.get("name"))
        for c in cases
        if c.find("failure") is not None
    }
    assert failed == {
        ("Key", "DataProtection-KMS1"),
        ("Key", "DataProtection-KMS2"),
        ("Component", "DataProtection-IB1"),
    }
    skipped = [c for c in cases if c.find("skipped") is not None]
    assert [c.get("name") for c in skipped] == ["DataProtection-SD1"]
    assert int(suite.get("failures", "0")) == 3 and int(suite.get("skipped", "0")) == 1


# --- the same findings as the pack in the app ----------------------------------------------------


@pytest.fixture(scope="module")
def broken_assembly(tmp_path_factory: pytest.TempPathFactory) -> Assembly:
    """The deliberately broken app of tests/nag synthesized to a cdk.out, and the pack's findings on it."""
    from nag import broken_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(
        outdir=str(outdir),
        context=CDK_CONTEXT,
        analytics_reporting=False,
        builtin_cloud_formation_validation=False,
    )
    stack = broken_app.build(app)
    report = DataProtectionChecks().validate_scope(stack)
    in_app = {
        (resource.construct_path or "", violation.rule_name)
        for violation in report.violations
        for resource in violation.violating_resources
    }
    app.synth()
    return outdir, in_app


def test_cdk_out_gives_the_same_findings_as_the_pack(
    broken_assembly: tuple[pathlib.Path, set[tuple[str, str]]],
) -> None:
    outdir, in_app = broken_assembly
    result = scan(str(outdir), "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    scanned = {(f["constructPath"] or "", f["id"]) for f in report["findings"] if not f["suppressed"]}
    assert scanned == in_app
    assert len(scanned) >= 16


def test_the_scanner_imports_neither_aws_cdk_nor_jsii() -> None:
    code = (
        "import sys\n"
        "from secure_imagebuilder.cli.main import main\n"
        f"main(['scan', {str(FIXTURES / 'bad.yaml')!r}, '--format', 'json', '--output', '/dev/null'])\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {CDK_MODULES!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_installed_console_script() -> None:
    script = pathlib.Path(sys.executable).parent / "secure-imagebuilder"
    assert script.exists(), "pip install puts the console script next to the interpreter"
    result = subprocess.run(
        [str(script), "scan", str(FIXTURES / "bad.yaml")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "ERROR DataProtection-KMS1 Key" in result.stdout
