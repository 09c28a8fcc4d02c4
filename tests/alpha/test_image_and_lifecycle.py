"""``SecureImage`` and ``SecureLifecyclePolicy``: exact properties, their roles, validation, both packs."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from cdk_nag import AwsSolutionsChecks

from conftest import make_app, make_stack
from examples.quickstart import COMPONENT_YAML, WORKFLOW_YAML
from policy_eval import ACCOUNT, PolicyEvaluator, Request
from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedImageRecipe,
    EncryptedWorkflow,
    ImageBuilderKey,
    ImageBuilderLogBucket,
    Platform,
    SecureDistributionConfiguration,
    SecureImage,
    SecureInfrastructureConfiguration,
    SecureLifecyclePolicy,
    WorkflowType,
)
from secure_imagebuilder.nag import DataProtectionChecks

LIFECYCLE_POLICY_ARN = {
    "Fn::Join": [
        "",
        [
            "arn:",
            {"Ref": "AWS::Partition"},
            ":iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy",
        ],
    ]
}
WORKFLOW_CONTEXT = (
    f"arn:aws:imagebuilder:us-west-2:{ACCOUNT}:workflow/build/sample-encrypted-workflow/1.0.0/1"
)


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    stack = make_stack(make_app(), name="Images", env=True)
    key = ImageBuilderKey(stack, "Key")
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=1,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        ],
        restrict_default_security_group=False,
    )
    logs = ImageBuilderLogBucket(stack, "Logs", key=key)
    infrastructure = SecureInfrastructureConfiguration(
        stack, "Infrastructure", key=key, name="images", vpc=vpc, log_bucket=logs
    )
    component = EncryptedComponent(
        stack, "Hello", key=key, name="hello", version="1.0.0", platform=Platform.LINUX, data=COMPONENT_YAML
    )
    recipe = EncryptedImageRecipe(
        stack,
        "Recipe",
        key=key,
        name="base",
        version="1.2.3",
        parent_image="ami-0123456789abcdef0",
        components=[component],
    )
    workflow = EncryptedWorkflow(
        stack,
        "Build",
        key=key,
        name="sample-encrypted-workflow",
        version="1.0.0",
        workflow_type=WorkflowType.BUILD,
        data=WORKFLOW_YAML,
    )
    distribution = SecureDistributionConfiguration(stack, "Distribution", key=key, name="images")
    SecureImage(
        stack,
        "Image",
        infrastructure=infrastructure,
        recipe=recipe,
        distribution=distribution,
        workflows=[workflow],
    )
    SecureImage(
        stack,
        "Kept",
        infrastructure=infrastructure,
        recipe=recipe,
        removal_policy=cdk.RemovalPolicy.RETAIN,
        image_tests_timeout=cdk.Duration.minutes(90),
    )
    SecureLifecyclePolicy(
        stack, "Lifecycle", name="keep-recent", recipes=[recipe], shared_account_ids=["444455556666"]
    )
    cdk.Validations.of(stack).acknowledge(cdk.Acknowledgment(id="DataProtection-AUD1", reason="test stack"))
    template = stack.node.root.synth().get_stack_by_name("Images").template  # type: ignore[attr-defined]
    return {"stack": stack, "template": template}


def resource(t: dict[str, Any], kind: str, prefix: str) -> tuple[str, dict[str, Any]]:
    (found,) = [(k, r) for k, r in t["Resources"].items() if r["Type"] == kind and k.startswith(prefix)]
    return found


def test_image_has_tests_scanning_deletion_settings_and_execution_role(built: dict[str, Any]) -> None:
    t = built["template"]
    _, image = resource(t, "AWS::ImageBuilder::Image", "Image")
    deletion_role, _ = resource(t, "AWS::IAM::Role", "ImageDeletionRole")
    execution_role, _ = resource(t, "AWS::IAM::Role", "ImageExecutionRole")
    props = image["Properties"]
    assert props["ImageTestsConfiguration"] == {"ImageTestsEnabled": True, "TimeoutMinutes": 720}
    assert props["ImageScanningConfiguration"] == {"ImageScanningEnabled": True}
    assert props["EnhancedImageMetadataEnabled"] is True
    assert props["DeletionSettings"] == {"ExecutionRole": {"Fn::GetAtt": [deletion_role, "Arn"]}}
    assert props["ExecutionRole"] == {"Fn::GetAtt": [execution_role, "Arn"]}
    assert image["DeletionPolicy"] == "Delete"
    assert set(props) >= {
        "ImageRecipeArn",
        "InfrastructureConfigurationArn",
        "DistributionConfigurationArn",
        "Workflows",
    }


def test_retained_image_has_no_deletion_settings(built: dict[str, Any]) -> None:
    t = built["template"]
    _, image = resource(t, "AWS::ImageBuilder::Image", "Kept")
    assert "DeletionSettings" not in image["Properties"] and "ExecutionRole" not in image["Properties"]
    assert image["DeletionPolicy"] == "Retain"
    assert image["Properties"]["ImageTestsConfiguration"]["TimeoutMinutes"] == 90
    assert not [k for k in t["Resources"] if k.startswith("KeptDeletionRole")]


def test_lifecycle_policy_keeps_recent_and_never_public_shared_or_in_use(built: dict[str, Any]) -> None:
    t = built["template"]
    _, policy = resource(t, "AWS::ImageBuilder::LifecyclePolicy", "Lifecycle")
    role, _ = resource(t, "AWS::IAM::Role", "LifecycleExecutionRole")
    props = policy["Properties"]
    assert props["ResourceType"] == "AMI_IMAGE" and props["Status"] == "ENABLED"
    assert props["ExecutionRole"] == {"Fn::GetAtt": [role, "Arn"]}
    assert props["ResourceSelection"] == {"Recipes": [{"Name": "base", "SemanticVersion": "1.2.3"}]}
    assert props["PolicyDetails"] == [
        {
            "Action": {"Type": "DELETE", "IncludeResources": {"Amis": True, "Snapshots": True}},
            "Filter": {"Type": "COUNT", "Value": 5},
            "ExclusionRules": {
                "Amis": {
                    "IsPublic": True,
                    "SharedAccounts": ["444455556666"],
                    "LastLaunched": {"Unit": "DAYS", "Value": 90},
                }
            },
        }
    ]


@pytest.mark.parametrize("prefix", ["LifecycleExecutionRole", "ImageDeletionRole"])
def test_lifecycle_roles_trust_image_builder_of_this_account_with_only_the_managed_policy(
    built: dict[str, Any], prefix: str
) -> None:
    t = built["template"]
    logical_id, role = resource(t, "AWS::IAM::Role", prefix)
    assert role["Properties"]["ManagedPolicyArns"] == [LIFECYCLE_POLICY_ARN]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            "Effect": "Allow",
            "Principal": {"Service": "imagebuilder.amazonaws.com"},
        }
    ]
    inline = [
        r
        for r in t["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy" and {"Ref": logical_id} in r["Properties"]["Roles"]
    ]
    assert inline == []
    evaluator = PolicyEvaluator(t)
    other = Request("sts:AssumeRole", "imagebuilder.amazonaws.com", "", {"aws:SourceAccount": "999988887777"})
    assert not evaluator.trust_allows(logical_id, other)


def test_image_execution_role_has_the_workflow_grant_on_both_sides(built: dict[str, Any]) -> None:
    t = built["template"]
    evaluator = PolicyEvaluator(t)
    role, _ = resource(t, "AWS::IAM::Role", "ImageExecutionRole")
    key, _ = resource(t, "AWS::KMS::Key", "Key")
    for action in ("kms:Decrypt", "kms:GenerateDataKey"):
        request = Request(
            action,
            evaluator.role_arn(role),
            evaluator.key_arn(key),
            {"kms:EncryptionContext:aws:imagebuilder:arn": WORKFLOW_CONTEXT},
        )
        assert evaluator.decide(request).allowed and evaluator.identity_allows(request)


def test_both_packs_report_nothing_on_the_new_constructs(built: dict[str, Any]) -> None:
    stack = built["stack"]
    assert [v.rule_name for v in DataProtectionChecks().validate_scope(stack).violations] == []
    violations = AwsSolutionsChecks().validate_scope(stack).violations
    # the filter below reads real paths: the test VPC has no flow log, which AwsSolutions reports
    assert any(
        str(r.construct_path).startswith("Images/Vpc/") for v in violations for r in v.violating_resources
    )
    ours = [
        v.rule_name
        for v in violations
        if any(
            str(r.construct_path).startswith(("Images/Image/", "Images/Kept/", "Images/Lifecycle/"))
            for r in v.violating_resources
        )
    ]
    assert ours == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "a lifecycle policy needs a selection"),
        ({"resource_tags": {"Team": "images"}, "keep": 0}, "keep must be 1 to 1000"),
        ({"resource_tags": {"Team": "images"}, "shared_account_ids": ["1234"]}, "12-digit"),
        ({"resource_tags": {"Owner": "ops@example.com"}}, "e-mail address"),
    ],
)
def test_lifecycle_policy_validation(kwargs: dict[str, Any], message: str) -> None:
    stack = make_stack()
    with pytest.raises(ValueError, match=message):
        SecureLifecyclePolicy(stack, "Lifecycle", name="keep-recent", **kwargs)


def test_image_tests_timeout_is_validated() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, restrict_default_security_group=False)
    infrastructure = SecureInfrastructureConfiguration(
        stack, "Infrastructure", key=key, name="images", vpc=vpc
    )
    component = EncryptedComponent(
        stack, "Hello", key=key, name="hello", version="1.0.0", platform=Platform.LINUX, data=COMPONENT_YAML
    )
    recipe = EncryptedImageRecipe(
        stack,
        "Recipe",
        key=key,
        name="base",
        version="1.0.0",
        parent_image="ami-0123456789abcdef0",
        components=[component],
    )
    with pytest.raises(ValueError, match="image_tests_timeout must be 60 to 1440 minutes"):
        SecureImage(
            stack,
            "Image",
            infrastructure=infrastructure,
            recipe=recipe,
            image_tests_timeout=cdk.Duration.minutes(30),
        )
