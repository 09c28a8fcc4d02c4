"""``scan DIR`` and mixed PATHs (issue 24): templates below a directory are scanned, cloud assemblies found
there are read as assemblies, files that are not templates are skipped and reported, never an error;
a directory with nothing to scan is exit 2, so a mistyped path never passes as clean.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any

import pytest
from scanning import (
    KEY_WITHOUT_ROTATION,
    refused,
    run_scan,
    run_scan_process,
    stack_artifact,
    write_assembly,
    write_json,
)

from secure_imagebuilder.cli import inputs

WORKFLOW = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{run: make}]\n"
TOPIC = {"Topic": {"Type": "AWS::SNS::Topic"}}


def write(path: pathlib.Path, text: str) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repository(tmp_path: pathlib.Path) -> pathlib.Path:
    """A repository as a platform team has one: templates, a workflow, npm files, a committed cdk.out."""
    root = tmp_path / "repo"
    write(root / ".github" / "workflows" / "ci.yml", WORKFLOW)
    write_json(root / "package.json", {"name": "infra", "version": "1.0.0"})
    write_json(root / "cdk.json", {"app": "python3 app.py", "context": {}})
    write(root / "templates" / "key.yaml", "Resources:\n  Key:\n    Type: AWS::KMS::Key\n")
    write_json(root / "templates" / "nested" / "topic.json", {"Resources": TOPIC})
    write(root / "node_modules" / "dep" / "broken.yaml", "Resources: [unclosed\n")
    write(root / ".venv" / "pyvenv.cfg", "home = /usr/bin\n")
    write(root / ".venv" / "lib" / "broken.yaml", "Resources: [unclosed\n")
    outdir = write_assembly(
        root / "cdk.out",
        {
            "App": stack_artifact("App.template.json"),
            "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
        },
        {"App.template.json": {"Resources": KEY_WITHOUT_ROTATION}},
    )
    write_json(outdir / "tree.json", {"version": "tree-0.1", "tree": {"id": "App"}})
    write_json(outdir / "App.assets.json", {"version": "36.0.0", "files": {}})
    write_json(
        outdir / "App.metadata.json", {"/App/Key/Resource": [{"type": "aws:cdk:logicalId", "data": "Key"}]}
    )
    return root


def test_a_directory_scans_its_templates_and_assemblies_and_skips_the_rest(repository: pathlib.Path) -> None:
    result = run_scan(repository, "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    templates = {f["template"] for f in report["findings"]}
    assert templates == {
        str(repository / "templates" / "key.yaml"),
        str(repository / "templates" / "nested" / "topic.json"),
        str(repository / "cdk.out" / "App.template.json"),
    }
    assert report["summary"]["templates"] == 3
    assert {f["stack"] for f in report["findings"]} == {
        "templates/key.yaml",
        "templates/nested/topic.json",
        "App",
    }
    assert {skip["path"]: skip["reason"] for skip in report["skipped"]} == {
        str(
            repository / ".github" / "workflows" / "ci.yml"
        ): "not a CloudFormation template (no Resources section)",
        str(repository / "cdk.json"): "not a CloudFormation template (no Resources section)",
        str(repository / "package.json"): "not a CloudFormation template (no Resources section)",
    }


def test_the_text_report_lists_what_was_skipped(repository: pathlib.Path) -> None:
    result = run_scan(repository)
    assert f"skipped {repository / 'package.json'}: not a CloudFormation template" in result.stdout
    assert result.stdout.endswith(", 3 file(s) skipped\n")


def test_one_file_that_is_no_template_among_many_paths_does_not_abort(repository: pathlib.Path) -> None:
    workflows = repository / ".github" / "workflows"
    paths = [repository / "package.json", repository / "templates" / "key.yaml", workflows / "ci.yml"]
    result = run_scan(*paths, "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["templates"] == 1
    assert [skip["path"] for skip in report["skipped"]] == [
        str(repository / "package.json"),
        str(repository / ".github" / "workflows" / "ci.yml"),
    ]


def test_the_files_of_a_committed_cdk_out_given_one_by_one(repository: pathlib.Path) -> None:
    # What a pre-commit hook passes: every changed file by name.
    names = [
        "manifest.json",
        "tree.json",
        "App.assets.json",
        "App.metadata.json",
        "App.template.json",
        "cdk.out",
    ]
    result = run_scan(*(repository / "cdk.out" / name for name in names), "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert {f["template"] for f in report["findings"]} == {str(repository / "cdk.out" / "App.template.json")}
    assert len(report["skipped"]) == 5


def test_only_files_that_are_no_templates_pass_and_say_so(repository: pathlib.Path) -> None:
    result = run_scan(repository / "package.json", repository / ".github" / "workflows" / "ci.yml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(
        "0 template(s): 0 error(s), 0 warning(s), 0 info, 0 suppressed, 2 file(s) skipped\n"
    )


def test_a_directory_without_templates_is_nothing_to_scan(repository: pathlib.Path) -> None:
    refused(
        run_scan(repository / ".github"), str(repository / ".github"), "nothing to scan", "1 file(s) skipped"
    )


def test_an_empty_directory_is_nothing_to_scan(tmp_path: pathlib.Path) -> None:
    refused(run_scan(tmp_path), f"{tmp_path}: nothing to scan: no CloudFormation template or cloud assembly")


def test_a_broken_template_below_a_directory_is_exit_2(repository: pathlib.Path) -> None:
    write(repository / "templates" / "broken.yaml", "Resources:\n  Key: [unclosed\n")
    write(repository / "templates" / "dup.json", '{"Resources": {"A": {"Type": "X"}, "A": {"Type": "Y"}}}')
    result = run_scan(repository)
    refused(
        result,
        f"{repository / 'templates' / 'broken.yaml'}:3:1: not valid YAML",
        "dup.json:1:36: duplicate key",
    )
    assert result.stdout == ""


def test_broken_yaml_that_is_no_template_is_skipped(repository: pathlib.Path) -> None:
    write(repository / "chart" / "templates" / "deployment.yaml", "spec:\n  {{- if .Values.on }}\n  a: b\n")
    write(repository / "chart" / "values.yaml", "replicas: {{ .Values.replicas }}\n")
    result = run_scan(repository, "--format", "json")
    assert result.returncode == 1, result.stderr
    skipped = {s["path"].rsplit("/", 1)[-1]: s["reason"] for s in json.loads(result.stdout)["skipped"]}
    assert skipped["deployment.yaml"].startswith("not a CloudFormation template (not valid YAML: ")
    assert skipped["values.yaml"] == "not a CloudFormation template (a mapping key that is not text)"


def test_a_broken_assembly_below_a_directory_is_exit_2(repository: pathlib.Path) -> None:
    write_json(repository / "cdk.out" / "manifest.json", [])
    refused(run_scan(repository), str(repository / "cdk.out" / "manifest.json"))


def test_symlinked_directories_are_not_followed(repository: pathlib.Path) -> None:
    os.symlink("..", repository / "templates" / "loop")
    os.symlink(repository / "node_modules", repository / "deps")
    result = run_scan_process(repository, "--format", "json", timeout=30)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["summary"]["templates"] == 3


def test_a_dangling_symlink_that_looks_like_a_template_is_exit_2(repository: pathlib.Path) -> None:
    os.symlink(repository / "gone.yaml", repository / "templates" / "gone.yaml")
    refused(run_scan(repository), f"{repository / 'templates' / 'gone.yaml'}: cannot be read")


def test_a_fifo_below_a_directory_is_skipped(repository: pathlib.Path) -> None:
    os.mkfifo(repository / "templates" / "pipe.yaml")
    result = run_scan_process(repository, "--format", "json", timeout=30)
    assert result.returncode == 1, result.stderr
    skipped = {s["path"]: s["reason"] for s in json.loads(result.stdout)["skipped"]}
    assert skipped[str(repository / "templates" / "pipe.yaml")] == "not a regular file"


def test_an_unreadable_subdirectory_is_an_error(
    repository: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, where permissions do not stop a read: the error is raised where os.walk meets it.
    locked = repository / "templates" / "nested"
    scandir = os.scandir

    def refusing(path: Any) -> Any:
        if pathlib.Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    scanned = inputs.read(str(repository), fips=False)
    assert scanned.problems == [f"{locked}: cannot be read (Permission denied)"]


def test_output_may_not_overwrite_a_file_found_in_a_directory(repository: pathlib.Path) -> None:
    key = repository / "templates" / "key.yaml"
    before = key.read_text()
    refused(run_scan(repository, "--output", key), f"--output {key}: names the input {key}")
    assert key.read_text() == before


def test_output_may_not_overwrite_a_file_of_an_assembly(repository: pathlib.Path) -> None:
    manifest = repository / "cdk.out" / "manifest.json"
    refused(run_scan(repository / "cdk.out", "--output", manifest), f"--output {manifest}")
    assert json.loads(manifest.read_text())["artifacts"]


def test_output_may_be_written_inside_a_scanned_directory(repository: pathlib.Path) -> None:
    result = run_scan(repository, "--format", "json", "--output", repository / "report.json")
    assert result.returncode == 1, result.stderr
    assert json.loads((repository / "report.json").read_text())["summary"]["templates"] == 3


def test_sarif_lists_skipped_files_as_notifications(repository: pathlib.Path) -> None:
    log = json.loads(run_scan(repository, "--format", "sarif").stdout)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    notes = {
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: (n["level"], n["message"]["text"])
        for n in invocation["toolExecutionNotifications"]
    }
    assert notes[str(repository / "package.json")] == (
        "note",
        "skipped: not a CloudFormation template (no Resources section)",
    )
    assert len(notes) == 3
