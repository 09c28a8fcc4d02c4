"""What CloudFormation expands before deploying is expanded before the rules read it; the rest is CFN2."""

from __future__ import annotations

from typing import Any

import pytest

from secure_imagebuilder.rules.engine import assembly, run

ROTATION_OFF = {"EnableKeyRotation": False, "KeyPolicy": {}}


def findings(template: dict[str, Any]) -> set[tuple[str | None, str]]:
    stack = assembly.stack_from_template(template, path="S")
    return {(f.resource.logical_id, f.rule_id.removeprefix("DataProtection-")) for f in run.evaluate([stack])}


def keys(loop: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return {"Transform": "AWS::LanguageExtensions", **sections, "Resources": loop}


def test_a_loop_over_a_literal_list_is_expanded_and_checked() -> None:
    loop = {
        "Fn::ForEach::Keys": [
            "Env",
            ["Dev", "Prod"],
            {"Key${Env}": {"Type": "AWS::KMS::Key", "Properties": ROTATION_OFF}},
        ]
    }
    found = findings(keys(loop))
    assert {("KeyDev", "KMS1"), ("KeyProd", "KMS1")} <= found
    assert not any(rule.startswith("CFN2") for _, rule in found)


def test_a_loop_over_a_list_parameter_default_nested_loops_and_refs() -> None:
    inner = {
        "Fn::ForEach::Sizes": [
            "Size",
            ["s", "m"],
            {
                "&{Env}Topic${Size}": {
                    "Type": "AWS::SNS::Topic",
                    "Properties": {"DisplayName": {"Ref": "Env"}, "KmsMasterKeyId": "alias/aws/sns"},
                }
            },
        ]
    }
    loop = {"Fn::ForEach::Envs": ["Env", {"Ref": "Envs"}, inner]}
    template = keys(loop, Parameters={"Envs": {"Type": "CommaDelimitedList", "Default": "dev-1,prod-2"}})
    stack = assembly.stack_from_template(template, path="S")
    assert sorted(stack.by_logical_id) == ["dev1Topicm", "dev1Topics", "prod2Topicm", "prod2Topics"]
    assert stack.by_logical_id["dev1Topics"].props["DisplayName"] == "dev-1"
    assert stack.origins["prod2Topicm"] == "Fn::ForEach::Envs"


@pytest.mark.parametrize(
    ("template", "where"),
    [
        (
            keys(
                {"Fn::ForEach::X": ["Name", {"Ref": "Names"}, {"T${Name}": {"Type": "AWS::SNS::Topic"}}]},
                Parameters={"Names": {"Type": "CommaDelimitedList"}},
            ),
            "Resources.Fn::ForEach::X",
        ),
        (
            keys(
                {
                    "Fn::ForEach::X": [
                        "Name",
                        {"Fn::ImportValue": "Names"},
                        {"T${Name}": {"Type": "AWS::SNS::Topic"}},
                    ]
                }
            ),
            "Resources.Fn::ForEach::X",
        ),
        (keys({"Fn::ForEach::X": "not a loop"}), "Resources.Fn::ForEach::X"),
        (
            {"Transform": "AWS::Serverless-2016-10-31", "Resources": {"T": {"Type": "AWS::SNS::Topic"}}},
            "Transform",
        ),
        (
            {
                "Transform": ["AWS::LanguageExtensions", {"Name": "AWS::Include"}],
                "Resources": {"T": {"Type": "AWS::SNS::Topic"}},
            },
            "Transform",
        ),
        (
            {
                "Resources": {
                    "Child": {
                        "Type": "AWS::CloudFormation::Stack",
                        "Properties": {"TemplateURL": "https://s3.amazonaws.com/b/t.json"},
                    }
                }
            },
            "Resources.Child",
        ),
    ],
    ids=["deploy-time list", "imported list", "malformed", "SAM macro", "Include macro", "nested stack"],
)
def test_what_cannot_be_read_is_reported_on_the_stack(template: dict[str, Any], where: str) -> None:
    assert (None, f"CFN2[{where}]") in findings(template)


def test_the_language_extensions_alone_leave_nothing_unread() -> None:
    template = keys({"T": {"Type": "AWS::SNS::Topic"}})
    assert not any(rule.startswith("CFN2") for _, rule in findings(template))
