"""``secure-imagebuilder explain``: who can use each key, by which path, under which conditions (issue 25).

Run as CI runs it (a fresh process), on the examples' cloud assemblies and on hand-written templates.
What it shows must agree with ``scan``: every KMS4, KMS5, IAM1 and GRANT1-4 finding appears, linked by id.
"""

from __future__ import annotations

import json
import pathlib
import sys
from typing import Any

import jsonschema
import pytest

from explain.explaining import FIXTURES, SCHEMA, answer, flagged, flags, keys, run, scan_findings

CDK_MODULES = ("aws_cdk", "jsii", "cdk_nag", "constructs")
WORKFLOW_CONTEXT = "only with encryption context aws:imagebuilder:arn = a workflow of account 111122223333"
COMPONENT_CONTEXT = "only with encryption context aws:imagebuilder:arn = a component of account 111122223333"


@pytest.fixture(scope="module")
def blueprint(assemblies: dict[str, pathlib.Path]) -> dict[str, Any]:
    return answer(assemblies["blueprint"])


def _template(assembly: pathlib.Path) -> dict[str, Any]:
    manifest = json.loads((assembly / "manifest.json").read_text())
    (name,) = [
        a["properties"]["templateFile"]
        for a in manifest["artifacts"].values()
        if "templateFile" in a.get("properties", {})
    ]
    found: dict[str, Any] = json.loads((assembly / name).read_text())
    return found


def _role_of(template: dict[str, Any], prop: str) -> str:
    """The logical id of the role the pipeline names in ``prop`` (read from the template, not guessed)."""
    (pipeline,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::ImageBuilder::ImagePipeline"
    ]
    return str(pipeline["Properties"][prop]["Fn::GetAtt"][0])


def _paths(key: dict[str, Any], logical_id: str) -> list[dict[str, Any]]:
    (principal,) = [p for p in key["principals"] if p["logicalId"] == logical_id]
    return list(principal["access"])


def _reaching(key: dict[str, Any], kind: str) -> tuple[str, list[tuple[dict[str, Any], dict[str, Any]]]]:
    (use,) = [u for u in key["encrypts"] if u["kind"] == kind]
    return use["id"], [(p, a) for p in key["principals"] for a in p["access"] if use["id"] in a["reaches"]]


# --- the blueprint, as the issue says it must read ---------------------------------------------------


def test_the_execution_role_uses_the_workflow_key_only_under_the_imagebuilder_context(
    blueprint: dict[str, Any], assemblies: dict[str, pathlib.Path]
) -> None:
    role = _role_of(_template(assemblies["blueprint"]), "ExecutionRole")
    (key,) = keys(blueprint)
    workflow, reaching = _reaching(key, "workflow")
    mine = [a for p, a in reaching if p["logicalId"] == role]
    assert [sorted(a["actions"]) for a in mine] == [["kms:Decrypt", "kms:GenerateDataKey"]]
    assert all(a["allowed"] is True and WORKFLOW_CONTEXT in a["conditions"] for a in mine)
    sids = {(s["side"], s["sid"]) for s in mine[0]["statements"] + mine[0]["alsoAllowedBy"]}
    assert ("key-policy", "AllowImageBuilderWorkflowExecutionRole") in sids, "the statement ids of both sides"
    assert any(side == "identity-policy" for side, _ in sids)
    # No other path of the role touches the workflow's data, and none of its paths is unconditioned.
    assert all(a["conditions"] for a in _paths(key, role))
    assert all(workflow not in a["reaches"] for a in _paths(key, role) if a not in mine)


def test_image_builder_reaches_component_data_only_through_the_build(
    blueprint: dict[str, Any], assemblies: dict[str, pathlib.Path]
) -> None:
    (key,) = keys(blueprint)
    _, reaching = _reaching(key, "component")
    instance_role = _template(assemblies["blueprint"])["Resources"]
    roles = {p["logicalId"] for p, _ in reaching if p["kind"] == "role"}
    assert len(roles) == 1 and instance_role[roles.pop()]["Type"] == "AWS::IAM::Role"
    for principal, path in reaching:
        if principal["kind"] == "account":  # the key's administrators: its IAM policies decide who
            continue
        assert path["path"]["via"] == ["imagebuilder.amazonaws.com"], principal["label"]
        assert COMPONENT_CONTEXT in path["conditions"] and path["actions"] == ["kms:Decrypt"]


def test_nothing_of_the_blueprint_is_public(blueprint: dict[str, Any]) -> None:
    assert [k["public"] for k in keys(blueprint)] == [False]
    assert not [flag for _, flag in flags(blueprint) if flag["kind"] == "public"]
    assert not [
        p for k in keys(blueprint) for p in k["principals"] if p["kind"] in ("anyone", "organization")
    ]


def test_the_text_reads_as_the_issue_asks(assemblies: dict[str, pathlib.Path]) -> None:
    result = run("explain", str(assemblies["blueprint"]))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    role = _role_of(_template(assemblies["blueprint"]), "ExecutionRole")
    block = text.split(f"role {role}", 1)[1].split("\n    role ", 1)[0]
    assert "- kms:Decrypt, kms:GenerateDataKey -> workflow BuildWorkflow" in block
    assert WORKFLOW_CONTEXT in block and "AllowImageBuilderWorkflowExecutionRole" in block
    assert "not public" in text and "none public" in text.splitlines()[-1]


# --- public keys --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}], ids=["star", "aws-star", "aws-list"]
)
def test_a_key_open_to_everyone_is_marked_public_and_names_the_statement(
    principal: Any, tmp_path: pathlib.Path
) -> None:
    template = json.loads(json.dumps(_public_template()))
    template["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"][1]["Principal"] = principal
    path = tmp_path / "public.json"
    path.write_text(json.dumps(template))
    document = answer(path)
    (key,) = keys(document)
    assert key["public"] is True
    public = [flag for flag in key["flags"] if flag["kind"] == "public"]
    assert [(f["finding"], f["statement"]) for f in public] == [
        ("DataProtection-KMS4[OpenToEveryone]", "OpenToEveryone")
    ]
    (anyone,) = [p for p in key["principals"] if p["kind"] == "anyone"]
    assert anyone["principal"] == "*" and anyone["flags"][0]["finding"] == public[0]["finding"]
    assert {s["sid"] for a in anyone["access"] for s in a["statements"]} >= {"OpenToEveryone"}
    assert "PUBLIC through OpenToEveryone" in run("explain", str(path)).stdout


def _public_template() -> dict[str, Any]:
    root = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    return {
        "Resources": {
            "Key": {
                "Type": "AWS::KMS::Key",
                "Properties": {
                    "KeyPolicy": {
                        "Statement": [
                            {
                                "Sid": "Admin",
                                "Effect": "Allow",
                                "Principal": {"AWS": root},
                                "Action": "kms:*",
                                "Resource": "*",
                            },
                            {
                                "Sid": "OpenToEveryone",
                                "Effect": "Allow",
                                "Principal": "*",
                                "Action": "kms:Decrypt",
                                "Resource": "*",
                            },
                        ]
                    }
                },
            }
        }
    }


# --- agreement with scan, schema, exit codes -----------------------------------------------------------

FIXTURE_FILES = sorted(FIXTURES.glob("*.yaml"))


def test_the_fixtures_break_every_access_rule() -> None:
    """Guards the next test: it would pass vacuously on templates that break nothing."""
    found = {finding.split(":", 1)[1].partition("[")[0] for finding in scan_findings(*FIXTURE_FILES)}
    assert found == {
        f"DataProtection-{rule}" for rule in ("KMS4", "KMS5", "IAM1", "GRANT1", "GRANT2", "GRANT3", "GRANT4")
    }


def test_every_access_finding_of_scan_shows_in_explain(assemblies: dict[str, pathlib.Path]) -> None:
    inputs = [*assemblies.values(), *FIXTURE_FILES]
    expected = scan_findings(*inputs)
    document = answer(*inputs)
    assert expected - flagged(document) == set()
    assert flagged(document) - expected == set(), "explain links no finding scan does not report"


def test_the_json_validates_against_its_schema(assemblies: dict[str, pathlib.Path]) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    document = answer(*assemblies.values(), *FIXTURE_FILES)
    jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft202012Validator)
    ids = [k["id"] for k in keys(document)]
    assert len(ids) >= len(assemblies) and len(set(ids)) == len(ids)
    # A resource two keys encrypt (a distribution to two Regions) is one node: one id, one resource.
    resources = {(u["id"], u["logicalId"]) for k in keys(document) for u in k["encrypts"]}
    assert len({resource_id for resource_id, _ in resources}) == len(resources)


def test_unreadable_input_is_exit_2_and_findings_are_not_a_failure(tmp_path: pathlib.Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources:\n  Key: [unclosed\n")
    for command in ("explain", "report"):
        result = run(command, str(broken))
        assert result.returncode == 2 and "broken.yaml" in result.stderr and not result.stdout
        assert run(command, str(FIXTURES / "public_key.yaml")).returncode == 0
    assert run("explain", str(tmp_path / "missing.json")).returncode == 2


@pytest.mark.parametrize("command", ["explain", "report"])
def test_explain_and_report_import_no_cdk_module(command: str) -> None:
    code = (
        "import sys\n"
        "from secure_imagebuilder.cli.main import main\n"
        f"main([{command!r}, {str(FIXTURES / 'loose_grants.yaml')!r}, '--output', '/dev/null'])\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {CDK_MODULES!r}))\n"
    )
    import subprocess

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- principals the policies name, keys the policies name ----------------------------------------------


def test_a_key_only_an_identity_policy_names_is_in_scope() -> None:
    (key,) = keys(answer(FIXTURES / "outside_key_in_policy.yaml"))
    assert key["origin"] == "outside" and key["encrypts"] == []
    (reader,) = key["principals"]
    (path,) = reader["access"]
    assert reader["logicalId"] == "Reader" and path["path"]["policies"] == "identity-policy"
    assert path["actions"] == ["kms:Decrypt", "kms:DescribeKey"]
    assert [s["sid"] for s in path["statements"]] == ["ReadSharedKey"]


def test_named_accounts_and_organizations_are_cross_account_and_a_branch_says_when() -> None:
    (key,) = keys(answer(FIXTURES / "cross_account.yaml"))
    by_label = {p["label"]: p for p in key["principals"]}
    organization = by_label["any principal of organization o-exampleorgid"]
    assert organization["kind"] == "organization" and organization["principal"] == "*"
    assert [f["kind"] for f in organization["flags"]] == ["cross-account"]
    assert organization["access"][0]["conditions"] == ["only by a principal of organization o-exampleorgid"]
    partner = by_label["account 444455556666"]
    (shared,) = partner["access"]
    assert shared["when"] == ["condition IsShared is true"] and shared["path"]["via"] == [
        "ec2.us-west-2.amazonaws.com"
    ]
    assert [f["kind"] for f in partner["flags"]] == ["cross-account"]
    assert not key["public"], "a named account or organization is not the public"


def test_a_path_a_build_needs_and_lacks_is_shown_denied_with_its_finding() -> None:
    (key, _) = keys(answer(FIXTURES / "missing_grants.yaml"))
    needed = {
        (p["logicalId"], a["flags"][0]["finding"]): a
        for p in key["principals"]
        for a in p["access"]
        if a["allowed"] is False
    }
    assert set(needed) == {
        ("ExecRole", "DataProtection-GRANT1[Workflow]"),
        ("ExecRole", "DataProtection-GRANT2[Workflow]"),
        ("InstanceRole", "DataProtection-GRANT3[Component]"),
    }
    assert needed[("InstanceRole", "DataProtection-GRANT3[Component]")]["reaches"] == [
        f"{'missing_grants.yaml'}/resource/Component"
    ]


def test_a_rule_that_crashed_is_flagged_on_every_key_of_its_stack() -> None:
    """A crash names no statement or workflow: its RuleError still shows, as undecided, on each key."""
    from secure_imagebuilder.cli import answers
    from secure_imagebuilder.cli.inputs import read
    from secure_imagebuilder.rules.imagebuilder import workflow_key_policy

    def crash(*_: object) -> Any:
        raise RuntimeError("a bug in the pack")

    rule, original = workflow_key_policy.RULE, workflow_key_policy.RULE.check
    object.__setattr__(rule, "check", crash)  # the rule table holds this very object
    try:
        ((_, findings, found),) = answers.explained([read(str(FIXTURES / "loose_grants.yaml"), fips=False)])
    finally:
        object.__setattr__(rule, "check", original)
    assert [f.rule_id for f in findings if f.error] == ["DataProtection-GRANT1-RuleError"]
    for key in found.keys:
        assert [(f.kind, f.level) for f in key.flags if f.finding == "DataProtection-GRANT1-RuleError"] == [
            ("undecided", "error")
        ]
