"""Property: for any key policy and identity policy, explain shows every access finding scan reports.

Hypothesis writes a pipeline template (a key, an encrypted workflow and component, an execution role and a
build instance role) whose key policy and role policy are drawn from the spellings people write:
principals (``*``, roots, roles, services, parameters, ``NotPrincipal``), actions (wildcards,
``NotAction``), conditions (encryption contexts of this or any account, ``aws:CalledVia``,
``kms:ViaService``, organizations, accounts, ``...IfExists``) and ``Fn::If`` around statements. Each
template goes through ``main`` as ``explain`` (text, JSON, Mermaid, HTML) and ``report``: exit 0, no
traceback, JSON valid against the schema, and every KMS4, KMS5, IAM1 and GRANT1-4 finding of the rule
run linked by id.
"""

from __future__ import annotations

import contextlib
import io
import json
import pathlib
import tempfile
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explain.explaining import SCHEMA
from secure_imagebuilder.cli import answers
from secure_imagebuilder.cli.inputs import read
from secure_imagebuilder.cli.main import main
from secure_imagebuilder.cli.views import document
from secure_imagebuilder.explain import flags

ROOT = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
OWN_WORKFLOWS = {"Fn::Sub": "arn:${AWS::Partition}:imagebuilder:*:${AWS::AccountId}:workflow/*"}
PRINCIPALS = st.sampled_from(
    [
        "*",
        {"AWS": "*"},
        {"AWS": ROOT},
        {"AWS": {"Fn::GetAtt": ["ExecRole", "Arn"]}},
        {"AWS": {"Fn::GetAtt": ["InstanceRole", "Arn"]}},
        {"AWS": "arn:aws:iam::444455556666:root"},
        {"AWS": "444455556666"},
        {"AWS": {"Ref": "PartnerRole"}},
        {"Service": "logs.amazonaws.com"},
    ]
)
ACTIONS = st.sampled_from(
    [
        {"Action": "kms:*"},
        {"Action": "kms:Decrypt"},
        {"Action": ["kms:Decrypt", "kms:GenerateDataKey"]},
        {"Action": "kms:GenerateDataKey*"},
        {"NotAction": "kms:Decrypt"},
    ]
)
CONDITIONS = st.sampled_from(
    [
        None,
        {"StringLike": {"kms:EncryptionContext:aws:imagebuilder:arn": OWN_WORKFLOWS}},
        {"StringLike": {"kms:EncryptionContext:aws:imagebuilder:arn": "arn:aws:imagebuilder:*:*:*"}},
        {"StringLikeIfExists": {"kms:EncryptionContext:aws:imagebuilder:arn": OWN_WORKFLOWS}},
        {"ForAnyValue:StringEquals": {"aws:CalledVia": "imagebuilder.amazonaws.com"}},
        {"StringEquals": {"kms:ViaService": "sns.us-west-2.amazonaws.com"}},
        {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorgid"}},
        {"StringEquals": {"aws:PrincipalAccount": {"Ref": "AWS::AccountId"}}},
        {"StringLike": {"aws:PrincipalAccount": "4444*"}},
        {"StringNotEquals": {"kms:CallerAccount": "999988887777"}},
    ]
)


@st.composite
def statement(draw: st.DrawFn, *, key_policy: bool) -> dict[str, Any]:
    found: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Allow", "Deny"]))}
    if key_policy:
        field = draw(st.sampled_from(["Principal", "Principal", "Principal", "NotPrincipal"]))
        found[field] = draw(PRINCIPALS)
    found.update(draw(ACTIONS))
    found["Resource"] = "*" if key_policy else draw(st.sampled_from(["*", {"Fn::GetAtt": ["Key", "Arn"]}]))
    condition = draw(CONDITIONS)
    if condition is not None:
        found["Condition"] = condition
    if draw(st.booleans()):
        found["Sid"] = draw(st.sampled_from(["A", "B", "Open", "Grant"]))
    if draw(st.integers(0, 5)) == 0:
        return {"Fn::If": ["Shared", found, {"Ref": "AWS::NoValue"}]}
    return found


def _template(key_statements: list[Any], role_statements: list[Any]) -> dict[str, Any]:
    trust = {"Effect": "Allow", "Action": "sts:AssumeRole"}
    return {
        "Parameters": {
            "PartnerRole": {"Type": "String"},
            "Share": {"Type": "String", "AllowedValues": ["yes", "no"]},
        },
        "Conditions": {"Shared": {"Fn::Equals": [{"Ref": "Share"}, "yes"]}},
        "Resources": {
            "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": key_statements}}},
            "Workflow": {
                "Type": "AWS::ImageBuilder::Workflow",
                "Properties": {
                    "Name": "w",
                    "Version": "1.0.0",
                    "Type": "BUILD",
                    "Data": "x",
                    "KmsKeyId": {"Ref": "Key"},
                },
            },
            "Component": {
                "Type": "AWS::ImageBuilder::Component",
                "Properties": {
                    "Name": "c",
                    "Version": "1.0.0",
                    "Platform": "Linux",
                    "Data": "x",
                    "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]},
                },
            },
            "ExecRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Statement": [{**trust, "Principal": {"Service": "imagebuilder.amazonaws.com"}}]
                    },
                    "Policies": [{"PolicyName": "exec", "PolicyDocument": {"Statement": role_statements}}],
                },
            },
            "InstanceRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Statement": [{**trust, "Principal": {"Service": "ec2.amazonaws.com"}}]
                    }
                },
            },
            "Profile": {
                "Type": "AWS::IAM::InstanceProfile",
                "Properties": {"Roles": [{"Ref": "InstanceRole"}]},
            },
            "Infrastructure": {
                "Type": "AWS::ImageBuilder::InfrastructureConfiguration",
                "Properties": {"Name": "i", "InstanceProfileName": {"Ref": "Profile"}},
            },
            "Recipe": {
                "Type": "AWS::ImageBuilder::ImageRecipe",
                "Properties": {
                    "Name": "r",
                    "Version": "1.0.0",
                    "ParentImage": "ami-1",
                    "Components": [{"ComponentArn": {"Fn::GetAtt": ["Component", "Arn"]}}],
                },
            },
            "Pipeline": {
                "Type": "AWS::ImageBuilder::ImagePipeline",
                "Properties": {
                    "Name": "p",
                    "ImageRecipeArn": {"Fn::GetAtt": ["Recipe", "Arn"]},
                    "InfrastructureConfigurationArn": {"Fn::GetAtt": ["Infrastructure", "Arn"]},
                    "ExecutionRole": {"Fn::GetAtt": ["ExecRole", "Arn"]},
                    "Workflows": [{"WorkflowArn": {"Fn::GetAtt": ["Workflow", "Arn"]}}],
                },
            },
        },
    }


def _main(*args: str) -> str:
    out, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(errors):
        code = main(list(args))
    assert code == 0 and "Traceback" not in errors.getvalue(), errors.getvalue()
    return out.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    key_statements=st.lists(statement(key_policy=True), min_size=1, max_size=4),
    role_statements=st.lists(statement(key_policy=False), min_size=0, max_size=2),
)
def test_any_policy_every_access_finding_shows_and_every_format_renders(
    key_statements: list[Any], role_statements: list[Any]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "t.json"
        path.write_text(json.dumps(_template(key_statements, role_statements)))
        ((_, findings, answer),) = answers.explained([read(str(path), fips=False)])
        expected = {f.rule_id for f in findings if f.rule.id in flags.RULES}
        data = document.as_dict([answer], "test")
        jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
        linked = {flag["finding"] for key in data["stacks"][0]["keys"] for flag in key["flags"]}
        assert expected <= linked, expected - linked
        for output_format in ("text", "json", "mermaid", "html"):
            assert _main("explain", "--format", output_format, str(path))
        for output_format in ("md", "html"):
            assert _main("report", "--format", output_format, str(path))


ODD = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from(
            ["*", "kms:*", "Allow", "Deny", "Key", "ExecRole", "arn:aws:kms:us-west-2:1:key/x", ""]
        ),
        st.sampled_from(
            [
                {"Ref": "Key"},
                {"Fn::GetAtt": ["Key", "Arn"]},
                {"Ref": "PartnerRole"},
                {"Fn::If": ["Shared", 1]},
            ]
        ),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.sampled_from(
                ["Statement", "Effect", "Principal", "AWS", "Action", "Resource", "Condition", "Sid"]
            ),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key_policy=ODD, key_id=ODD, role_policy=ODD, roles=ODD)
def test_any_shape_renders_without_a_traceback(
    key_policy: Any, key_id: Any, role_policy: Any, roles: Any
) -> None:
    """Values of every shape where a key, a key id, a policy and a role list go: still exit 0."""
    template = _template([], [])
    resources = template["Resources"]
    resources["Key"]["Properties"]["KeyPolicy"] = key_policy
    resources["Workflow"]["Properties"]["KmsKeyId"] = key_id
    resources["ExecRole"]["Properties"]["Policies"][0]["PolicyDocument"] = role_policy
    resources["Profile"]["Properties"]["Roles"] = roles
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "t.json"
        path.write_text(json.dumps(template))
        data = json.loads(_main("explain", "--format", "json", str(path)))
        jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
        assert _main("report", "--format", "md", str(path))
