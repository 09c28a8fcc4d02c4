"""examples/starter: the app a user copies. Its cdk.json holds the feature flags this library is tested
with (the repository's cdk.json), its package.json the CDK CLI that package-lock.json pins; the app
synthesizes with the pack registered. tests/test_user_path.py runs it with the CDK CLI from an installed
wheel, outside the repository.
"""

from __future__ import annotations

import json
import runpy
from typing import Any

import pytest

from conftest import REPO

STARTER = REPO / "examples" / "starter"


def load(path: str) -> Any:
    return json.loads((REPO / path).read_text())


def test_the_starter_has_the_feature_flags_the_library_is_tested_with() -> None:
    ours = {k: v for k, v in load("cdk.json")["context"].items() if not k.startswith("secure-imagebuilder:")}
    starter = load("examples/starter/cdk.json")
    assert starter["context"] == ours
    assert starter["app"] == "python app.py"


def test_the_starter_pins_the_cdk_cli_of_package_lock() -> None:
    pinned = load("package-lock.json")["packages"]["node_modules/aws-cdk"]["version"]
    assert load("examples/starter/package.json")["devDependencies"] == {"aws-cdk": pinned}
    # Ours also holds mermaid, which only the explain tests use.
    assert load("package.json")["devDependencies"]["aws-cdk"] == pinned


def test_the_starter_synthesizes_with_the_pack(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace = runpy.run_path(str(STARTER / "app.py"))
    stack = namespace["stack"]
    assembly = stack.node.root.synth()
    assert "Images" in [s.stack_name for s in assembly.stacks]
