"""Reports never print a NoEcho parameter's value or a credential, in any format (issue 20)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

SECRET_DEFAULT = "7"
TEMPLATE = {
    "Parameters": {
        "Days": {"Type": "Number", "Default": int(SECRET_DEFAULT), "NoEcho": True},
        "Token": {"Type": "String", "Default": "https://deploy:s3cr3t-Pa55@git.example.com/r.git"},
    },
    "Resources": {
        "Key": {
            "Type": "AWS::KMS::Key",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "EnableKeyRotation": True,
                "KeyPolicy": {},
                "PendingWindowInDays": {"Ref": "Days"},
            },
        }
    },
}


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "junit"])
def test_no_format_prints_a_no_echo_default_or_a_credential(
    tmp_path: pathlib.Path, output_format: str
) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(TEMPLATE))
    result = subprocess.run(
        [sys.executable, "-m", "secure_imagebuilder.cli", "scan", str(path), "--format", output_format],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "DataProtection-KMS3" in result.stdout and "DataProtection-URL1" in result.stdout
    assert "parameter Days is (hidden)" in result.stdout
    assert f"Days is {SECRET_DEFAULT}" not in result.stdout
    assert "s3cr3t" not in result.stdout
