"""The README's path, as a new user takes it (issue 24, "How to know it works").

The wheel is built with the README's command and installed, with the extras the README names, into a fresh
virtual environment outside the repository; the README's own blocks are then run from it: the starter
app synthesizes with the CDK CLI and prints the finding the README shows, the error and the
acknowledgement do what the README says, the test file and its snapshot workflow pass, and the scanner
agrees on `cdk.out` and on an exported template. A second environment holds the core package only, as the
pre-commit hook's does: the scanner works, a construct import names the extra, and its size is the one
docs/ci.md quotes.

pip may download from PyPI (its cache makes a second run fast); bytecode is not compiled (``--no-compile``),
which changes nothing but the time.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from conftest import REPO

CDK = REPO / "node_modules" / ".bin" / "cdk"
README = (REPO / "README.md").read_text()
pytestmark = pytest.mark.skipif(not CDK.exists(), reason="the CDK CLI is installed by `make` (npm ci)")


def fenced(language: str, text: str = README) -> list[str]:
    """The bodies of the fenced blocks whose info string is ``language``."""
    return re.findall(rf"^```{re.escape(language)}\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def block_with(language: str, needle: str) -> str:
    """The one ``language`` block of the README that holds ``needle``."""
    (found,) = [b for b in fenced(language) if needle in b]
    return found


@dataclass(frozen=True)
class Venv:
    """A virtual environment outside the repository and the environment its commands run in."""

    root: pathlib.Path
    env: dict[str, str]

    def bin(self, name: str) -> str:
        return str(self.root / "bin" / name)

    def run(self, *args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=cwd, env=self.env, capture_output=True, text=True, check=False)


def clean_env() -> dict[str, str]:
    """The user's environment: nothing that points at this checkout's sources or venv."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "JSII_NODE", "VIRTUAL_ENV", "CI"}}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The wheel, built as the README says (``python -m pip wheel --no-deps -w dist .``), elsewhere."""
    command = block_with("bash", "pip wheel")
    assert "python -m pip wheel --no-deps -w dist .\n" in command
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), "."],
        cwd=REPO,
        env=clean_env(),
        check=True,
        capture_output=True,
    )
    (built,) = dist.glob("cdk_secure_imagebuilder-*.whl")
    return built


def make_venv(root: pathlib.Path, requirement: str, *, maker: str = "venv") -> Venv:
    """A fresh environment at ``root`` (``venv``, or ``virtualenv`` as pre-commit makes its environments)."""
    subprocess.run([sys.executable, "-m", maker, str(root)], check=True, capture_output=True)
    env = clean_env()
    env["PATH"] = f"{root / 'bin'}{os.pathsep}{env['PATH']}"
    venv = Venv(root, env)
    installed = venv.run(
        venv.bin("python"), "-m", "pip", "install", "-q", "--no-compile", requirement, cwd=root
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    return venv


@pytest.fixture(scope="module")
def user(wheel: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """The README's install (``[cdk,node]``, and ``[test]`` for its test section), JSII_NODE as it sets it."""
    install = block_with("bash", "export JSII_NODE")
    extras = re.search(r'pip install "cdk-secure-imagebuilder\[([a-z,]+)\] @ git\+', install)
    assert extras is not None and extras.group(1) == "cdk,node"
    assert 'pip install "cdk-secure-imagebuilder[test] @ git+' in README
    venv = make_venv(tmp_path_factory.mktemp("user") / "venv", f"{wheel}[cdk,node,test]")
    export = re.search(r"^export JSII_NODE=\"\$\(python -c '(.*)'\)\"$", install, re.MULTILINE)
    assert export is not None
    node = venv.run(venv.bin("python"), "-c", export.group(1), cwd=venv.root).stdout.strip()
    assert pathlib.Path(node).is_file(), node
    venv.env["JSII_NODE"] = node
    return venv


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A copy of examples/starter, as a user makes it (without the file only the repository needs)."""
    copy = tmp_path_factory.mktemp("app") / "starter"
    shutil.copytree(REPO / "examples" / "starter", copy, ignore=shutil.ignore_patterns("__init__.py"))
    return copy


def synth(user: Venv, app: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``npx cdk synth`` of the app: the CLI its package.json pins (tests/test_starter.py checks it)."""
    return user.run(str(CDK), "synth", "--no-notices", *args, cwd=app)


def lines_of(block: str) -> list[str]:
    return [line.rstrip() for line in block.strip().splitlines()]


def shown(block: str, output: str) -> bool:
    """Every line of a README output block is a line of ``output``."""
    printed = {line.rstrip() for line in output.splitlines()}
    return all(line in printed for line in lines_of(block))


@pytest.fixture(scope="module")
def first_synth(user: Venv, starter: pathlib.Path) -> subprocess.CompletedProcess[str]:
    return synth(user, starter)


def test_the_readme_shows_the_starter_app_as_it_is(starter: pathlib.Path) -> None:
    (app,) = [b for b in fenced("python") if "app.synth()" in b]
    assert app == (starter / "app.py").read_text()


def test_the_starter_synthesizes_and_prints_the_finding_the_readme_shows(
    first_synth: subprocess.CompletedProcess[str],
) -> None:
    output = first_synth.stdout + first_synth.stderr
    assert first_synth.returncode == 0, output[-3000:]
    assert shown(block_with("text", "WARNING"), output), output[-3000:]
    assert "feature flags are not configured" not in output  # cdk.json has the flags
    assert "end-of-life" not in output  # jsii runs on the Node of the `node` extra
    assert "Type: AWS::ImageBuilder::Component" in first_synth.stdout  # and the template is printed


def edited(starter: pathlib.Path, before: str, insert: str, tmp: pathlib.Path) -> pathlib.Path:
    """A copy of the starter app with ``insert`` added before the line that starts with ``before``."""
    copy = tmp / "edited"
    shutil.copytree(starter, copy, ignore=shutil.ignore_patterns("cdk.out"))
    source = (copy / "app.py").read_text()
    index = source.index(f"\n{before}") + 1
    (copy / "app.py").write_text(source[:index] + insert.rstrip() + "\n" + source[index:])
    return copy


def test_an_error_fails_the_synth_as_the_readme_shows(
    user: Venv, starter: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    error = block_with("text", "ERROR")
    key = re.search(r"`(cdk\.aws_kms\.Key\(stack, \"Scratch\"\))`", README)
    assert key is not None
    result = synth(user, edited(starter, "cdk.Validations.of(app)", key.group(1), tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert shown(error, output), output[-3000:]
    assert "Synthesis finished with errors" in output


def test_the_acknowledgement_silences_the_finding(
    user: Venv, starter: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    acknowledge = block_with("python", "acknowledge(")
    result = synth(user, edited(starter, "app.synth()", acknowledge, tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "WARNING" not in output and "DataProtection-AUD1" not in output


def test_the_scanner_agrees_on_cdk_out_and_on_an_exported_template(
    user: Venv, starter: pathlib.Path, tmp_path: pathlib.Path, first_synth: subprocess.CompletedProcess[str]
) -> None:
    scan = block_with("bash", "secure-imagebuilder scan")
    assert "secure-imagebuilder scan cdk.out " in scan
    result = user.run(user.bin("secure-imagebuilder"), "scan", "cdk.out", cwd=starter)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING DataProtection-AUD1" in result.stdout
    sarif = user.run(
        user.bin("secure-imagebuilder"),
        "scan",
        ".",
        "--format",
        "sarif",
        "--output",
        "results.sarif",
        cwd=starter,
    )
    assert sarif.returncode == 0, sarif.stderr
    assert json.loads((starter / "results.sarif").read_text())["version"] == "2.1.0"
    # An exported template keeps the app's acknowledgement with the context key (docs/nag.md).
    app = edited(starter, "app.synth()", block_with("python", "acknowledge("), tmp_path)
    exported = synth(user, app, "-c", "secure-imagebuilder:write-acknowledgements=true", "Images")
    assert exported.returncode == 0, exported.stderr[-3000:]
    (tmp_path / "template.yaml").write_text(exported.stdout)
    report = user.run(
        user.bin("secure-imagebuilder"), "scan", "template.yaml", "--format", "json", cwd=tmp_path
    )
    findings = json.loads(report.stdout)["findings"]
    assert [(f["rule"], f["suppressed"]) for f in findings] == [("DataProtection-AUD1", True)]


def test_the_readme_test_file_and_its_snapshot_workflow(user: Venv, tmp_path: pathlib.Path) -> None:
    (tests,) = fenced("python tests/test_images.py")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_images.py").write_text(tests)
    commands = lines_of(block_with("bash", "--snapshot-update"))
    assert [c.split("#")[0].split() for c in commands] == [["pytest", "--snapshot-update"], ["pytest"]]
    pytest_run = (user.bin("python"), "-m", "pytest", "-q", "-p", "no:cacheprovider")
    update = user.run(*pytest_run, "--snapshot-update", cwd=tmp_path)
    assert update.returncode == 0, update.stdout[-3000:]
    (snapshot,) = (tmp_path / "tests" / "__snapshots__").rglob("*.json")
    check = user.run(*pytest_run, cwd=tmp_path)
    assert check.returncode == 0, check.stdout[-3000:]
    snapshot.write_text(snapshot.read_text().replace("AWS::KMS::Key", "AWS::KMS::Changed"))
    drifted = user.run(*pytest_run, cwd=tmp_path)
    assert drifted.returncode == 1 and "AWS::KMS::Changed" in drifted.stdout


@pytest.fixture(scope="module")
def core(wheel: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Venv]:
    """The core package alone, as the pre-commit hook and CI install it."""
    yield make_venv(tmp_path_factory.mktemp("core") / "venv", str(wheel), maker="virtualenv")


def test_the_core_package_scans_and_names_the_extra_for_constructs(
    core: Venv, tmp_path: pathlib.Path
) -> None:
    result = core.run(
        core.bin("secure-imagebuilder"), "scan", str(REPO / "tests/cli/fixtures/bad.yaml"), cwd=tmp_path
    )
    assert result.returncode == 1 and "DataProtection-" in result.stdout, result.stderr
    construct = core.run(
        core.bin("python"), "-c", "from secure_imagebuilder import ImageBuilderKey", cwd=tmp_path
    )
    assert construct.returncode == 1
    assert "ImportError: secure_imagebuilder.ImageBuilderKey needs the AWS CDK" in construct.stderr
    assert "pip install 'cdk-secure-imagebuilder[cdk]'" in construct.stderr


def size_mb(root: pathlib.Path) -> float:
    """As bench/hook_env.py measures: the files under ``root``, symlinks not followed, in MB."""
    files = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.lstat().st_size for p in files) / 1e6


def test_the_core_environment_is_the_size_docs_ci_quotes(core: Venv) -> None:
    """Within a quarter: made as pre-commit makes it (virtualenv), measured as bench/hook_env.py does."""
    quoted = re.search(
        r"the hook's environment takes \*\*(\d+) MB\*\*", (REPO / "docs" / "ci.md").read_text()
    )
    assert quoted is not None, "docs/ci.md: run `python bench/hook_env.py`"
    measured = size_mb(core.root)
    assert abs(measured - int(quoted.group(1))) <= int(quoted.group(1)) / 4, measured
