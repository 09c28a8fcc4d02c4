"""Every Python block of the README and of docs/ runs as shown.

The blocks of one document run in order in one namespace (a later block may use names an earlier one
defined), in a temporary working directory; functions named ``test_*`` that a block defines are called.
Files a block reads are the user's own (a CA certificate): the test writes them first.
"""

from __future__ import annotations

import os
import pathlib
import re
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import REPO
from pki import crl, issue

BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def _blocks(document: pathlib.Path) -> list[str]:
    return BLOCK.findall(document.read_text(encoding="utf-8"))


def test_the_readme_has_blocks_to_run() -> None:
    assert len(_blocks(REPO / "README.md")) >= 3


@pytest.fixture
def workdir(tmp_path: pathlib.Path) -> Iterator[pathlib.Path]:
    """A working directory holding the files the documents name (a CA certificate and its CRL)."""
    ca = issue("Build hosts CA")
    certs = tmp_path / "certs"
    certs.mkdir()
    (certs / "build-hosts-ca.pem").write_bytes(ca.pem)
    (certs / "build-hosts-ca.crl.pem").write_bytes(crl(ca))
    before = pathlib.Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


@pytest.mark.parametrize(
    "document", [d for d in DOCUMENTS if _blocks(d)], ids=lambda d: str(d.relative_to(REPO))
)
def test_python_blocks_run(document: pathlib.Path, workdir: pathlib.Path) -> None:
    namespace: dict[str, Any] = {"__name__": f"docs_{document.stem}"}
    for index, block in enumerate(_blocks(document)):
        code = compile(block, f"{document.name}[block {index + 1}]", "exec")
        exec(code, namespace)  # the documents are ours: running them is the point
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            value()


# Blocks that are not run here, and what checks them instead.
RUN_ELSEWHERE = {
    "python tests/test_images.py": "tests/test_user_path.py runs it with pytest and its snapshot workflow",
}
# Commands, output, configuration, diagrams: shown, not run here (tests/explain renders the mermaid ones).
NOT_CODE = {"bash", "text", "yaml", "json", "mermaid", ""}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: str(d.relative_to(REPO)))
def test_every_code_block_is_run_here_or_by_a_named_test(document: pathlib.Path) -> None:
    """A Python block with an info string after ``python`` would escape this file: each is listed."""
    fences = re.findall(r"^```(.*)\n(?:.*?\n)*?^```\s*$", document.read_text(encoding="utf-8"), re.MULTILINE)
    unknown = [f for f in fences if f != "python" and f not in RUN_ELSEWHERE and f not in NOT_CODE]
    assert unknown == []
