"""ImageBuilderKey and WorkflowExecutionRole: the exact statements of both sides of the grant (R12-R15)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from conftest import make_stack, owner_report
from secure_imagebuilder import ImageBuilderKey, WorkflowExecutionRole

PARTITION = {"Ref": "AWS::Partition"}
ACCOUNT = {"Ref": "AWS::AccountId"}


def context_pattern(resource_type: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", PARTITION, ":imagebuilder:*:", ACCOUNT, f":{resource_type}/*"]]}


@pytest.fixture(scope="module")
def template() -> Template:
    stack = make_stack()
    admin = iam.Role(stack, "Admin", assumed_by=iam.AccountRootPrincipal())
    key = ImageBuilderKey(stack, "Key", alias="alias/imagebuilder", admins=[admin])
    WorkflowExecutionRole(stack, "ExecRole", key=key)
    instance_role = iam.Role(stack, "InstanceRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    key.grant_component_decrypt(instance_role)
    return Template.from_stack(stack)


def logical_id(template: Template, resource_type: str, path_fragment: str) -> str:
    found = template.find_resources(resource_type)
    matches = [lid for lid in found if lid.startswith(path_fragment)]
    assert len(matches) == 1, (path_fragment, list(found))
    return matches[0]


def test_key_rotates_is_retained_with_the_maximum_pending_window(template: Template) -> None:
    template.resource_count_is("AWS::KMS::Key", 1)
    template.has_resource(
        "AWS::KMS::Key",
        {
            "Properties": Match.object_like({"EnableKeyRotation": True, "PendingWindowInDays": 30}),
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
        },
    )
    template.has_resource_properties("AWS::KMS::Alias", {"AliasName": "alias/imagebuilder"})


def test_key_policy_is_exactly_root_admins_and_the_two_scoped_grants(template: Template) -> None:
    role = logical_id(template, "AWS::IAM::Role", "ExecRole")
    instance = logical_id(template, "AWS::IAM::Role", "InstanceRole")
    admin = logical_id(template, "AWS::IAM::Role", "Admin")
    key = next(iter(template.find_resources("AWS::KMS::Key").values()))
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    assert statements == [
        {
            "Sid": "AllowAccountRootToAdministerKey",
            "Effect": "Allow",
            "Principal": {"AWS": {"Fn::Join": ["", ["arn:", PARTITION, ":iam::", ACCOUNT, ":root"]]}},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "AllowKeyAdministrators",
            "Effect": "Allow",
            "Principal": {"AWS": {"Fn::GetAtt": [admin, "Arn"]}},
            "Action": [
                "kms:CancelKeyDeletion",
                "kms:Create*",
                "kms:Delete*",
                "kms:Describe*",
                "kms:Disable*",
                "kms:Enable*",
                "kms:Get*",
                "kms:List*",
                "kms:Put*",
                "kms:Revoke*",
                "kms:RotateKeyOnDemand",
                "kms:ScheduleKeyDeletion",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:Update*",
            ],
            "Resource": "*",
        },
        {
            "Sid": "AllowImageBuilderWorkflowExecutionRole",
            "Effect": "Allow",
            "Principal": {"AWS": {"Fn::GetAtt": [role, "Arn"]}},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {
                "StringLike": {"kms:EncryptionContext:aws:imagebuilder:arn": context_pattern("workflow")}
            },
        },
        {
            "Sid": "AllowImageBuilderComponentDecrypt",
            "Effect": "Allow",
            "Principal": {"AWS": {"Fn::GetAtt": [instance, "Arn"]}},
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {
                "StringLike": {"kms:EncryptionContext:aws:imagebuilder:arn": context_pattern("component")},
                "ForAnyValue:StringEquals": {"aws:CalledVia": "imagebuilder.amazonaws.com"},
            },
        },
    ]


def test_no_key_policy_statement_other_than_root_and_admins_is_unconditioned(template: Template) -> None:
    key = next(iter(template.find_resources("AWS::KMS::Key").values()))
    unconditioned = [s["Sid"] for s in key["Properties"]["KeyPolicy"]["Statement"] if "Condition" not in s]
    assert unconditioned == ["AllowAccountRootToAdministerKey", "AllowKeyAdministrators"]


def test_execution_role_policy_is_exactly_the_scoped_grant_on_the_key(template: Template) -> None:
    key = logical_id(template, "AWS::KMS::Key", "Key")
    role = logical_id(template, "AWS::IAM::Role", "ExecRole")
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [{"Ref": role}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                        "Resource": {"Fn::GetAtt": [key, "Arn"]},
                        "Condition": {
                            "StringLike": {
                                "kms:EncryptionContext:aws:imagebuilder:arn": context_pattern("workflow")
                            }
                        },
                    }
                ],
            },
        },
    )


def test_execution_role_trusts_only_imagebuilder_for_this_account(template: Template) -> None:
    role = template.find_resources(
        "AWS::IAM::Role", {"Properties": {"Description": Match.string_like_regexp("workflows")}}
    )
    (properties,) = [r["Properties"] for r in role.values()]
    assert properties["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "imagebuilder.amazonaws.com"},
            "Action": "sts:AssumeRole",
            # aws:SourceAccount only: Image Builder does not document aws:SourceArn for workflow runs.
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ]
    assert properties["ManagedPolicyArns"] == [
        {"Fn::Join": ["", ["arn:", PARTITION, ":iam::aws:policy/EC2ImageBuilderExecutionPolicy"]]}
    ]


def test_no_identity_statement_grants_a_wildcard_action(template: Template) -> None:
    for policy in template.find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert all("*" not in action for action in actions), statement


def test_grant_for_a_role_you_bring_adds_both_sides() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    mine = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("imagebuilder.amazonaws.com"))
    grant = key.grant_workflow_execution(mine)
    assert grant.success
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::KMS::Key",
        {
            "KeyPolicy": {
                "Statement": Match.array_with(
                    [Match.object_like({"Sid": "AllowImageBuilderWorkflowExecutionRole"})]
                )
            }
        },
    )
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [Match.object_like({"Action": ["kms:Decrypt", "kms:GenerateDataKey"]})]
            }
        },
    )


def test_second_grantee_joins_the_same_statement_so_sids_stay_unique() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    WorkflowExecutionRole(stack, "One", key=key)
    WorkflowExecutionRole(stack, "Two", key=key)
    key_resource = next(iter(Template.from_stack(stack).find_resources("AWS::KMS::Key").values()))
    statements = key_resource["Properties"]["KeyPolicy"]["Statement"]
    sids = [s["Sid"] for s in statements]
    assert len(sids) == len(set(sids))
    (workflow,) = [s for s in statements if s["Sid"] == "AllowImageBuilderWorkflowExecutionRole"]
    assert len(workflow["Principal"]["AWS"]) == 2


def test_partition_and_account_come_from_the_stack_environment() -> None:
    stack = make_stack(env=True)
    key = ImageBuilderKey(stack, "Key")
    WorkflowExecutionRole(stack, "ExecRole", key=key)
    key_resource = next(iter(Template.from_stack(stack).find_resources("AWS::KMS::Key").values()))
    (grant,) = [s for s in key_resource["Properties"]["KeyPolicy"]["Statement"] if "Condition" in s]
    assert grant["Condition"]["StringLike"] == {
        "kms:EncryptionContext:aws:imagebuilder:arn": "arn:aws:imagebuilder:*:111122223333:workflow/*"
    }


def test_imported_key_adds_identity_side_and_reports_the_key_policy_statement() -> None:
    stack = make_stack(env=True)
    arn = "arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    key = ImageBuilderKey.from_key_arn(stack, "Shared", arn)
    WorkflowExecutionRole(stack, "ExecRole", key=key)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::KMS::Key", 0)
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {"PolicyDocument": {"Statement": [Match.object_like({"Resource": arn})]}},
    )
    (statement,) = owner_report(stack, "TestStack/Shared")
    assert statement["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert statement["Condition"]["StringLike"] == {
        "kms:EncryptionContext:aws:imagebuilder:arn": "arn:aws:imagebuilder:*:111122223333:workflow/*"
    }


def test_the_owner_message_has_no_cloudformation_intrinsics() -> None:
    """An environment-agnostic stack: the owner gets placeholders to fill in, not Fn::GetAtt / Ref."""
    stack = make_stack()
    ImageBuilderKey.from_key_arn(
        stack, "Shared", "arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    WorkflowExecutionRole(stack, "ExecRole", key=stack.node.find_child("Shared"))  # type: ignore[arg-type]
    (info,) = [
        str(m.entry.data)
        for m in Annotations.from_stack(stack).find_info("/TestStack/Shared", Match.any_value())
    ]
    assert "Fn::" not in info and "'Ref'" not in info and '"Ref"' not in info
    assert "${AWS::AccountId}" in info and "${ExecRole" in info and "replace ${AWS::AccountId}" in info


def test_a_key_of_this_app_is_never_reported() -> None:
    stack = make_stack()
    WorkflowExecutionRole(stack, "ExecRole", key=ImageBuilderKey(stack, "Key"))
    assert Annotations.from_stack(stack).find_info("*", Match.string_like_regexp("ask its owner")) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"alias": "imagebuilder"}, r"Key: alias must start with 'alias/'.*got 'imagebuilder'"),
        ({"alias": "alias/aws/imagebuilder"}, r"reserved 'alias/aws/'.*alias/imagebuilder"),
        (
            {"pending_window": cdk.Duration.days(3)},
            r"pending_window must be 7 to 30 days \(R15\): got '3 days'",
        ),
    ],
)
def test_bad_key_input_is_refused_at_synth_time(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ImageBuilderKey(make_stack(), "Key", **kwargs)


def test_all_key_problems_are_reported_at_once() -> None:
    with pytest.raises(ValueError, match=r"TestStack/Key: 2 problems"):
        ImageBuilderKey(make_stack(), "Key", alias="bad", pending_window=cdk.Duration.days(31))


@pytest.mark.parametrize(
    ("context", "allowed"),
    [
        ({"aws:SourceAccount": "111122223333"}, True),
        # Image Builder may also send aws:SourceArn; the trust does not depend on its (undocumented) value.
        ({"aws:SourceAccount": "111122223333", "aws:SourceArn": "arn:aws:imagebuilder:x:1:y"}, True),
        ({"aws:SourceAccount": "444455556666"}, False),
        ({}, False),
    ],
)
def test_execution_role_trust_evaluated(template: Template, context: dict[str, str], allowed: bool) -> None:
    from policy_eval import PolicyEvaluator, Request

    evaluator = PolicyEvaluator(template.to_json())
    (role_id,) = template.find_resources(
        "AWS::IAM::Role", {"Properties": {"Description": Match.string_like_regexp("workflows")}}
    )
    request = Request("sts:AssumeRole", "imagebuilder.amazonaws.com", "", context)
    assert evaluator.trust_allows(role_id, request) is allowed


def test_a_pending_window_the_pack_rejects_is_a_warning_naming_kms3() -> None:
    from aws_cdk.assertions import Annotations, Match

    stack = make_stack()
    ImageBuilderKey(stack, "Short", pending_window=cdk.Duration.days(7))
    ImageBuilderKey(stack, "Default")
    kms3 = Match.string_like_regexp("DataProtection-KMS3")
    warnings = Annotations.from_stack(stack).find_warning("*", kms3)
    assert [w.id for w in warnings] == ["/TestStack/Short"]
