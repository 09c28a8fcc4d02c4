"""SecureDistributionConfiguration: AMI keys, sharing and cross-account grants, evaluated.

The pipelines are those of tests/pipeline_scene.py, synthesized once per session.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from conftest import make_pipeline, make_stack
from pipeline_scene import (
    ACCOUNT,
    ASG_SLR,
    CROSS_ROLE,
    KEY_ARN,
    LAUNCHER,
    REGION,
    TARGETS,
    key_statements,
    only,
    pipeline_evaluator,
    pipeline_template,
)
from policy_eval import PolicyEvaluator, Request
from secure_imagebuilder.core import permissions as actions


@pytest.fixture(scope="module")
def template() -> Template:
    return pipeline_template()


@pytest.fixture(scope="module")
def evaluator() -> PolicyEvaluator:
    return pipeline_evaluator()


def test_distribution_encrypts_amis_and_shares_with_the_accounts(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ImageBuilder::DistributionConfiguration",
        {
            "Distributions": [
                {
                    "Region": {"Ref": "AWS::Region"},
                    "AmiDistributionConfiguration": {
                        "Name": "golden-{{ imagebuilder:buildDate }}",
                        "KmsKeyId": KEY_ARN,
                        "TargetAccountIds": TARGETS,
                        "LaunchPermissionConfiguration": {"UserIds": [LAUNCHER]},
                    },
                }
            ]
        },
    )


def _ebs_request(
    evaluator: PolicyEvaluator, key_id: str, principal: str, action: str, **context: Any
) -> Request:
    return Request(action, principal, evaluator.key_arn(key_id), context)


CROSS_ROLE_POLICY = [
    {
        "Effect": "Allow",
        "Action": [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:DescribeKey",
            "kms:CreateGrant",
            "kms:ListGrants",
            "kms:RevokeGrant",
        ],
        "Resource": "*",
    }
]


@pytest.mark.parametrize("account", [*TARGETS, LAUNCHER])
def test_other_accounts_use_the_ami_key_only_through_ec2_in_this_region(
    template: Template, account: str
) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    # Copies run as the target account's documented role; shared AMIs are launched by anyone there.
    principal = (
        f"arn:aws:iam::{account}:role/EC2ImageBuilderDistributionCrossAccountRole"
        if account in TARGETS
        else f"arn:aws:iam::{account}:root"
    )
    evaluator = PolicyEvaluator(template.to_json(), external_identities={principal: CROSS_ROLE_POLICY})
    root = principal
    ec2_here = {"kms:ViaService": f"ec2.{REGION}.amazonaws.com", "kms:CallerAccount": account}
    assert evaluator.kms_allows(
        key_id, _ebs_request(evaluator, key_id, root, "kms:ReEncryptFrom", **ec2_here)
    )
    assert evaluator.kms_allows(
        key_id,
        _ebs_request(
            evaluator, key_id, root, "kms:CreateGrant", **ec2_here, **{"kms:GrantIsForAWSResource": "true"}
        ),
    )
    # near misses: no AWS resource, another service, another caller account, an action never granted
    assert not evaluator.kms_allows(
        key_id, _ebs_request(evaluator, key_id, root, "kms:CreateGrant", **ec2_here)
    )
    via_s3 = {**ec2_here, "kms:ViaService": f"s3.{REGION}.amazonaws.com"}
    assert not evaluator.kms_allows(key_id, _ebs_request(evaluator, key_id, root, "kms:Decrypt", **via_s3))
    other_caller = {**ec2_here, "kms:CallerAccount": "999999999999"}
    assert not evaluator.kms_allows(
        key_id, _ebs_request(evaluator, key_id, root, "kms:Decrypt", **other_caller)
    )
    assert not evaluator.kms_allows(
        key_id, _ebs_request(evaluator, key_id, root, "kms:ScheduleKeyDeletion", **ec2_here)
    )


def test_unlisted_accounts_cannot_use_the_ami_key(evaluator: PolicyEvaluator, template: Template) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    context = {"kms:ViaService": f"ec2.{REGION}.amazonaws.com", "kms:CallerAccount": "999999999999"}
    request = _ebs_request(evaluator, key_id, "arn:aws:iam::999999999999:root", "kms:Decrypt", **context)
    assert not evaluator.kms_allows(key_id, request)


def test_auto_scaling_launches_encrypted_amis(evaluator: PolicyEvaluator, template: Template) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    ec2_here = {"kms:ViaService": f"ec2.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}
    for action in (
        "kms:Decrypt",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncryptTo",
        "kms:DescribeKey",
    ):
        assert evaluator.kms_allows(key_id, _ebs_request(evaluator, key_id, ASG_SLR, action, **ec2_here))
    grant = {**ec2_here, "kms:GrantIsForAWSResource": "true"}
    assert evaluator.kms_allows(key_id, _ebs_request(evaluator, key_id, ASG_SLR, "kms:CreateGrant", **grant))
    assert not evaluator.kms_allows(
        key_id, _ebs_request(evaluator, key_id, ASG_SLR, "kms:CreateGrant", **ec2_here)
    )
    assert not evaluator.kms_allows(key_id, _ebs_request(evaluator, key_id, ASG_SLR, "kms:Decrypt"))


def test_cross_account_key_statements_are_exact(template: Template) -> None:
    statements = key_statements(template)
    copy = statements["AllowDistributionTargetAccounts"]
    assert sorted(copy["Action"]) == sorted(actions.EBS_KEY_ACTIONS)
    assert copy["Resource"] == "*"
    assert copy["Condition"]["StringEquals"]["kms:CallerAccount"] == TARGETS
    # Only the documented role of each target account, named by ARN under its (always existing) account.
    assert copy["Condition"]["ArnEquals"]["aws:PrincipalArn"] == [
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::{a}:role/{CROSS_ROLE}"]]}
        for a in TARGETS
    ]
    assert len(copy["Principal"]["AWS"]) == len(TARGETS)
    share = statements["AllowLaunchPermissionAccounts"]
    assert share["Condition"]["StringEquals"]["kms:CallerAccount"] == [LAUNCHER]
    assert "ArnEquals" not in share["Condition"]
    for sid in ("AllowDistributionTargetAccountsCreateGrant", "AllowLaunchPermissionAccountsCreateGrant"):
        grant = statements[sid]
        assert grant["Action"] == "kms:CreateGrant"
        assert grant["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}


def test_only_the_cross_account_role_of_a_target_account_copies(
    evaluator: PolicyEvaluator, template: Template
) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    ec2_here = {"kms:ViaService": f"ec2.{REGION}.amazonaws.com"}
    role = f"arn:aws:iam::{TARGETS[0]}:role/{CROSS_ROLE}"
    other_role = f"arn:aws:iam::{TARGETS[0]}:role/Developer"
    documented = {role: [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
    documented[other_role] = documented[role]
    with_iam = PolicyEvaluator(template.to_json(), external_identities=documented)
    assert with_iam.kms_allows(key_id, _ebs_request(evaluator, key_id, role, "kms:Decrypt", **ec2_here))
    assert not with_iam.kms_allows(
        key_id, _ebs_request(evaluator, key_id, other_role, "kms:Decrypt", **ec2_here)
    )


def test_auto_scaling_is_opt_in() -> None:
    stack = make_stack()
    make_pipeline(stack)
    assert "AutoScaling" not in json.dumps(Template.from_stack(stack).to_json())
