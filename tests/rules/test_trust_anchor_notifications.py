"""RA2 (expiry notifications stay on) over the spellings of its inputs; the plain cases are in
tests/nag/test_tls_audit_ra.py. An event or settings only known at deploy time may turn either off."""

from __future__ import annotations

from typing import Any

import pytest

from secure_imagebuilder.rules.engine import assembly, run

CA, END = "CA_CERTIFICATE_EXPIRY", "END_ENTITY_CERTIFICATE_EXPIRY"
PARAMETERS = {
    "Quiet": {"Type": "String", "Default": "false", "AllowedValues": ["true", "false"]},
    "Loud": {"Type": "String", "Default": "true"},
    "Flag": {"Type": "String"},
    "Event": {"Type": "String"},
    "CaEvent": {"Type": "String", "Default": CA},
}


def ra2(settings: Any) -> list[tuple[str, str]]:
    """(finding id, level) of every RA2 finding on a trust anchor with ``NotificationSettings: settings``."""
    anchor = {"Source": {"SourceType": "CERTIFICATE_BUNDLE", "SourceData": {"X509CertificateData": "pem"}}}
    if settings is not None:
        anchor["NotificationSettings"] = settings
    template = {
        "Parameters": PARAMETERS,
        "Conditions": {"Shared": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}},
        "Resources": {"Anchor": {"Type": "AWS::RolesAnywhere::TrustAnchor", "Properties": anchor}},
    }
    stack = assembly.stack_from_template(template, path="S")
    return sorted(
        (f.rule_id.removeprefix("DataProtection-"), f.level.value)
        for f in run.evaluate([stack])
        if f.rule_id.startswith("DataProtection-RA2")
    )


@pytest.mark.parametrize(
    ("settings", "found"),
    [
        (None, []),
        ([], []),
        ([{"Event": CA, "Enabled": True}, {"Event": END, "Enabled": "true"}], []),
        ([{"Event": CA}], []),  # no Enabled: the service's default, on
        ([{"Event": CA, "Enabled": False}], [(f"RA2[{CA}]", "error")]),
        ([{"Event": END, "Enabled": "false"}], [(f"RA2[{END}]", "error")]),
        ([{"Event": "OTHER_EVENT", "Enabled": False}], []),
        # Enabled spelled through parameters and conditions
        ([{"Event": CA, "Enabled": {"Ref": "Quiet"}}], [(f"RA2[{CA}]", "error")]),
        ([{"Event": CA, "Enabled": {"Ref": "Loud"}}], []),
        ([{"Event": CA, "Enabled": {"Fn::If": ["Shared", True, False]}}], [(f"RA2[{CA}]", "error")]),
        ([{"Event": CA, "Enabled": {"Ref": "Flag"}}], [(f"RA2[{CA}]", "warning")]),
        # the event spelled through parameters and conditions
        ([{"Event": {"Ref": "CaEvent"}, "Enabled": False}], [(f"RA2[{CA}]", "error")]),
        (
            [{"Event": {"Fn::If": ["Shared", CA, END]}, "Enabled": False}],
            [(f"RA2[{CA}]", "error"), (f"RA2[{END}]", "error")],
        ),
        (
            [{"Event": {"Ref": "Event"}, "Enabled": False}],
            [(f"RA2[{CA}]", "warning"), (f"RA2[{END}]", "warning")],
        ),
        ([{"Event": {"Ref": "Event"}, "Enabled": True}], []),
        # an entry, or the whole list, behind Fn::If; settings only known at deploy time
        (
            [{"Fn::If": ["Shared", {"Event": CA, "Enabled": False}, {"Ref": "AWS::NoValue"}]}],
            [(f"RA2[{CA}]", "error")],
        ),
        ({"Fn::If": ["Shared", [{"Event": END, "Enabled": False}], []]}, [(f"RA2[{END}]", "error")]),
        ({"Fn::ImportValue": "settings"}, [(f"RA2[{CA}]", "warning"), (f"RA2[{END}]", "warning")]),
        # a decided violation wins over an undecided one for the same event
        (
            [{"Event": {"Ref": "Event"}, "Enabled": False}, {"Event": CA, "Enabled": False}],
            [(f"RA2[{CA}]", "error"), (f"RA2[{END}]", "warning")],
        ),
    ],
)
def test_ra2(settings: Any, found: list[tuple[str, str]]) -> None:
    assert ra2(settings) == found
