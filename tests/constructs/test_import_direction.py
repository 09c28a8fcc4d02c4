"""Imports point one way (docs/architecture.md): constructs and core never import the rule pack, and the
numbers both sides enforce live in one pure-Python module."""

from __future__ import annotations

import ast
import pathlib

from conftest import REPO

PACKAGE = REPO / "src" / "secure_imagebuilder"
# The rule pack and what reads it (plugin, CLI, explain, flow matrix): the constructs may not import it.
RULE_SIDE = ("rules", "nag", "cli", "explain", "flows", "testing.py")


def _imports(path: pathlib.Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _construct_side() -> list[pathlib.Path]:
    return [
        path for path in sorted(PACKAGE.rglob("*.py")) if path.relative_to(PACKAGE).parts[0] not in RULE_SIDE
    ]


def test_constructs_and_core_never_import_the_rules() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(i for i in _imports(path) if ".rules" in i or ".nag" in i)
        for path in _construct_side()
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_thresholds_are_pure_python() -> None:
    assert _imports(PACKAGE / "core" / "thresholds.py") == {"__future__", "__future__.annotations"}


def test_the_rules_read_their_thresholds_from_the_same_module() -> None:
    rules = [
        p for p in (PACKAGE / "rules").rglob("*.py") if "secure_imagebuilder.core.thresholds" in _imports(p)
    ]
    assert len(rules) >= 3  # KMS3 pending window, RA1 session length, TLS1 minimum version


def test_nothing_in_the_package_is_deprecated() -> None:
    """One spelling per idea before 1.0: no module warns about an old spelling (pyproject turns such a
    warning into an error as well)."""
    warning = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if "DeprecationWarning" in path.read_text(encoding="utf-8")
    ]
    assert warning == []
