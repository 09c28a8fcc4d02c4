"""End to end: the pinned CDK CLI synthesizes app.py exactly as `make synth` does, offline."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from conftest import REPO

CDK = REPO / "node_modules" / ".bin" / "cdk"


@pytest.mark.skipif(not CDK.exists(), reason="the CDK CLI is installed by `make` (npm ci)")
def test_cdk_cli_synthesizes_app_with_both_nag_packs(tmp_path: pathlib.Path) -> None:
    bin_dir = pathlib.Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
    }
    result = subprocess.run(
        [
            str(CDK),
            "synth",
            "--no-notices",
            "--quiet",
            "--output",
            str(tmp_path / "cdk.out"),
            "--context",
            f"secure-imagebuilder:versions-file={tmp_path / 'versions.json'}",
            "--context",
            "secure-imagebuilder:record-versions=true",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "end-of-life" not in output, "jsii ran on an unsupported Node.js"
    templates = sorted((tmp_path / "cdk.out").glob("*.template.json"))
    assert templates, "no template synthesized"
    manifest = json.loads((tmp_path / "cdk.out" / "manifest.json").read_text())
    assert manifest["version"].startswith("5"), "the assembly schema the pinned CLI must read"
    assert json.loads((tmp_path / "versions.json").read_text()), "the version lock recorded nothing"
