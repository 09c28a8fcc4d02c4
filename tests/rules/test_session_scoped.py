"""RA4 (sessions of a broad role are scoped down) over every spelling of its inputs.

Each case is a whole profile and role; the expected value is every RA4 finding with its level and what it
says (a Violation's policy, an undecided value). The nag case table (tests/nag/test_tls_audit_ra.py) holds
the plain cases; these are the intrinsic ones: parameters, conditions, ARNs built with Fn::Sub, session
policies that cannot be read.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from secure_imagebuilder.rules.engine import assembly, run

ACCOUNT = "111122223333"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "rolesanywhere.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        }
    ],
}
NARROW = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::builds/*"}],
}
ROLE_ARN = {"Fn::GetAtt": ["Role", "Arn"]}
OUTSIDE = "a role outside the template: what its sessions can do cannot be read here"


def role(managed: list[str] | None = None) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {"AssumeRolePolicyDocument": TRUST, "ManagedPolicyArns": managed or [ADMIN]},
    }


def ra4(profile: dict[str, Any], **extra: Any) -> list[tuple[str, str, str]]:
    """(finding id, level, what it says) of every RA4 finding on a template with ``Role`` and ``profile``."""
    template = {
        "Conditions": {"Shared": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}},
        "Resources": {
            "Role": role(),
            "Profile": {"Type": "AWS::RolesAnywhere::Profile", "Properties": profile},
            **extra.pop("resources", {}),
        },
        **extra,
    }
    stack = assembly.stack_from_template(template, path="S")
    return sorted(
        (f.rule_id.removeprefix("DataProtection-"), f.level.value, f.undecided or f.detail or "")
        for f in run.evaluate([stack])
        if f.rule_id.startswith("DataProtection-RA4")
    )


ADMIN_SESSIONS = "sessions are not scoped down: AdministratorAccess allows every action on every resource"


def only_admin(found: list[tuple[str, str, str]], finding: str = "RA4[Role]") -> None:
    assert [(i, level) for i, level, _ in found] == [(finding, "error")]
    assert found[0][2].startswith("sessions are not scoped down: ")
    assert "AdministratorAccess" in found[0][2]


def test_a_broad_role_without_session_policies_is_a_violation_naming_its_policy() -> None:
    only_admin(ra4({"Name": "p", "RoleArns": [ROLE_ARN]}))


@pytest.mark.parametrize(
    ("enabled", "parameters", "reported"),
    [
        (False, {}, False),
        ("false", {}, False),
        (True, {}, True),
        ({"Ref": "On"}, {"On": {"Type": "String", "Default": "false"}}, False),
        (
            {"Ref": "On"},
            {"On": {"Type": "String", "Default": "false", "AllowedValues": ["true", "false"]}},
            True,
        ),
        ({"Fn::If": ["Shared", False, True]}, {}, True),
        ({"Fn::If": ["Shared", False, "false"]}, {}, False),
    ],
)
def test_a_profile_that_deploys_disabled_in_every_alternative_vends_nothing(
    enabled: Any, parameters: dict[str, Any], reported: bool
) -> None:
    found = ra4({"Name": "p", "RoleArns": [ROLE_ARN], "Enabled": enabled}, Parameters=parameters)
    assert bool(found) is reported
    if reported:
        only_admin(found)


@pytest.mark.parametrize(
    "arns",
    [
        [{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Role}"}],
        [
            {
                "Fn::Join": [
                    "",
                    [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        ":iam::",
                        {"Ref": "AWS::AccountId"},
                        ":role/",
                        {"Ref": "Role"},
                    ],
                ]
            }
        ],
        [{"Fn::If": ["Shared", ROLE_ARN, {"Fn::GetAtt": ["Scoped", "Arn"]}]}],
        {"Fn::If": ["Shared", [ROLE_ARN], [{"Fn::GetAtt": ["Scoped", "Arn"]}]]},
    ],
    ids=["Fn::Sub ARN", "Fn::Join ARN", "Fn::If item", "Fn::If list"],
)
def test_the_broad_role_is_found_however_the_arn_is_spelled(arns: Any) -> None:
    scoped = {"Scoped": role(["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"])}
    only_admin(ra4({"Name": "p", "RoleArns": arns}, resources=scoped))


def test_a_role_outside_the_template_is_undecided_by_its_arn() -> None:
    outside = f"arn:aws:iam::{ACCOUNT}:role/builder"
    assert ra4({"Name": "p", "RoleArns": [outside]}) == [
        (f"RA4[{outside}]", "warning", f'"{outside}"; {OUTSIDE}'),
    ]


def test_an_imported_role_list_is_undecided_naming_the_import() -> None:
    found = ra4({"Name": "p", "RoleArns": {"Fn::ImportValue": "roles"}})
    assert [(i, level) for i, level, _ in found] == [("RA4[*]", "warning")]
    assert found[0][2].startswith("Fn::ImportValue: another stack's export")


def test_a_role_list_parameter_is_read_through_its_default() -> None:
    parameters = {"Roles": {"Type": "CommaDelimitedList", "Default": f"arn:aws:iam::{ACCOUNT}:role/builder"}}
    found = ra4({"Name": "p", "RoleArns": {"Ref": "Roles"}}, Parameters=parameters)
    assert [(i, level) for i, level, _ in found] == [(f"RA4[arn:aws:iam::{ACCOUNT}:role/builder]", "warning")]


def test_an_arn_with_a_part_only_known_at_deploy_time_is_undecided_with_a_star() -> None:
    arn = {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/${Name}"}
    parameters = {"Name": {"Type": "String"}}
    found = ra4({"Name": "p", "RoleArns": [arn]}, Parameters=parameters)
    assert [(i, level) for i, level, _ in found] == [("RA4[arn:aws:iam::*:role/*]", "warning")]


def test_a_resource_that_is_not_a_role_is_undecided() -> None:
    user = {"Type": "AWS::IAM::User", "Properties": {}}
    found = ra4({"Name": "p", "RoleArns": [{"Fn::GetAtt": ["User", "Arn"]}]}, resources={"User": user})
    assert [(i, level) for i, level, _ in found] == [("RA4[*]", "warning")]


def test_an_item_that_is_no_arn_at_all_is_undecided_under_the_property_name() -> None:
    found = ra4({"Name": "p", "RoleArns": [{"Foo": "bar"}]})
    assert found == [("RA4[RoleArns]", "warning", f'{{"Foo":"bar"}}; {OUTSIDE}')]


def test_a_session_policy_on_named_resources_scopes_the_sessions() -> None:
    assert ra4({"Name": "p", "RoleArns": [ROLE_ARN], "SessionPolicy": json.dumps(NARROW)}) == []


def test_a_session_policy_that_is_not_json_may_allow_anything() -> None:
    found = ra4({"Name": "p", "RoleArns": [ROLE_ARN], "SessionPolicy": "{not json"})
    assert [(i, level) for i, level, _ in found] == [("RA4[Role]", "warning")]
    assert found[0][2].startswith("sessions may reach what nobody named: ")


def test_a_session_policy_in_one_branch_only_leaves_the_other_unscoped() -> None:
    policy = {"Fn::If": ["Shared", json.dumps(NARROW), {"Ref": "AWS::NoValue"}]}
    only_admin(ra4({"Name": "p", "RoleArns": [ROLE_ARN], "SessionPolicy": policy}))


def test_a_session_policy_that_allows_everything_scopes_nothing() -> None:
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    only_admin(ra4({"Name": "p", "RoleArns": [ROLE_ARN], "SessionPolicy": json.dumps(everything)}))


def test_a_narrow_managed_session_policy_of_the_template_scopes_the_sessions() -> None:
    policy = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": NARROW}}
    profile = {"Name": "p", "RoleArns": [ROLE_ARN], "ManagedPolicyArns": [{"Ref": "Narrow"}]}
    assert ra4(profile, resources={"Narrow": policy}) == []


def test_a_broad_aws_managed_session_policy_scopes_nothing() -> None:
    profile = {"Name": "p", "RoleArns": [ROLE_ARN], "ManagedPolicyArns": [ADMIN]}
    only_admin(ra4(profile))


def test_a_role_with_a_managed_policy_this_pack_does_not_document_is_undecided() -> None:
    template_role = role(["arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess"])
    found = ra4(
        {"Name": "p", "RoleArns": [{"Fn::GetAtt": ["Other", "Arn"]}]}, resources={"Other": template_role}
    )
    assert [(i, level) for i, level, _ in found] == [("RA4[Other]", "warning")]
    assert "AmazonSSMReadOnlyAccess" in found[0][2]


def test_a_narrow_role_is_compliant() -> None:
    narrow_role = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": TRUST,
            "Policies": [{"PolicyName": "builds", "PolicyDocument": NARROW}],
        },
    }
    profile = {"Name": "p", "RoleArns": [{"Fn::GetAtt": ["Narrow", "Arn"]}]}
    assert ra4(profile, resources={"Narrow": narrow_role}) == []
