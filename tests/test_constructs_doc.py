"""docs/constructs.md: every public construct has an example that passes the pack, and a props table
that agrees with the code (issue 24 items 3 and 4).
"""

from __future__ import annotations

import inspect
import pathlib
import re
import runpy
from collections.abc import Iterator
from typing import Any

import aws_cdk as cdk
import pytest
from constructs import Construct

import constructs_doc as doc
import secure_imagebuilder as sib
from conftest import REPO
from pki import issue
from secure_imagebuilder.core import defaults, thresholds
from secure_imagebuilder.nag import DataProtectionChecks

DOCUMENTED = [name for names in doc.SECTIONS.values() for name in names]
NUMBER = re.compile(r"(?<![\w.-])\d[\d,]*(?:\.\d+)?(?![\w.])")


def test_docs_constructs_md_is_current() -> None:
    current = (REPO / "docs" / "constructs.md").read_text()
    assert current == doc.render_page(), "docs/constructs.md is stale: run `make docs`"


def test_every_public_construct_value_type_and_function_is_documented() -> None:
    public = {
        name
        for name in sib.__all__
        if not name.startswith("I") or name.startswith("Image")  # the interfaces are typing.Protocols
    } - {"Platform", "WorkflowType"}  # enums: their members are listed where a prop takes them
    classes = {n for n in public if inspect.isclass(getattr(sib, n))}
    constructs = {n for n in classes if issubclass(getattr(sib, n), Construct)}
    assert sorted(DOCUMENTED) == sorted(constructs)
    assert sorted(doc.VALUES) == sorted(public - constructs)
    snippets = {p.stem for p in doc.SNIPPETS.glob("*.py") if p.stem != "__init__"}
    assert snippets == {doc.snake(name) for name in DOCUMENTED}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pathlib.Path]:
    """A working directory with the CA certificate the Roles Anywhere example reads."""
    folder = tmp_path_factory.mktemp("snippets")
    (folder / "certs").mkdir()
    (folder / "certs" / "build-hosts-ca.pem").write_bytes(issue("Build hosts CA").pem)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        yield folder


@pytest.mark.parametrize("name", DOCUMENTED)
def test_each_example_builds_its_construct_and_passes_the_pack(name: str, workdir: pathlib.Path) -> None:
    """No finding but AUD1 (stack-wide: one trail per account is the norm, as in test_standalone)."""
    namespace = runpy.run_path(str(doc.SNIPPETS / f"{doc.snake(name)}.py"))
    assert [v for v in namespace.values() if isinstance(v, getattr(sib, name))], f"{name}: not in its example"
    stack: cdk.Stack = namespace["stack"]
    report = DataProtectionChecks().validate_scope(stack)
    found = [(v.rule_name, v.severity) for v in report.violations if v.rule_name != "DataProtection-AUD1"]
    assert found == [], name


def numbers(text: str) -> set[float]:
    return {float(n.replace(",", "")) for n in NUMBER.findall(text)}


def code_numbers(prop: doc.Prop) -> set[float]:
    """The numbers a default the signature holds stands for (a ``Duration`` in minutes, hours and days)."""
    value = prop.value
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, int | float):
        return {float(value)}
    if isinstance(value, cdk.Duration):
        minutes = value.to_minutes()
        return {minutes, minutes / 60, minutes / 1440}
    return set()


# Defaults the signature leaves to ``None`` (the construct fills them in): the value the code uses.
BEHAVIOUR: dict[tuple[str, str], set[float]] = {
    ("ImageBuilderKey", "rotation_period"): {365.0},  # not set: KMS rotates yearly ("Rotating AWS KMS keys")
    ("ImageBuilderKey", "pending_window"): {float(defaults.KEY_PENDING_WINDOW_DAYS)},
    ("WorkflowExecutionRole", "max_session_duration"): {thresholds.IAM_ROLE_SESSION_SECONDS[0] / 3600},
    ("EncryptedImageRecipe", "volumes"): {float(defaults.ROOT_VOLUME_SIZE_GIB)},
    ("EncryptedContainerRecipe", "volumes"): {float(defaults.ROOT_VOLUME_SIZE_GIB)},
    ("SecureInfrastructureConfiguration", "egress_peer"): {float(defaults.EGRESS_PORT)},
    ("RolesAnywhereAccess", "session_duration"): {thresholds.MAX_ROLES_ANYWHERE_SESSION_SECONDS / 3600},
    ("RolesAnywhereAccess", "expiry_notification_threshold"): {
        float(thresholds.ROLES_ANYWHERE_EXPIRY_NOTIFICATION_DEFAULT_DAYS)
    },
}


def documented_props() -> Iterator[tuple[str, doc.Prop]]:
    for name in [*DOCUMENTED, *doc.VALUES]:
        for prop in doc.props(getattr(sib, name)):
            yield name, prop


def test_every_number_in_a_documented_default_is_the_codes() -> None:
    """A ``Default:`` that quotes a number says what the code does: its signature, or the value it uses."""
    wrong: list[Any] = []
    for name, prop in documented_props():
        quoted = numbers(prop.default_text)
        if not quoted:
            continue
        expected = code_numbers(prop) or BEHAVIOUR.get((name, prop.name))
        if expected is None or not quoted <= expected:
            wrong.append((name, prop.name, prop.default_text, expected))
    assert wrong == []


def test_the_behaviour_table_names_only_props_that_exist() -> None:
    known = {(name, prop.name) for name, prop in documented_props()}
    assert set(BEHAVIOUR) <= known
