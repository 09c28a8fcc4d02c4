"""``apply_secure_defaults``: every default it applies to the alpha L2s, and user-set values winning.

One app, synthesized once: ``Secure`` leaves every prop to the defaults, ``UserSet`` sets each one itself.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from alpha_documents import AL2023, COMPONENT_CONTEXT, CONTEXT_KEY, WORKFLOW, WORKFLOW_CONTEXT
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_imagebuilder_alpha as alpha
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from conftest import make_app, make_stack
from examples.quickstart import COMPONENT_YAML, WORKFLOW_YAML
from policy_eval import ACCOUNT, PolicyEvaluator, Request
from secure_imagebuilder import EncryptedComponent, EncryptedWorkflow, ImageBuilderKey, Platform, WorkflowType
from secure_imagebuilder.alpha import apply_secure_defaults, to_alpha
from secure_imagebuilder.nag import DataProtectionChecks

DOCUMENT = {
    "schemaVersion": "1.0",
    "phases": [
        {
            "name": "build",
            "steps": [{"name": "Hi", "action": "ExecuteBash", "inputs": {"commands": ["echo hi"]}}],
        }
    ],
}


def pipeline(stack: cdk.Stack, **overrides: Any) -> alpha.ContainerRecipe:
    """The alpha README's pipeline with a component, a workflow, a volume and an AMI distribution."""
    component = alpha.Component(
        stack,
        "Component",
        platform=alpha.Platform.LINUX,
        data=alpha.ComponentData.from_json_object(DOCUMENT),
        kms_key=overrides.get("component_key"),
    )
    workflow = alpha.Workflow(
        stack,
        "Workflow",
        workflow_type=alpha.WorkflowType.BUILD,
        data=alpha.WorkflowData.from_json_object(WORKFLOW),
        kms_key=overrides.get("component_key"),
    )
    recipe = alpha.ImageRecipe(
        stack,
        "Recipe",
        base_image=alpha.BaseImage.from_ssm_parameter_name(AL2023),
        components=[alpha.ComponentConfiguration(component=component)],
    )
    recipe.add_block_device(
        ec2.BlockDevice(
            device_name="/dev/xvda",
            volume=ec2.BlockDeviceVolume.ebs(30, encrypted=overrides.get("encrypted")),
        )
    )
    distribution = alpha.DistributionConfiguration(stack, "Distribution")
    distribution.add_ami_distributions(
        alpha.AmiDistribution(
            ami_name="ami-{{ imagebuilder:buildDate }}", ami_kms_key=overrides.get("ami_key")
        )
    )
    infrastructure = alpha.InfrastructureConfiguration(
        stack,
        "Infrastructure",
        http_tokens=overrides.get("http_tokens"),
        role=overrides.get("role"),
        logging=overrides.get("logging"),
    )
    alpha.ImagePipeline(
        stack,
        "Pipeline",
        recipe=recipe,
        infrastructure_configuration=infrastructure,
        distribution_configuration=distribution,
        execution_role=overrides.get("execution_role"),
        workflows=[alpha.WorkflowConfiguration(workflow=workflow)],
    )
    return alpha.ContainerRecipe(
        stack,
        "ContainerRecipe",
        base_image=alpha.BaseContainerImage.from_docker_hub("amazonlinux", "2023"),
        target_repository=alpha.Repository.from_ecr(
            ecr.Repository.from_repository_name(stack, "Repo", "images")
        ),
        components=[alpha.ComponentConfiguration(component=component)],
        kms_key=overrides.get("component_key"),
    )


@pytest.fixture(scope="module")
def stacks() -> dict[str, dict[str, Any]]:
    app = make_app()
    secure = make_stack(app, name="Secure", env=True)
    key = ImageBuilderKey(secure, "Key")
    apply_secure_defaults(secure, key=key)
    container_recipe = pipeline(secure)
    alpha.ImagePipeline(secure, "ContainerPipeline", recipe=container_recipe)
    ours = EncryptedComponent(
        secure, "Ours", key=key, name="ours", version="1.0.0", platform=Platform.LINUX, data=COMPONENT_YAML
    )
    our_workflow = EncryptedWorkflow(
        secure,
        "OurWorkflow",
        key=key,
        name="sample-encrypted-workflow",
        version="1.0.0",
        workflow_type=WorkflowType.TEST,
        data=WORKFLOW_YAML,
    )
    mixed = alpha.ImageRecipe(
        secure,
        "MixedRecipe",
        base_image=alpha.BaseImage.from_ssm_parameter_name(AL2023),
        components=[alpha.ComponentConfiguration(component=to_alpha(ours))],
    )
    alpha.ImagePipeline(
        secure,
        "MixedPipeline",
        recipe=mixed,
        workflows=[alpha.WorkflowConfiguration(workflow=to_alpha(our_workflow))],
    )
    alpha.InfrastructureConfiguration(
        secure,
        "OwnRoleInfrastructure",
        role=iam.Role(secure, "OwnRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com")),
    )
    alpha.LifecyclePolicy(
        secure,
        "Lifecycle",
        resource_type=alpha.LifecyclePolicyResourceType.AMI_IMAGE,
        details=[
            alpha.LifecyclePolicyDetail(
                action=alpha.LifecyclePolicyAction(type=alpha.LifecyclePolicyActionType.DELETE),
                filter=alpha.LifecyclePolicyFilter(count_filter=alpha.LifecyclePolicyCountFilter(count=5)),
            )
        ],
        resource_selection=alpha.LifecyclePolicyResourceSelection(recipes=[mixed]),
    )
    cdk.Validations.of(secure).acknowledge(cdk.Acknowledgment(id="DataProtection-AUD1", reason="test stack"))

    user = make_stack(app, name="UserSet", env=True)
    apply_secure_defaults(user, key=ImageBuilderKey(user, "Key"))
    own_key = kms.Key(user, "OwnKey", enable_key_rotation=True)
    own_role = iam.Role(user, "OwnRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    pipeline(
        user,
        component_key=own_key,
        ami_key=own_key,
        encrypted=False,
        http_tokens=alpha.HttpTokens.OPTIONAL,
        role=own_role,
        execution_role=iam.Role(
            user, "OwnExec", assumed_by=iam.ServicePrincipal("imagebuilder.amazonaws.com")
        ),
        logging=alpha.InfrastructureConfigurationLogging(
            s3_bucket=s3.Bucket.from_bucket_name(user, "OwnLogs", "own-logs")
        ),
    )
    # a hand-written L1 is not an alpha construct: apply_secure_defaults leaves it alone
    imagebuilder.CfnDistributionConfiguration(
        user,
        "RawDistribution",
        name="raw",
        distributions=[
            {
                "region": "us-west-2",
                "amiDistributionConfiguration": {"Name": "raw-{{ imagebuilder:buildDate }}"},
            }
        ],
    )
    assembly = app.synth()
    return {
        name: {"template": assembly.get_stack_by_name(name).template, "stack": stack}
        for name, stack in (("Secure", secure), ("UserSet", user))
    }


def of_type(template: dict[str, Any], kind: str, prefix: str = "") -> dict[str, Any]:
    found = {
        k: r["Properties"]
        for k, r in template["Resources"].items()
        if r["Type"] == kind and k.startswith(prefix)
    }
    assert found, f"no {kind} {prefix}"
    return found


def only(template: dict[str, Any], kind: str, prefix: str = "") -> dict[str, Any]:
    (props,) = of_type(template, kind, prefix).values()
    return props


def key_ref(template: dict[str, Any], prefix: str = "Key") -> dict[str, Any]:
    (logical_id,) = [
        k for k, r in template["Resources"].items() if r["Type"] == "AWS::KMS::Key" and k.startswith(prefix)
    ]
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def test_documents_and_container_recipe_get_the_key(stacks: dict[str, Any]) -> None:
    t = stacks["Secure"]["template"]
    for kind, prefix in (("Component", "Component"), ("Workflow", "Workflow"), ("ContainerRecipe", "")):
        assert only(t, f"AWS::ImageBuilder::{kind}", prefix)["KmsKeyId"] == key_ref(t), kind


def test_recipe_volume_and_ami_distribution_get_the_key(stacks: dict[str, Any]) -> None:
    t = stacks["Secure"]["template"]
    (mapping,) = only(t, "AWS::ImageBuilder::ImageRecipe", "Recipe")["BlockDeviceMappings"]
    assert mapping["Ebs"] == {"Encrypted": True, "KmsKeyId": key_ref(t), "VolumeSize": 30}
    (distribution,) = only(t, "AWS::ImageBuilder::DistributionConfiguration")["Distributions"]
    assert distribution["AmiDistributionConfiguration"]["KmsKeyId"] == key_ref(t)


def test_infrastructure_gets_imdsv2_logs_topic_and_our_role(stacks: dict[str, Any]) -> None:
    t = stacks["Secure"]["template"]
    infra = only(t, "AWS::ImageBuilder::InfrastructureConfiguration", "Infrastructure")
    assert infra["InstanceMetadataOptions"]["HttpTokens"] == "required"
    (bucket,) = of_type(t, "AWS::S3::Bucket", "SecureDefaultsLogBucket")
    assert infra["Logging"] == {"S3Logs": {"S3BucketName": {"Ref": bucket}, "S3KeyPrefix": "imagebuilder/"}}
    (topic,) = of_type(t, "AWS::SNS::Topic", "SecureDefaultsNotificationTopic")
    assert infra["SnsTopicArn"] == {"Ref": topic}
    assert only(t, "AWS::SNS::Topic")["KmsMasterKeyId"] == key_ref(t)
    role = only(t, "AWS::IAM::Role", "InfrastructureInstanceRole")
    assert "EC2InstanceProfileForImageBuilder" not in str(role["ManagedPolicyArns"])
    # the default infrastructure configuration an ImagePipeline creates for itself is covered too
    own = only(t, "AWS::ImageBuilder::InfrastructureConfiguration", "MixedPipeline")
    assert own["InstanceMetadataOptions"]["HttpTokens"] == "required" and "Logging" in own


def test_log_write_is_scoped_and_alpha_grant_put_is_not_used(stacks: dict[str, Any]) -> None:
    t = stacks["Secure"]["template"]
    policy = only(t, "AWS::IAM::Policy", "InfrastructureInstanceRole")["PolicyDocument"]["Statement"]
    actions = sorted(
        a for s in policy for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    )
    assert "s3:PutObject" in actions and "kms:Encrypt" not in actions and "s3:Abort*" not in actions


def test_pipeline_with_workflows_gets_a_scoped_execution_role(stacks: dict[str, Any]) -> None:
    t = stacks["Secure"]["template"]
    (role_id,) = [
        k
        for k, r in t["Resources"].items()
        if r["Type"] == "AWS::IAM::Role" and k.startswith("PipelineExecutionRole")
    ]
    assert only(t, "AWS::ImageBuilder::ImagePipeline", "Pipeline")["ExecutionRole"] == {
        "Fn::GetAtt": [role_id, "Arn"]
    }
    (trust,) = t["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


@pytest.fixture(scope="module")
def evaluator(stacks: dict[str, Any]) -> PolicyEvaluator:
    return PolicyEvaluator(stacks["Secure"]["template"])


def lid(t: dict[str, Any], prefix: str) -> str:
    (found,) = [
        k for k, r in t["Resources"].items() if r["Type"] == "AWS::IAM::Role" and k.startswith(prefix)
    ]
    return found


def test_build_instance_decrypts_components_only_through_image_builder(
    stacks: dict[str, Any], evaluator: PolicyEvaluator
) -> None:
    t = stacks["Secure"]["template"]
    role = evaluator.role_arn(lid(t, "InfrastructureInstanceRole"))
    key = evaluator.key_arn(
        lid(t, "Key") if False else next(k for k in t["Resources"] if k.startswith("Key"))
    )
    via = {CONTEXT_KEY: COMPONENT_CONTEXT, "aws:CalledVia": "imagebuilder.amazonaws.com"}
    assert evaluator.decide(Request("kms:Decrypt", role, key, via)).allowed
    assert not evaluator.decide(Request("kms:Decrypt", role, key, {CONTEXT_KEY: COMPONENT_CONTEXT})).allowed
    assert not evaluator.decide(
        Request("kms:Decrypt", role, key, {**via, CONTEXT_KEY: WORKFLOW_CONTEXT})
    ).allowed
    assert not evaluator.decide(Request("kms:GenerateDataKey", role, key, via)).allowed


def test_execution_role_has_the_workflow_grant_on_both_sides(
    stacks: dict[str, Any], evaluator: PolicyEvaluator
) -> None:
    t = stacks["Secure"]["template"]
    role = evaluator.role_arn(lid(t, "PipelineExecutionRole"))
    key = evaluator.key_arn(next(k for k in t["Resources"] if k.startswith("Key")))
    for action in ("kms:Decrypt", "kms:GenerateDataKey"):
        request = Request(action, role, key, {CONTEXT_KEY: WORKFLOW_CONTEXT})
        assert evaluator.decide(request).allowed, action
        assert evaluator.identity_allows(request), action  # the identity side alone
        assert not evaluator.decide(Request(action, role, key, {CONTEXT_KEY: COMPONENT_CONTEXT})).allowed
    statements = t["Resources"][next(k for k in t["Resources"] if k.startswith("Key"))]["Properties"][
        "KeyPolicy"
    ]["Statement"]
    (grant,) = [s for s in statements if s.get("Sid") == "AllowImageBuilderWorkflowExecutionRole"]
    assert {"Fn::GetAtt": [lid(t, "PipelineExecutionRole"), "Arn"]} in grant["Principal"]["AWS"] or grant[
        "Principal"
    ]["AWS"] == {"Fn::GetAtt": [lid(t, "PipelineExecutionRole"), "Arn"]}
    assert not evaluator.trust_allows(
        lid(t, "PipelineExecutionRole"),
        Request("sts:AssumeRole", "imagebuilder.amazonaws.com", "", {"aws:SourceAccount": "999988887777"}),
    )
    assert evaluator.trust_allows(
        lid(t, "PipelineExecutionRole"),
        Request("sts:AssumeRole", "imagebuilder.amazonaws.com", "", {"aws:SourceAccount": ACCOUNT}),
    )


def test_alpha_recipe_lists_our_encrypted_component_and_pipeline_our_workflow(stacks: dict[str, Any]) -> None:
    t = stacks["Secure"]["template"]
    (ours,) = of_type(t, "AWS::ImageBuilder::Component", "Ours")
    assert only(t, "AWS::ImageBuilder::ImageRecipe", "MixedRecipe")["Components"] == [
        {"ComponentArn": {"Fn::GetAtt": [ours, "Arn"]}}
    ]
    (workflow,) = of_type(t, "AWS::ImageBuilder::Workflow", "OurWorkflow")
    mixed = only(t, "AWS::ImageBuilder::ImagePipeline", "MixedPipeline")
    (reference,) = mixed["Workflows"]
    assert reference["WorkflowArn"]["Fn::Join"][1][0].endswith(":workflow/test/sample-encrypted-workflow/")
    # the version comes from our workflow's ARN, so CloudFormation creates the workflow first
    assert reference["WorkflowArn"]["Fn::Join"][1][1] == {
        "Fn::Select": [3, {"Fn::Split": ["/", {"Fn::GetAtt": [workflow, "Arn"]}]}]
    }
    assert "ExecutionRole" in mixed


def test_secure_stack_passes_the_data_protection_pack(stacks: dict[str, Any]) -> None:
    report = DataProtectionChecks().validate_scope(stacks["Secure"]["stack"])
    assert [v.rule_name for v in report.violations] == []


def test_user_set_values_win(stacks: dict[str, Any]) -> None:
    t = stacks["UserSet"]["template"]
    own_key = key_ref(t, "OwnKey")
    for kind, prefix in (("Component", "Component"), ("Workflow", "Workflow"), ("ContainerRecipe", "")):
        assert only(t, f"AWS::ImageBuilder::{kind}", prefix)["KmsKeyId"] == own_key, kind
    (mapping,) = only(t, "AWS::ImageBuilder::ImageRecipe")["BlockDeviceMappings"]
    assert mapping["Ebs"] == {"Encrypted": False, "VolumeSize": 30}
    (distribution,) = only(t, "AWS::ImageBuilder::DistributionConfiguration", "Distribution")["Distributions"]
    assert distribution["AmiDistributionConfiguration"]["KmsKeyId"] == own_key
    (raw,) = only(t, "AWS::ImageBuilder::DistributionConfiguration", "RawDistribution")["Distributions"]
    assert raw["AmiDistributionConfiguration"] == {"Name": "raw-{{ imagebuilder:buildDate }}"}
    infra = only(t, "AWS::ImageBuilder::InfrastructureConfiguration")
    assert infra["InstanceMetadataOptions"]["HttpTokens"] == "optional"
    assert infra["Logging"]["S3Logs"]["S3BucketName"] == "own-logs"
    assert only(t, "AWS::IAM::InstanceProfile")["Roles"] == [{"Ref": lid(t, "OwnRole")}]
    assert only(t, "AWS::ImageBuilder::ImagePipeline")["ExecutionRole"] == {
        "Fn::GetAtt": [lid(t, "OwnExec"), "Arn"]
    }
    assert not [
        k
        for k in t["Resources"]
        if k.startswith(("InfrastructureInstanceRole", "PipelineExecutionRole", "SecureDefaultsLogBucket"))
    ]


def test_user_set_values_that_break_the_guidance_are_reported(stacks: dict[str, Any]) -> None:
    report = DataProtectionChecks().validate_scope(stacks["UserSet"]["stack"])
    names = {v.rule_name.split("[")[0] for v in report.violations}
    assert {"DataProtection-IB2", "DataProtection-IB4", "DataProtection-IAM3"} <= names


def test_our_execution_roles_may_publish_to_our_topic_through_sns_only(
    stacks: dict[str, Any], evaluator: PolicyEvaluator
) -> None:
    t = stacks["Secure"]["template"]
    key_id = next(k for k in t["Resources"] if k.startswith("Key"))
    (topic,) = of_type(t, "AWS::SNS::Topic")
    statements = t["Resources"][key_id]["Properties"]["KeyPolicy"]["Statement"]
    (grant,) = [s for s in statements if s.get("Sid") == "AllowSecureDefaultsExecutionRolesToPublish"]
    roles = [lid(t, "PipelineExecutionRole"), lid(t, "MixedPipelineExecutionRole")]
    assert sorted(p["Fn::GetAtt"][0] for p in grant["Principal"]["AWS"]) == sorted(roles)
    via = {"kms:ViaService": "sns.us-west-2.amazonaws.com"}
    for role in roles:
        arn = evaluator.role_arn(role)
        assert evaluator.decide(Request("kms:GenerateDataKey", arn, evaluator.key_arn(key_id), via)).allowed
        assert not evaluator.decide(
            Request("kms:GenerateDataKey", arn, evaluator.key_arn(key_id), {})
        ).allowed
        topic_arn = evaluator.resolve({"Ref": topic})
        assert evaluator.identity_allows(Request("sns:Publish", arn, topic_arn))


def test_lifecycle_policy_gets_a_role_limited_to_this_account(stacks: dict[str, Any]) -> None:
    t = stacks["Secure"]["template"]
    role = lid(t, "LifecycleExecutionRole")
    assert only(t, "AWS::ImageBuilder::LifecyclePolicy")["ExecutionRole"] == {"Fn::GetAtt": [role, "Arn"]}
    (trust,) = t["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    assert "EC2ImageBuilderLifecycleExecutionPolicy" in str(
        t["Resources"][role]["Properties"]["ManagedPolicyArns"]
    )


def test_a_role_the_user_gives_is_kept_and_gets_the_scoped_log_write(stacks: dict[str, Any]) -> None:
    t = stacks["Secure"]["template"]
    infra = only(t, "AWS::ImageBuilder::InfrastructureConfiguration", "OwnRoleInfrastructure")
    assert "S3Logs" in infra["Logging"]
    assert only(t, "AWS::IAM::InstanceProfile", "OwnRoleInfrastructure")["Roles"] == [
        {"Ref": lid(t, "OwnRole")}
    ]
    (statement,) = [
        s
        for s in only(t, "AWS::IAM::Policy", "OwnRoleDefaultPolicy")["PolicyDocument"]["Statement"]
        if s["Action"] == "s3:PutObject"
    ]
    assert "imagebuilder/*" in str(statement["Resource"])


def test_container_builds_get_the_ecr_policy_the_alpha_gives_its_own_role(stacks: dict[str, Any]) -> None:
    t = stacks["Secure"]["template"]
    container = t["Resources"][lid(t, "ContainerPipelineInfrastructureConfigurationInstanceRole")]
    image = t["Resources"][lid(t, "InfrastructureInstanceRole")]
    ecr_policy = "EC2InstanceProfileForImageBuilderECRContainerBuilds"
    assert ecr_policy in str(container["Properties"]["ManagedPolicyArns"])
    assert ecr_policy not in str(image["Properties"]["ManagedPolicyArns"])


def test_an_image_builder_key_given_to_an_alpha_component_renders_its_arn() -> None:
    """It used to be a wrapper: the alpha L2 took it as a kms.IKey and wrote no KmsKeyId (issue 14)."""
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    alpha.Component(
        stack,
        "Component",
        platform=alpha.Platform.LINUX,
        data=alpha.ComponentData.from_json_object(
            {"schemaVersion": "1.0", "phases": [{"name": "build", "steps": []}]}
        ),
        kms_key=key,
    )
    resources = Template.from_stack(stack).to_json()["Resources"]
    (key_id,) = [lid for lid, r in resources.items() if r["Type"] == "AWS::KMS::Key"]
    (component,) = [r for r in resources.values() if r["Type"] == "AWS::ImageBuilder::Component"]
    assert component["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}


def test_an_imported_key_gets_the_topic_and_its_owner_the_statements() -> None:
    """A key owned elsewhere is no reason to drop notifications: its owner is told what to add."""
    from conftest import owner_report

    stack = make_stack()
    key = ImageBuilderKey.from_key_arn(
        stack, "Shared", f"arn:aws:kms:us-west-2:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    apply_secure_defaults(stack, key=key)
    alpha.InfrastructureConfiguration(stack, "Infrastructure")
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SNS::Topic", 1)
    sids = [statement["Sid"] for statement in owner_report(stack, "TestStack/Shared")]
    assert "AllowImageBuilderServiceLinkedRoleToPublish" in sids
    assert "AllowImageBuilderComponentDecrypt" in sids
