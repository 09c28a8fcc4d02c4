"""Stack-wide findings acknowledged in a plain template's top-level Metadata (issue 24, item 6), so that a
scan of a committed template agrees with the app that acknowledged them.
"""

from __future__ import annotations

import json
import pathlib

from scanning import run_scan

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
ACKNOWLEDGED = """\
Metadata:
  cdk_nag:
    rules_to_suppress:
      - id: DataProtection-AUD1
        reason: the organization trail records these calls
"""


def test_the_templates_top_level_metadata_acknowledges_aud1(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(ACKNOWLEDGED + (FIXTURES / "warning_only.yaml").read_text())
    result = run_scan(path, "--format", "json")
    assert result.returncode == 0, result.stderr
    (aud1,) = json.loads(result.stdout)["findings"]
    assert (aud1["id"], aud1["suppressed"]) == ("DataProtection-AUD1", True)
    assert aud1["justification"] == "the organization trail records these calls"
    text = run_scan(path).stdout
    assert "WARNING" not in text
    assert f"  {path}: DataProtection-AUD1 t.yaml: the organization trail records these calls\n" in text


def test_without_it_aud1_is_reported() -> None:
    result = run_scan(FIXTURES / "warning_only.yaml", "--format", "json")
    (aud1,) = json.loads(result.stdout)["findings"]
    assert (aud1["id"], aud1["suppressed"], aud1["line"]) == ("DataProtection-AUD1", False, None)
