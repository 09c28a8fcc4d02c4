"""Running ``secure-imagebuilder explain``/``report`` as CI runs it, and reading its JSON answer."""

from __future__ import annotations

import functools
import json
import pathlib
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
SCHEMA = json.loads((HERE.parents[1] / "docs" / "explain.schema.json").read_text())
ACCESS_RULES = ("KMS4", "KMS5", "IAM1", "GRANT1", "GRANT2", "GRANT3", "GRANT4")


def run(command: str, *args: str) -> subprocess.CompletedProcess[str]:
    """One command of the console script in a fresh process (the same command runs once per session)."""
    return _run(command, *args) if "--output" not in args else _fresh(command, *args)


@functools.cache
def _run(command: str, *args: str) -> subprocess.CompletedProcess[str]:
    return _fresh(command, *args)


def _fresh(command: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "secure_imagebuilder.cli", command, *args],
        capture_output=True,
        text=True,
        check=False,
    )


def answer(*paths: str | pathlib.Path) -> dict[str, Any]:
    """``explain --format json`` of the paths."""
    result = run("explain", "--format", "json", *map(str, paths))  # the caller must not change the answer
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def scan_findings(*paths: str | pathlib.Path) -> set[str]:
    """The ids of the access findings (KMS4, KMS5, IAM1, GRANT1-4) ``scan`` reports, acknowledged or not."""
    result = run("scan", "--format", "json", *map(str, paths))
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    return {
        f"{f['stack']}:{f['id']}"
        for f in report["findings"]
        if f["rule"].removeprefix("DataProtection-") in ACCESS_RULES
    }


def flagged(document: dict[str, Any]) -> set[str]:
    """Every finding id an explain answer links, with its stack."""
    return {f"{stack['stack']}:{flag['finding']}" for stack, flag in flags(document) if flag["finding"]}


def flags(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(stack, flag) for every flag of every key, principal and path."""
    for stack in document["stacks"]:
        for key in stack["keys"]:
            yield from ((stack, flag) for flag in key["flags"])
            for principal in key["principals"]:
                yield from ((stack, flag) for flag in principal["flags"])
                for path in principal["access"]:
                    yield from ((stack, flag) for flag in path["flags"])


def keys(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every key of every stack."""
    return [key for stack in document["stacks"] for key in stack["keys"]]
