"""docs/explain.md shows the blueprint as explain and report see it today (``make docs`` regenerates it)."""

from __future__ import annotations

import pathlib

from conftest import REPO
from explain import render


def test_docs_explain_md_is_in_sync(assemblies: dict[str, pathlib.Path]) -> None:
    current = render.DOC.read_text(encoding="utf-8")
    assert current == render.page(assemblies["blueprint"]), "docs/explain.md is stale: run `make docs`"


def test_the_page_is_linked_and_shows_the_diagram_and_the_report() -> None:
    page = render.DOC.read_text(encoding="utf-8")
    assert "```mermaid\nflowchart LR" in page and "| R13 |" in page and "`workflow-key`" in page
    assert "(docs/explain.md)" in (REPO / "README.md").read_text()
    assert "explain.md" in (REPO / "docs" / "cli.md").read_text()
    assert "(explain.schema.json)" in page


def test_make_docs_regenerates_the_page() -> None:
    assert "tests/explain/render.py" in (REPO / "Makefile").read_text()
