"""SecureImagePipeline takes its recipe, infrastructure and distribution as objects (ours, the alpha L2s'
or imported ones) and builds only what it is not given; a piece of the wrong kind is our error.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder_alpha as alpha
from aws_cdk.assertions import Template
from test_documents import WORKFLOW_YAML

from conftest import make_infrastructure, make_pipeline, make_stack
from secure_imagebuilder import (
    EncryptedContainerRecipe,
    EncryptedImageRecipe,
    EncryptedWorkflow,
    ImageBuilderKey,
    SecureImagePipeline,
    WorkflowType,
    aws_managed_component,
)

AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-x86_64"
ACCOUNT = "111122223333"
IMPORTED_RECIPE = f"arn:aws:imagebuilder:us-west-2:{ACCOUNT}:image-recipe/shared/1.2.0"
IMPORTED_WORKFLOW = f"arn:aws:imagebuilder:us-west-2:{ACCOUNT}:workflow/test/smoke/1.0.0/1"


def _pipeline_props(template: Template) -> dict[str, Any]:
    (pipeline,) = template.find_resources("AWS::ImageBuilder::ImagePipeline").values()
    props: dict[str, Any] = pipeline["Properties"]
    return props


def _target(value: Any) -> str:
    """The logical id a ``Fn::GetAtt``/``Ref`` points to."""
    return str(value["Fn::GetAtt"][0] if "Fn::GetAtt" in value else value["Ref"])


def test_our_pieces_are_used_and_only_the_distribution_is_built() -> None:
    stack = make_stack()
    pipeline = make_pipeline(stack)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::ImageBuilder::ImageRecipe", 1)
    template.resource_count_is("AWS::ImageBuilder::InfrastructureConfiguration", 1)
    props = _pipeline_props(template)
    assert _target(props["ImageRecipeArn"]) == "Recipe"
    assert _target(props["InfrastructureConfigurationArn"]).startswith("Infrastructure")
    assert _target(props["DistributionConfigurationArn"]).startswith("PipelineDistribution")
    # The recipe's key is the pipeline's: no second key.
    template.resource_count_is("AWS::KMS::Key", 1)
    assert pipeline.key is stack.node.find_child("Key")
    assert pipeline.image_pipeline_name == "plain"
    assert stack.resolve(pipeline.image_pipeline_arn) == {"Fn::GetAtt": [_lid(stack, pipeline), "Arn"]}


def _lid(stack: cdk.Stack, pipeline: SecureImagePipeline) -> str:
    return str(stack.resolve(pipeline.resource.logical_id))


def test_alpha_recipe_infrastructure_and_distribution_are_taken() -> None:
    stack = make_stack()
    recipe = alpha.ImageRecipe(
        stack, "AlphaRecipe", base_image=alpha.BaseImage.from_ssm_parameter_name(AL2023)
    )
    infrastructure = alpha.InfrastructureConfiguration(stack, "AlphaInfra")
    distribution = alpha.DistributionConfiguration(stack, "AlphaDistribution")
    distribution.add_ami_distributions(alpha.AmiDistribution(ami_name="app-{{ imagebuilder:buildDate }}"))
    SecureImagePipeline(
        stack,
        "Pipeline",
        name="alpha",
        recipe=recipe,
        infrastructure=infrastructure,
        distribution=distribution,
    )
    template = Template.from_stack(stack)
    props = _pipeline_props(template)
    assert _target(props["ImageRecipeArn"]).startswith("AlphaRecipe")
    assert _target(props["InfrastructureConfigurationArn"]).startswith("AlphaInfra")
    assert _target(props["DistributionConfigurationArn"]).startswith("AlphaDistribution")
    template.resource_count_is("AWS::ImageBuilder::DistributionConfiguration", 1)
    # An alpha recipe has no key of ours: the pipeline's log groups get a new one.
    (key,) = template.find_resources("AWS::KMS::Key")
    assert key.startswith("PipelineKey")


def test_an_imported_recipe_and_workflow_go_in_and_the_given_key_is_used() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Shared")
    recipe = EncryptedImageRecipe.from_image_recipe_arn(stack, "Imported", IMPORTED_RECIPE)
    workflow = EncryptedWorkflow.from_workflow_arn(stack, "Smoke", IMPORTED_WORKFLOW)
    make_pipeline(stack, key=key, recipe=recipe, workflows=[workflow])
    props = _pipeline_props(Template.from_stack(stack))
    assert props["ImageRecipeArn"] == IMPORTED_RECIPE
    assert props["Workflows"] == [{"WorkflowArn": IMPORTED_WORKFLOW}]
    Template.from_stack(stack).resource_count_is("AWS::KMS::Key", 1)


def test_a_container_recipe_makes_a_container_pipeline_without_a_distribution() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    recipe = EncryptedContainerRecipe(
        stack,
        "Recipe",
        key=key,
        name="box",
        version="1.0.x",
        parent_image="public.ecr.aws/amazonlinux/amazonlinux:2023",
        components=[aws_managed_component(stack, "update-linux")],
    )
    infrastructure = make_infrastructure(stack, key, container=True, container_repository=recipe.repository)
    make_pipeline(stack, key=key, recipe=recipe, infrastructure=infrastructure)
    props = _pipeline_props(Template.from_stack(stack))
    assert _target(props["ContainerRecipeArn"]) == "Recipe"
    assert "ImageRecipeArn" not in props and "DistributionConfigurationArn" not in props
    assert _target(props["ImageScanningConfiguration"]["EcrConfiguration"]["RepositoryName"]).startswith(
        "RecipeRepository"
    )


@pytest.mark.parametrize(
    ("piece", "value", "message"),
    [
        ("recipe", "arn:aws:imagebuilder:x", "recipe must be an IImageRecipe or IContainerRecipe"),
        ("infrastructure", 42, "infrastructure must be an IInfrastructureConfiguration"),
        ("distribution", "eu-west-1", "distribution must be an IDistributionConfiguration"),
    ],
)
def test_a_piece_of_the_wrong_kind_is_our_error(piece: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=rf"TestStack/Pipeline: {message} \(this library's, the alpha"):
        make_pipeline(make_stack(), **{piece: value})


def test_a_container_recipe_on_an_ami_infrastructure_is_our_error_with_the_fix() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    recipe = EncryptedContainerRecipe(
        stack,
        "Box",
        key=key,
        name="box",
        version="1.0.x",
        parent_image="public.ecr.aws/amazonlinux/amazonlinux:2023",
        components=[aws_managed_component(stack, "update-linux")],
    )
    with pytest.raises(
        ValueError,
        match=r"TestStack/Pipeline: the recipe is a container recipe but the infrastructure builds AMIs: "
        r"got 'TestStack/Infrastructure'; create the SecureInfrastructureConfiguration with container=True",
    ):
        make_pipeline(stack, key=key, recipe=recipe)


def test_a_pipeline_name_with_a_space_is_refused_for_its_log_groups() -> None:
    with pytest.raises(
        ValueError, match=r"log group names \(/aws/imagebuilder/<name>\): no spaces: got 'my pipe'"
    ):
        make_pipeline(make_stack(), name="my pipe")


def test_an_execution_role_without_workflows_is_refused_not_dropped() -> None:
    stack = make_stack()
    role = iam.Role(stack, "Exec", assumed_by=iam.ServicePrincipal("imagebuilder.amazonaws.com"))
    with pytest.raises(
        ValueError,
        match=r"TestStack/Pipeline: execution_role is only used by builds that run workflows: got 'Test",
    ):
        make_pipeline(stack, execution_role=role)


def test_the_execution_role_gets_the_grant_of_every_workflow_key() -> None:
    stack = make_stack()
    other = ImageBuilderKey(stack, "OtherKey")
    workflow = EncryptedWorkflow.from_workflow_arn(stack, "Smoke", IMPORTED_WORKFLOW)
    ours = EncryptedWorkflow(
        stack,
        "Ours",
        key=other,
        name="ours",
        version="1.0.0",
        workflow_type=WorkflowType.BUILD,
        data=WORKFLOW_YAML,
    )
    make_pipeline(stack, workflows=[workflow, ours])
    keys = Template.from_stack(stack).find_resources("AWS::KMS::Key")
    granted = {
        lid
        for lid, key in keys.items()
        if any(
            s.get("Sid") == "AllowImageBuilderWorkflowExecutionRole"
            for s in key["Properties"]["KeyPolicy"]["Statement"]
        )
    }
    assert granted == set(keys)  # the pipeline's (the recipe's) key and the other workflow's key


def test_tests_and_scanning_given_as_none_keep_their_secure_defaults() -> None:
    stack = make_stack()
    make_pipeline(stack, image_tests=None, image_scanning=None)
    props = _pipeline_props(Template.from_stack(stack))
    assert props["ImageScanningConfiguration"] == {"ImageScanningEnabled": True}
    assert props["ImageTestsConfiguration"] == {"ImageTestsEnabled": True}
