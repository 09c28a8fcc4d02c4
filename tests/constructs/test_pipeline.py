"""SecureImagePipeline itself: workflows, scanning, schedule, retained state, and the container pipeline.

The pipelines are those of tests/pipeline_scene.py, synthesized once per session.
"""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match, Template

from pipeline_scene import (
    ACCOUNT,
    KEY_ARN,
    REGION,
    container_template,
    only,
    pipeline_evaluator,
    pipeline_template,
)
from policy_eval import PolicyEvaluator, Request
from secure_imagebuilder.core import defaults


@pytest.fixture(scope="module")
def template() -> Template:
    return pipeline_template()


@pytest.fixture(scope="module")
def evaluator() -> PolicyEvaluator:
    return pipeline_evaluator()


@pytest.fixture(scope="module", name="container_template")
def container_template_fixture() -> Template:
    return container_template()


def test_pipeline_runs_encrypted_workflows_with_scanning_and_schedule(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ImageBuilder::ImagePipeline",
        {
            "Name": "golden",
            "Status": "ENABLED",
            "ImageScanningConfiguration": {"ImageScanningEnabled": True},
            "ImageTestsConfiguration": {"ImageTestsEnabled": True},
            "EnhancedImageMetadataEnabled": True,
            "ExecutionRole": {"Fn::GetAtt": [Match.string_like_regexp("^PipelineExecutionRole"), "Arn"]},
            "Workflows": [{"WorkflowArn": {"Fn::GetAtt": [Match.string_like_regexp("^Build"), "Arn"]}}],
            "Schedule": {
                "ScheduleExpression": "cron(0 4 ? * MON *)",
                "PipelineExecutionStartCondition": defaults.SCHEDULE_START_CONDITION,
            },
            "LoggingConfiguration": {
                "ImageLogGroupName": "/aws/imagebuilder/golden",
                "PipelineLogGroupName": "/aws/imagebuilder/pipeline/golden",
            },
            "Tags": {"project": "golden-images"},
        },
    )
    template.has_resource_properties("AWS::ImageBuilder::Workflow", {"KmsKeyId": KEY_ARN})


def test_execution_role_gets_the_workflow_grant(evaluator: PolicyEvaluator, template: Template) -> None:
    key_id, _ = only(template, "AWS::KMS::Key")
    role_id, _ = only(template, "AWS::IAM::Role", "PipelineExecutionRole")
    workflow = f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:workflow/build/build/1.0.0/*"
    context = {"kms:EncryptionContext:aws:imagebuilder:arn": workflow}
    request = Request("kms:GenerateDataKey", evaluator.role_arn(role_id), evaluator.key_arn(key_id), context)
    assert evaluator.kms_allows(key_id, request)


def test_stateful_resources_are_retained(template: Template) -> None:
    for kind in ("AWS::KMS::Key", "AWS::S3::Bucket", "AWS::Logs::LogGroup"):
        for logical_id, resource in template.find_resources(kind).items():
            assert resource.get("DeletionPolicy") == "Retain", logical_id


def test_container_recipe_is_encrypted(container_template: Template) -> None:
    container_template.has_resource_properties(
        "AWS::ImageBuilder::ContainerRecipe",
        {
            "KmsKeyId": KEY_ARN,
            "ContainerType": "DOCKER",
            "TargetRepository": {
                "Service": "ECR",
                "RepositoryName": {"Ref": Match.string_like_regexp("^RecipeRepository")},
            },
            "InstanceConfiguration": {
                "BlockDeviceMappings": [
                    Match.object_like({"Ebs": Match.object_like({"Encrypted": True, "KmsKeyId": KEY_ARN})})
                ]
            },
        },
    )


def test_container_repository_is_encrypted_immutable_and_scanned(container_template: Template) -> None:
    container_template.has_resource(
        "AWS::ECR::Repository",
        {
            "Properties": {
                "EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": KEY_ARN},
                "ImageTagMutability": "IMMUTABLE",
                "ImageScanningConfiguration": {"ScanOnPush": True},
            },
            "DeletionPolicy": "Retain",
        },
    )


def test_container_builds_get_two_imds_hops_and_scanning_of_their_repository(
    container_template: Template,
) -> None:
    container_template.has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration",
        {"InstanceMetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2}},
    )
    container_template.has_resource_properties(
        "AWS::ImageBuilder::ImagePipeline",
        {
            "ContainerRecipeArn": Match.any_value(),
            "ImageRecipeArn": Match.absent(),
            "DistributionConfigurationArn": Match.absent(),
            "ImageScanningConfiguration": {
                "ImageScanningEnabled": True,
                "EcrConfiguration": {"RepositoryName": Match.any_value()},
            },
        },
    )
    container_template.resource_count_is("AWS::SNS::Topic", 0)
    container_template.resource_count_is("AWS::CloudTrail::Trail", 0)
