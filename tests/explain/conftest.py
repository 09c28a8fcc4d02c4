"""Fixtures of the explain and report tests: the examples' cloud assemblies (synthesized once per session)
and one headless Chromium (installed with apt where absent)."""

from __future__ import annotations

import importlib
import pathlib
from collections.abc import Iterator

import pytest

from browser import Browser, browser, installed
from conftest import REPO, make_app

EXAMPLES = sorted(p.stem for p in (REPO / "examples").glob("*.py") if p.stem != "__init__")


@pytest.fixture(scope="session")
def assemblies() -> dict[str, pathlib.Path]:
    """Each example app's cloud assembly directory (``cdk.out``), synthesized once."""
    found = {}
    for name in EXAMPLES:
        app = make_app()
        importlib.import_module(f"examples.{name}").build(app)
        found[name] = pathlib.Path(app.synth().directory)
    return found


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium over the DevTools protocol; skipped only when apt cannot install it."""
    found = installed()
    if isinstance(found, str):
        pytest.skip(found)
    with browser(found) as running:
        yield running
