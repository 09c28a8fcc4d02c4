"""Without the ``cdk`` extra: the scanner works, and a construct import says which extra to install.

The interpreter runs with an import hook that hides what the extra brings (aws_cdk, constructs, cdk_nag,
jsii), as in the core package's environment (the pre-commit hook's). tests/test_user_path.py checks the
same in a real environment without them.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import REPO

HIDE_CDK = """
import sys

class HideCdk:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {"aws_cdk", "constructs", "cdk_nag", "jsii"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, HideCdk())
"""


def run_without_cdk(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-c", HIDE_CDK + code], env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "statement",
    [
        "from secure_imagebuilder import ImageBuilderKey",
        "from secure_imagebuilder import SecureImagePipeline",
        "import secure_imagebuilder; secure_imagebuilder.RolesAnywhereAccess",
        "from secure_imagebuilder.nag import DataProtectionChecks",
    ],
)
def test_a_construct_without_the_extra_names_the_extra(statement: str) -> None:
    result = run_without_cdk(
        f"""
try:
    {statement}
except ImportError as error:
    print(type(error).__name__, error)
"""
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ImportError "), result.stdout
    assert "pip install 'cdk-secure-imagebuilder[cdk]'" in result.stdout
    assert "missing module: aws_cdk" in result.stdout or "missing module: constructs" in result.stdout


def test_the_scanner_needs_no_cdk() -> None:
    fixture = REPO / "tests" / "cli" / "fixtures" / "bad.yaml"
    result = run_without_cdk(
        f"""
import sys
from secure_imagebuilder.cli.main import main
sys.exit(main(["scan", {str(fixture)!r}]))
"""
    )
    assert result.returncode == 1, result.stderr
    assert "DataProtection-" in result.stdout
    assert "aws_cdk" not in result.stderr


def test_a_missing_module_the_extra_does_not_bring_is_left_as_it_is() -> None:
    from secure_imagebuilder import _missing_extra

    assert _missing_extra(ModuleNotFoundError("No module named 'yaml'", name="yaml"), "x") is None
    clear = _missing_extra(ModuleNotFoundError("No module named 'aws_cdk'", name="aws_cdk.aws_kms"), "x")
    assert clear is not None and clear.name == "aws_cdk.aws_kms"
