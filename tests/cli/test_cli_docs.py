"""docs/cli.md quotes the scanner's limits and lists from the code, not from memory (issue 24, item 4)."""

from __future__ import annotations

import pathlib

from secure_imagebuilder.cli import inputs
from secure_imagebuilder.rules.engine import templates

DOC = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()


def test_the_limits_quoted_are_the_code_s() -> None:
    assert f"a file over {templates.MAX_BYTES // 1024 // 1024} MB" in DOC
    assert f"nested more than {templates.MAX_DEPTH} deep" in DOC
    assert f"more than {templates.MAX_NODES:,} nodes" in DOC


def test_every_short_form_is_listed() -> None:
    assert [tag for tag in templates.SHORT_FORMS if f"`{tag}`" not in DOC] == []


def test_the_directories_not_searched_and_the_suffixes_read_are_listed() -> None:
    assert [name for name in sorted(inputs.PRUNED) if f"`{name}`" not in DOC] == []
    assert [suffix for suffix in inputs.TEMPLATE_SUFFIXES if f"`{suffix}`" not in DOC] == []
