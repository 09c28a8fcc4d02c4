"""Two small engine modules by their branches: what reports hide (``engine.redact``) and where
acknowledgements are read from (``engine.acks``). tests/cli/test_redaction.py runs redaction through every
output format; these pin each rule of it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from secure_imagebuilder.rules.engine import acks, redact

KEY = "Xy7Kq2Lm9Pz4Rt8Vw3Nb6Hc1Jd5Fg0Sa2Qe4Tu7Y"


# --- redact ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "values"),
    [
        ({"Type": "String", "NoEcho": True, "Default": "hunter2"}, ["hunter2"]),
        ({"Type": "String", "NoEcho": "true", "Default": "hunter2"}, ["hunter2"]),
        ({"Type": "String", "NoEcho": False, "Default": "hunter2"}, []),
        ({"Type": "String", "NoEcho": "false", "Default": "hunter2"}, []),
        ({"Type": "String", "Default": "hunter2"}, []),
        ({"Type": "String", "NoEcho": True}, []),
        ({"Type": "String", "NoEcho": True, "Default": ""}, []),
        ({"Type": "Number", "NoEcho": True, "Default": 4711}, ["4711"]),
        ({"Type": "String", "NoEcho": True, "AllowedValues": ["alpha", "beta"]}, ["alpha", "beta"]),
        ({"Type": "CommaDelimitedList", "NoEcho": True, "Default": "one,two"}, ["one", "two"]),
        ("not a parameter", []),
    ],
)
def test_no_echo_values_are_every_default_and_allowed_value_of_a_no_echo_parameter(
    parameter: Any, values: list[str]
) -> None:
    assert sorted(redact.no_echo_values({"P": parameter})) == sorted(values)


@pytest.mark.parametrize(
    ("parameters", "name", "no_echo"),
    [
        ({"P": {"NoEcho": True}}, "P", True),
        ({"P": {"NoEcho": "true"}}, "P", True),
        ({"P": {"NoEcho": False}}, "P", False),
        ({"P": {}}, "P", False),
        ({}, "P", False),
    ],
)
def test_is_no_echo(parameters: dict[str, Any], name: str, no_echo: bool) -> None:
    assert redact.is_no_echo(parameters, name) is no_echo


def stack(**parameters: Any) -> Any:
    return SimpleNamespace(parameters=parameters)


@pytest.mark.parametrize(
    ("text", "owner", "shown"),
    [
        (
            "parameter Pass is hunter2",
            stack(Pass={"NoEcho": True, "Default": "hunter2"}),
            "parameter Pass is (hidden)",
        ),
        ("parameter Pass is hunter2", stack(Pass={"Default": "hunter2"}), "parameter Pass is hunter2"),
        ("parameter Pass is hunter2", None, "parameter Pass is hunter2"),
        ("parameter Pass is hunter2", SimpleNamespace(), "parameter Pass is hunter2"),
        ("parameter Pass is hunter2", SimpleNamespace(parameters=None), "parameter Pass is hunter2"),
        # The longer value first: "hunter22" is not left as "(hidden)2".
        (
            "values hunter22 and hunter2",
            stack(A={"NoEcho": True, "Default": "hunter2"}, B={"NoEcho": True, "Default": "hunter22"}),
            "values (hidden) and (hidden)",
        ),
        (f"the key {KEY}", None, "(hidden) (it holds a credential)"),
        ("https://user:pass@example.com/x", None, "(hidden) (it holds a credential)"),
        ("curl -H 'Authorization: Bearer abcdef123'", None, "(hidden) (it holds a credential)"),
        ("AKIAIOSFODNN7EXAMPLE", None, "(hidden) (it holds a credential)"),
        ("nothing to hide", None, "nothing to hide"),
    ],
)
def test_redacted(text: str, owner: Any, shown: str) -> None:
    assert redact.redacted(text, owner) == shown


# --- acks --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [("a reason", "a reason"), ("  padded  ", "padded"), ("", None), ("   ", None), (None, None), (3, None)],
)
def test_reason_of(value: Any, reason: str | None) -> None:
    assert acks.reason_of(value) == reason


def entry(kind: str, data: Any, *, as_object: bool) -> Any:
    """A CDK metadata entry as the assembly stores it (a dict) or as jsii hands it over (an object)."""
    return SimpleNamespace(type=kind, data=data) if as_object else {"type": kind, "data": data}


@pytest.mark.parametrize("as_object", [False, True], ids=["dict", "MetadataEntry"])
def test_acknowledged_reads_cdk_metadata_entries(as_object: bool) -> None:
    entries = [
        entry(
            acks.METADATA_KEY,
            {
                "Annotation::DataProtection-IB1": "the component is public",
                "annotation::DataProtection-KMS2[DeletionPolicy]": "a test key",
                "DataProtectionChecks::DataProtection-AUD1": "the organization trail",
                "DataProtection-SD1": "   ",
            },
            as_object=as_object,
        ),
        entry(
            "aws:cdk:warning",
            {"Annotation::DataProtection-IB2": "not an acknowledgement"},
            as_object=as_object,
        ),
        entry(acks.METADATA_KEY, "not a mapping", as_object=as_object),
    ]
    assert acks.acknowledged(entries) == {
        "DataProtection-IB1": "the component is public",
        "DataProtection-KMS2[DeletionPolicy]": "a test key",
        "DataProtection-AUD1": "the organization trail",
        "DataProtection-SD1": None,
    }


def test_acknowledged_skips_what_is_no_entry() -> None:
    assert acks.acknowledged([SimpleNamespace(), "text", 3]) == {}


@pytest.mark.parametrize(
    ("metadata", "found"),
    [
        (
            {"cdk_nag": {"rules_to_suppress": [{"id": "DataProtection-IB1", "reason": "why"}]}},
            {"DataProtection-IB1": "why"},
        ),
        ({"cdk_nag": {"rules_to_suppress": [{"id": "DataProtection-IB1"}]}}, {"DataProtection-IB1": None}),
        ({"cdk_nag": {"rules_to_suppress": [{"reason": "no id"}, "text", {"id": 3}]}}, {}),
        ({"cdk_nag": {"rules_to_suppress": {"id": "not a list"}}}, {}),
        ({"cdk_nag": "text"}, {}),
        ({"other": {}}, {}),
        ("text", {}),
        (None, {}),
    ],
)
def test_in_template(metadata: Any, found: dict[str, str | None]) -> None:
    assert acks.in_template(metadata) == found


def test_base_rule_id() -> None:
    assert acks.base_rule_id("DataProtection-KMS2[DeletionPolicy]") == "DataProtection-KMS2"
    assert acks.base_rule_id("DataProtection-KMS2") == "DataProtection-KMS2"


def test_unknown_acknowledgements_get_the_closest_real_id() -> None:
    found = acks.unknown(
        [
            "DataProtection-IB01",
            "DataProtection-IB1[Uri]",
            "DataProtection-IB1-RuleError",
            "AwsSolutions-IAM5",
        ],
        ["IB1", "KMS1"],
        "DataProtection",
    )
    assert found == {"DataProtection-IB01": "DataProtection-IB1"}
    # Nothing close enough: no suggestion (under the long pack prefix every id is close to some rule).
    assert acks.unknown(["P-zzzzzzzzzz"], ["IB1"], "P") == {"P-zzzzzzzzzz": None}
