"""The alpha support stays optional: an extra in pyproject.toml, never imported by the core package."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from conftest import REPO


def test_alpha_extra_is_pinned_and_part_of_dev() -> None:
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extras["alpha"] == ["cdk-secure-imagebuilder[cdk]", "aws-cdk.aws-imagebuilder-alpha==2.275.0a0"]
    assert "cdk-secure-imagebuilder[alpha]" in extras["dev"]


def test_the_core_package_does_not_import_the_alpha_module() -> None:
    code = (
        "import sys, secure_imagebuilder\n"
        "assert 'aws_cdk.aws_imagebuilder_alpha' not in sys.modules, 'imported'\n"
        "assert 'secure_imagebuilder.alpha' not in sys.modules, 'imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
