"""Helpers of the scanner's tests: run the real command line, build cloud assemblies in a directory."""

from __future__ import annotations

import contextlib
import io
import json
import pathlib
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from secure_imagebuilder.cli.main import main

KEY_WITHOUT_ROTATION = {"Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {}}}}


@dataclass(frozen=True)
class Run:
    """One finished scanner process."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run_scan(*args: str | pathlib.Path) -> Run:
    """``secure-imagebuilder scan ARGS`` in this process: its exit code and output.

    In-process so that a test reaches the code it covers (a mutation run sees it) and runs in milliseconds;
    an exception escaping ``main`` fails the test as the traceback would fail CI. ``run_scan_process``
    runs the real ``python -m`` entry point where the process itself is the subject.
    """
    stdout, stderr = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        returncode = main(["scan", *map(str, args)])
    return Run(returncode, stdout.getvalue(), stderr.getvalue(), time.perf_counter() - start)


def run_scan_process(*args: str | pathlib.Path, timeout: float = 60) -> Run:
    """``python -m secure_imagebuilder.cli scan ARGS`` in a fresh process, as CI runs it."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "secure_imagebuilder.cli", "scan", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    return Run(result.returncode, result.stdout, result.stderr, time.perf_counter() - start)


def refused(result: Run, *names: str) -> None:
    """Exit 2, our one-line message naming every one of ``names``, and no traceback."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("secure-imagebuilder: "), result.stderr
    for name in names:
        assert name in result.stderr, (name, result.stderr)


def write_json(path: pathlib.Path, value: Any) -> pathlib.Path:
    """``value`` as JSON in ``path`` (parents created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1), encoding="utf-8")
    return path


def stack_artifact(template_file: str, **extra: Any) -> dict[str, Any]:
    """A manifest entry of a stack whose template is ``template_file``."""
    return {"type": "aws:cloudformation:stack", "properties": {"templateFile": template_file}, **extra}


def write_assembly(
    outdir: pathlib.Path,
    artifacts: Any,
    templates: dict[str, Any] | None = None,
) -> pathlib.Path:
    """A cloud assembly in ``outdir``: its manifest (``artifacts``) and the template files named."""
    write_json(outdir / "manifest.json", {"version": "36.0.0", "artifacts": artifacts})
    (outdir / "cdk.out").write_text('{"version":"36.0.0"}', encoding="utf-8")
    for name, template in (templates or {}).items():
        write_json(outdir / name, template)
    return outdir
