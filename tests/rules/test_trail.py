"""AUD1's question of one trail: does it record KMS's management events? (True, False, None: undecided.)

Each case is a trail's resolved properties; the rule-level cases (conditions, parameters, the message) are in
tests/rules/test_fail_closed.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from secure_imagebuilder.rules.cloudtrail.trail_present import _records_kms
from secure_imagebuilder.rules.engine import values as v

KMS = "kms.amazonaws.com"
MANAGEMENT = {"Field": "eventCategory", "Equals": ["Management"]}
UNKNOWN = v.Unknown({"Ref": "P"}, "parameter P is chosen at deploy time")


def basic(**selector: Any) -> dict[str, Any]:
    return {"IsLogging": True, "EventSelectors": [selector]}


def advanced(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"IsLogging": True, "AdvancedEventSelectors": [{"FieldSelectors": list(fields)}]}


@pytest.mark.parametrize(
    ("props", "records"),
    [
        ({"IsLogging": True}, True),
        ({"IsLogging": "true"}, True),
        ({"IsLogging": False}, False),
        ({}, None),
        ({"IsLogging": UNKNOWN}, None),
        ("not a mapping", None),
        ({"IsLogging": True, "EventSelectors": []}, True),
        ({"IsLogging": True, "EventSelectors": UNKNOWN}, None),
        ({"IsLogging": True, "AdvancedEventSelectors": UNKNOWN}, None),
    ],
    ids=[
        "logging",
        "logging as text",
        "off",
        "no flag",
        "flag unknown",
        "not a mapping",
        "no selector",
        "selectors unknown",
        "advanced unknown",
    ],
)
def test_the_trail_itself(props: Any, records: bool | None) -> None:
    assert _records_kms(props) is records


@pytest.mark.parametrize(
    ("selector", "records"),
    [
        ({}, True),
        ({"ReadWriteType": "All"}, True),
        ({"ReadWriteType": "ReadOnly"}, True),
        ({"ReadWriteType": "WriteOnly"}, False),
        ({"ReadWriteType": UNKNOWN}, None),
        ({"IncludeManagementEvents": False}, False),
        ({"IncludeManagementEvents": "false"}, False),
        ({"IncludeManagementEvents": UNKNOWN}, None),
        ({"ExcludeManagementEventSources": [KMS]}, False),
        ({"ExcludeManagementEventSources": ["rdsdata.amazonaws.com"]}, True),
        ({"ExcludeManagementEventSources": [UNKNOWN]}, None),
    ],
    ids=[
        "defaults",
        "all",
        "read-only",
        "write-only",
        "kinds unknown",
        "no management",
        "no management (text)",
        "management unknown",
        "KMS excluded",
        "RDS Data excluded",
        "exclusions unknown",
    ],
)
def test_a_basic_selector(selector: dict[str, Any], records: bool | None) -> None:
    assert _records_kms(basic(**selector)) is records


def test_one_basic_selector_that_records_is_enough_and_an_unknown_one_is_not() -> None:
    both = {"IsLogging": True, "EventSelectors": [{"IncludeManagementEvents": False}, {}]}
    assert _records_kms(both) is True
    maybe = {"IsLogging": True, "EventSelectors": [{"IncludeManagementEvents": False}, "?"]}
    assert _records_kms(maybe) is None


@pytest.mark.parametrize(
    ("fields", "records"),
    [
        ([MANAGEMENT], True),
        ([{"Field": "eventCategory", "Equals": ["Data"]}], False),
        ([], False),  # no eventCategory: CloudTrail refuses the selector, so nothing is recorded
        ([{"Field": "eventCategory", "Equals": [UNKNOWN]}], None),
        ([MANAGEMENT, {"Field": "eventSource", "NotEquals": [KMS]}], False),
        ([MANAGEMENT, {"Field": "eventSource", "NotEquals": ["rdsdata.amazonaws.com"]}], True),
        ([MANAGEMENT, {"Field": "eventSource", "NotEquals": [UNKNOWN]}], None),
        ([MANAGEMENT, {"Field": "eventSource", "Equals": [KMS]}], True),
        ([MANAGEMENT, {"Field": "eventSource", "Equals": ["s3.amazonaws.com"]}], False),
        ([MANAGEMENT, {"Field": "eventSource", "StartsWith": ["kms"]}], None),
        ([MANAGEMENT, {"Field": "readOnly", "Equals": ["false"]}], False),
        ([MANAGEMENT, {"Field": "readOnly", "Equals": ["true"]}], True),
        ([MANAGEMENT, {"Field": "readOnly", "NotEquals": ["true"]}], None),
        ([MANAGEMENT, {"Field": "eventName", "Equals": ["Decrypt"]}], None),
        (["not a field"], None),
    ],
    ids=[
        "management",
        "data only",
        "no field",
        "category unknown",
        "KMS excluded",
        "RDS Data excluded",
        "exclusions unknown",
        "KMS only",
        "S3 only",
        "an operator not read",
        "writes only",
        "reads only",
        "readOnly negated",
        "a field not read",
        "not a field",
    ],
)
def test_an_advanced_selector(fields: list[Any], records: bool | None) -> None:
    assert _records_kms(advanced(*fields)) is records


def test_advanced_selectors_replace_the_basic_ones() -> None:
    props = {**advanced({"Field": "eventCategory", "Equals": ["Data"]}), "EventSelectors": [{}]}
    assert _records_kms(props) is False
    assert _records_kms({"IsLogging": True, "AdvancedEventSelectors": ["?"]}) is None
