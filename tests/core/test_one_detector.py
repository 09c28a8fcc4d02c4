"""One detector for R8: the constructs' synth-time check and rule SD1 agree on every value of one table."""

from __future__ import annotations

from typing import Any, cast

import pytest

from secure_imagebuilder.core import checks
from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.rules.engine import assembly, run

# (value, whether it holds sensitive data)
TABLE = [
    ("nightly build of the web tier", False),
    ("owner: jane.doe@example.com", True),
    ("account 123456789012", True),
    ("account 1234-5678-9012", True),
    ("arn:aws:iam::123456789012:role/Builder", False),
    ("run 9b2f4c1e-8d7a-4f3b-9c2d-123456789012", False),
    ("key AKIAIOSFODNN7EXAMPLE", True),
    ("build 20261124", False),
    ("order 1234567890123", False),
]


def _construct_flags(value: str) -> bool:
    problems = ValidationProblems(cast(Any, None))
    checks.validate_free_text(problems, "description", value)
    return bool(problems)


def _rule_flags(value: str) -> bool:
    template = {
        "Resources": {"C": {"Type": "AWS::ImageBuilder::Component", "Properties": {"Description": value}}}
    }
    stack = assembly.stack_from_template(template, path="S")
    return any(f.rule_id.startswith("DataProtection-SD1") for f in run.evaluate([stack]))


@pytest.mark.parametrize(("value", "sensitive"), TABLE)
def test_constructs_and_rule_agree(value: str, sensitive: bool) -> None:
    assert _construct_flags(value) is sensitive
    assert _rule_flags(value) is sensitive
