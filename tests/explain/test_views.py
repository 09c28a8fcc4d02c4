"""The Mermaid flowchart parses in Mermaid itself, and the HTML pages work in a real browser.

One headless Chromium for the module (Debian's, installed by the set-up where absent: tests/browser.py).
The Mermaid check loads the Mermaid release pinned in package.json (``npm ci``) into a blank page and asks
``mermaid.parse`` and ``mermaid.render``: a syntax error fails the test with Mermaid's own message. The
HTML pages open with no console error, no exception, no blocked or remote request, and the diagram draws a
node, with a size, for every principal, key and encrypted resource the JSON answer lists.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

import pytest

import browser
from browser import Browser, Page
from conftest import REPO
from explain.explaining import FIXTURES, answer, keys, run

MERMAID = REPO / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"


@pytest.fixture(scope="module")
def inputs(assemblies: dict[str, pathlib.Path]) -> list[str]:
    return [*map(str, assemblies.values()), *map(str, sorted(FIXTURES.glob("*.yaml")))]


@pytest.fixture
def page(chromium: Browser) -> Page:
    return Page(chromium)


def _output(command: str, *args: str) -> str:
    result = run(command, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_mermaid_flowchart_parses_and_draws_every_node(
    page: Page, inputs: list[str], tmp_path: pathlib.Path
) -> None:
    assert MERMAID.exists(), "Mermaid is a devDependency in package.json: run `npm ci` (make test does)"
    host = tmp_path / "mermaid.html"
    host.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><script src="{MERMAID.as_uri()}"></script>'
        "</head><body></body></html>"
    )
    page.open(host)
    page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'}); true")
    empty = tmp_path / "empty.yaml"
    empty.write_text("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    for args in (inputs, [str(FIXTURES / "public_key.yaml")], [str(empty)]):
        text = _output("explain", "--format", "mermaid", *args)
        assert page.evaluate(f"mermaid.parse({json.dumps(text)}).then(r => r.diagramType)") == "flowchart-v2"
        nodes = re.findall(r"^    %% node (n\d+) = ", text, re.MULTILINE)
        drawn = page.evaluate(
            f"mermaid.render('diagram', {json.dumps(text)}).then(r => {{ document.body.innerHTML = r.svg;"
            " return document.querySelectorAll('svg g.node').length; })"
        )
        assert drawn == len(nodes), args
    assert page.complaints() == [] and page.requests() == []


def test_a_mermaid_syntax_error_would_fail_the_check(page: Page, tmp_path: pathlib.Path) -> None:
    """Guards the check above: Mermaid rejects a broken edge label, and the harness reports it."""
    host = tmp_path / "mermaid.html"
    host.write_text(f'<!DOCTYPE html><html><head><script src="{MERMAID.as_uri()}"></script></head></html>')
    page.open(host)
    with pytest.raises(AssertionError, match="Parse error"):
        page.evaluate('mermaid.parse("flowchart LR\\n  n0 -->|\\"a\\" n1")')


def _drawn(page: Page) -> dict[str, list[float]]:
    found: dict[str, list[float]] = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('svg [data-node]')].map(n => {"
        " const box = n.getBoundingClientRect(); return [n.dataset.node, [box.width, box.height]]; }))"
    )
    return found


def _listed(document: dict[str, Any]) -> set[str]:
    return {
        node
        for key in keys(document)
        for node in [key["id"], *(p["id"] for p in key["principals"]), *(u["id"] for u in key["encrypts"])]
    }


def test_the_explain_page_opens_cleanly_and_draws_every_principal_and_key(
    page: Page, inputs: list[str], tmp_path: pathlib.Path
) -> None:
    html = tmp_path / "explain.html"
    assert run("explain", "--format", "html", "--output", str(html), *inputs).returncode == 0
    page.open(html)
    assert page.complaints() == [] and page.requests() == []
    drawn = _drawn(page)
    document = answer(*inputs)
    principals_and_keys = {k["id"] for k in keys(document)} | {
        p["id"] for k in keys(document) for p in k["principals"]
    }
    assert principals_and_keys - set(drawn) == set()
    assert set(drawn) == _listed(document)
    assert all(width > 0 and height > 0 for width, height in drawn.values())
    # The script works: hovering a key dims every edge that does not touch it.
    key = next(iter(k["id"] for k in keys(document) if k["principals"]))
    dimmed = page.evaluate(
        "(() => { const node = [...document.querySelectorAll('[data-node]')]"
        f".find(n => n.dataset.node === {json.dumps(key)});"
        " node.dispatchEvent(new Event('mouseenter'));"
        " return [...document.querySelectorAll('svg .edge')].filter(e => !e.classList.contains('dim'))"
        ".every(e => e.dataset.source === node.dataset.node || e.dataset.target === node.dataset.node); })()"
    )
    assert dimmed is True
    assert page.complaints() == []


def test_the_report_page_opens_cleanly_with_its_diagrams(
    page: Page, assemblies: dict[str, pathlib.Path], tmp_path: pathlib.Path
) -> None:
    html = tmp_path / "report.html"
    inputs = [str(assemblies["blueprint"]), str(FIXTURES / "public_key.yaml")]
    assert run("report", "--format", "html", "--output", str(html), *inputs).returncode == 0
    page.open(html)
    assert page.complaints() == [] and page.requests() == []
    assert set(_drawn(page)) == _listed(answer(*inputs))
    statuses = page.evaluate("[...document.querySelectorAll('td[class^=status-]')].map(td => td.textContent)")
    assert len(statuses) == 2 * 19 and "violated" in statuses and "outside" in statuses


def test_without_apt_the_browser_tests_skip_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    """Chromium is installed with apt where absent; only a machine without apt skips, and says why."""
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    assert (
        browser.installed() == "Debian's chromium is not installed and apt-get is not available to install it"
    )
