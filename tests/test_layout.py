"""The shape of the code: small steps (no library function body over 60 lines)."""

from __future__ import annotations

import ast

from conftest import REPO

MAX_BODY_LINES = 60


def test_no_library_function_body_is_longer_than_60_lines() -> None:
    long = []
    for path in sorted((REPO / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]  # the docstring
            if body and (node.end_lineno or 0) - body[0].lineno + 1 > MAX_BODY_LINES:
                long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}")
    assert long == []
