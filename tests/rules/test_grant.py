"""GRANT1-GRANT4: the build a template describes can decrypt what it needs (R10-R14), checked with the
policy evaluator on templates written the way people write them.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from secure_imagebuilder.rules.engine import assembly, run

ACCOUNT_ROOT = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
WORKFLOW_CONTEXT = {
    "StringLike": {
        "kms:EncryptionContext:aws:imagebuilder:arn": {
            "Fn::Sub": "arn:${AWS::Partition}:imagebuilder:*:${AWS::AccountId}:workflow/*"
        }
    }
}
INFRASTRUCTURE_ARN = "arn:aws:imagebuilder:us-west-2:111122223333:infrastructure-configuration/i"
LOGS_CONTEXT = {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:*:*:*"}}
ADMIN = {
    "Effect": "Allow",
    "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/KeyAdmin"}},
    "Action": "kms:*",
    "Resource": "*",
}
DELEGATE = {"Effect": "Allow", "Principal": {"AWS": ACCOUNT_ROOT}, "Action": "kms:*", "Resource": "*"}


def key_policy_grant(condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"AWS": {"Fn::GetAtt": ["ExecRole", "Arn"]}},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": condition,
    }


def role_grant(condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": {"Fn::GetAtt": ["Key", "Arn"]},
        "Condition": condition,
    }


def template(
    key_statements: list[dict[str, Any]], role_statements: list[dict[str, Any]], *, key_id: Any = None
) -> dict[str, Any]:
    """A key, an encrypted workflow, an execution role and a pipeline that runs the workflow."""
    resources: dict[str, Any] = {
        "Key": {
            "Type": "AWS::KMS::Key",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "EnableKeyRotation": True,
                "KeyPolicy": {"Version": "2012-10-17", "Statement": key_statements},
            },
        },
        "Workflow": {
            "Type": "AWS::ImageBuilder::Workflow",
            "Properties": {
                "Name": "build",
                "Version": "1.0.0",
                "Type": "BUILD",
                "Data": "schemaVersion: 1.0",
                "KmsKeyId": key_id or {"Fn::GetAtt": ["Key", "Arn"]},
            },
        },
        "ExecRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "imagebuilder.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                        }
                    ],
                },
            },
        },
        "Pipeline": {
            "Type": "AWS::ImageBuilder::ImagePipeline",
            "Properties": {
                "Name": "p",
                "ImageRecipeArn": "arn:aws:imagebuilder:us-west-2:111122223333:image-recipe/r/1.0.0",
                "InfrastructureConfigurationArn": INFRASTRUCTURE_ARN,
                "ExecutionRole": {"Fn::GetAtt": ["ExecRole", "Arn"]},
                "Workflows": [{"WorkflowArn": {"Fn::GetAtt": ["Workflow", "Arn"]}}],
            },
        },
    }
    if role_statements:
        resources["ExecPolicy"] = {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyName": "exec",
                "Roles": [{"Ref": "ExecRole"}],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": role_statements},
            },
        }
    return {"Resources": resources}


def fired(tmpl: dict[str, Any]) -> set[str]:
    stack = assembly.stack_from_template(tmpl, path="S")
    return {
        f.rule_id.removeprefix("DataProtection-")
        for f in run.evaluate([stack])
        if f.rule.id.startswith("GRANT")
    }


@pytest.mark.parametrize(
    ("key_statements", "role_statements", "expected"),
    [
        # neither side: the key policy has only the administrator
        ([ADMIN], [], {"GRANT1[Workflow]", "GRANT2[Workflow]"}),
        # the key policy only
        ([ADMIN, key_policy_grant(WORKFLOW_CONTEXT)], [], {"GRANT2[Workflow]"}),
        # the role only, with a key policy that does not delegate to the account
        ([ADMIN], [role_grant(WORKFLOW_CONTEXT)], {"GRANT1[Workflow]"}),
        # both sides, the right context (what grant_workflow_execution writes)
        ([ADMIN, key_policy_grant(WORKFLOW_CONTEXT)], [role_grant(WORKFLOW_CONTEXT)], set()),
        # both sides, the wrong context (another service's)
        (
            [ADMIN, key_policy_grant(LOGS_CONTEXT)],
            [role_grant(LOGS_CONTEXT)],
            {"GRANT1[Workflow]", "GRANT2[Workflow]"},
        ),
        # the default CDK key policy delegates to the account: the role's own grant suffices
        ([DELEGATE], [role_grant(WORKFLOW_CONTEXT)], set()),
        ([DELEGATE], [], {"GRANT2[Workflow]"}),
    ],
    ids=[
        "neither",
        "key-policy-only",
        "role-only",
        "both",
        "wrong-context",
        "delegated",
        "delegated-no-role-grant",
    ],
)
def test_workflow_key_grant_on_both_sides(
    key_statements: list[dict[str, Any]], role_statements: list[dict[str, Any]], expected: set[str]
) -> None:
    assert fired(template(key_statements, role_statements)) == expected


def test_a_key_outside_the_template_is_an_info_finding() -> None:
    imported = "arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    stack = assembly.stack_from_template(template([ADMIN], [], key_id=imported), path="S")
    findings = [f for f in run.evaluate([stack]) if f.rule.id.startswith("GRANT")]
    assert [(f.rule_id, f.level.value) for f in findings] == [("DataProtection-GRANT4[Workflow]", "info")]
    assert "the key's owner adds" in findings[0].rule.explanation


def test_an_alpha_style_execution_role_with_only_the_managed_policy() -> None:
    tmpl = template([DELEGATE], [])
    role = tmpl["Resources"]["ExecRole"]["Properties"]
    role["ManagedPolicyArns"] = [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/EC2ImageBuilderExecutionPolicy"}
    ]
    assert fired(tmpl) == {"GRANT2[Workflow]"}  # the managed policy grants KMS only for EBS through EC2


def _with_component(
    tmpl: dict[str, Any], key_statements: list[dict[str, Any]], instance_statements: list[dict[str, Any]]
) -> dict[str, Any]:
    tmpl = copy.deepcopy(tmpl)
    resources = tmpl["Resources"]
    resources["Key"]["Properties"]["KeyPolicy"]["Statement"] = key_statements
    resources["Component"] = {
        "Type": "AWS::ImageBuilder::Component",
        "Properties": {
            "Name": "c",
            "Version": "1.0.0",
            "Platform": "Linux",
            "Data": "schemaVersion: 1.0",
            "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]},
        },
    }
    resources["Recipe"] = {
        "Type": "AWS::ImageBuilder::ImageRecipe",
        "Properties": {
            "Name": "r",
            "Version": "1.0.0",
            "ParentImage": "ami-1",
            "Components": [{"ComponentArn": {"Ref": "Component"}}],
        },
    }
    resources["InstanceRole"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ]
            },
            "Policies": [{"PolicyName": "decrypt", "PolicyDocument": {"Statement": instance_statements}}]
            if instance_statements
            else [],
        },
    }
    resources["Profile"] = {
        "Type": "AWS::IAM::InstanceProfile",
        "Properties": {"Roles": [{"Ref": "InstanceRole"}]},
    }
    resources["Infrastructure"] = {
        "Type": "AWS::ImageBuilder::InfrastructureConfiguration",
        "Properties": {"Name": "i", "InstanceProfileName": {"Ref": "Profile"}},
    }
    pipeline = resources["Pipeline"]["Properties"]
    pipeline["ImageRecipeArn"] = {"Fn::GetAtt": ["Recipe", "Arn"]}
    pipeline["InfrastructureConfigurationArn"] = {"Fn::GetAtt": ["Infrastructure", "Arn"]}
    return tmpl


COMPONENT_DECRYPT = {
    "Effect": "Allow",
    "Action": "kms:Decrypt",
    "Resource": {"Fn::GetAtt": ["Key", "Arn"]},
    "Condition": {
        "StringLike": {
            "kms:EncryptionContext:aws:imagebuilder:arn": {
                "Fn::Sub": "arn:${AWS::Partition}:imagebuilder:*:${AWS::AccountId}:component/*"
            }
        },
        "ForAnyValue:StringEquals": {"aws:CalledVia": ["imagebuilder.amazonaws.com"]},
    },
}


@pytest.mark.parametrize(
    ("key_statements", "instance_statements", "expected"),
    [
        ([ADMIN, key_policy_grant(WORKFLOW_CONTEXT)], [], {"GRANT3[Component]"}),
        ([DELEGATE], [], {"GRANT3[Component]"}),
        ([DELEGATE], [COMPONENT_DECRYPT], set()),
    ],
    ids=["key-policy-without-the-instance-role", "delegated-without-role-grant", "delegated-with-role-grant"],
)
def test_the_build_instance_can_decrypt_its_components(
    key_statements: list[dict[str, Any]], instance_statements: list[dict[str, Any]], expected: set[str]
) -> None:
    base = template(key_statements, [role_grant(WORKFLOW_CONTEXT)])
    result = fired(_with_component(base, key_statements, instance_statements))
    assert {f for f in result if f.startswith("GRANT3")} == expected


def test_a_role_without_managed_policies_holds_none_so_a_missing_grant_is_an_error() -> None:
    """No ``ManagedPolicyArns`` is no managed policy, not an undocumented one that might allow anything."""
    stack = assembly.stack_from_template(template([key_policy_grant(WORKFLOW_CONTEXT)], []), path="S")
    missing = [f for f in run.evaluate([stack]) if f.rule.id == "GRANT2"]
    assert [f.rule_id for f in missing] == ["DataProtection-GRANT2[Workflow]"]
    assert missing[0].undecided is None, missing[0].message
