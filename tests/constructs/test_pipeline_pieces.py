"""SecureImagePipeline with the user's own recipe, infrastructure and distribution (ours or the alpha L2s'):
it creates only what is not given, and refuses props that only its own pieces would use.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_imagebuilder_alpha as alpha
from aws_cdk.assertions import Template

from conftest import make_stack
from secure_imagebuilder import (
    EncryptedImageRecipe,
    ImageBuilderKey,
    SecureImagePipeline,
    SecureInfrastructureConfiguration,
    aws_managed_component,
    aws_managed_image,
)

AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-x86_64"


def _vpc(stack: cdk.Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=1, restrict_default_security_group=False)


def _pipeline_props(template: Template) -> dict[str, Any]:
    (pipeline,) = template.find_resources("AWS::ImageBuilder::ImagePipeline").values()
    props: dict[str, Any] = pipeline["Properties"]
    return props


def test_our_own_recipe_and_infrastructure_are_used_not_rebuilt() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    recipe = EncryptedImageRecipe(
        stack,
        "MyRecipe",
        key=key,
        name="mine",
        version="1.0.0",
        parent_image=aws_managed_image(stack, "amazon-linux-2023-x86"),
        components=[aws_managed_component(stack, "update-linux")],
    )
    infrastructure = SecureInfrastructureConfiguration(
        stack, "MyInfra", key=key, name="mine", vpc=_vpc(stack)
    )
    SecureImagePipeline(stack, "Pipeline", name="mine", key=key, recipe=recipe, infrastructure=infrastructure)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::ImageBuilder::ImageRecipe", 1)
    template.resource_count_is("AWS::ImageBuilder::InfrastructureConfiguration", 1)
    props = _pipeline_props(template)
    assert props["ImageRecipeArn"]["Fn::GetAtt"][0].startswith("MyRecipe")
    assert props["InfrastructureConfigurationArn"]["Fn::GetAtt"][0].startswith("MyInfra")
    assert props["DistributionConfigurationArn"]["Fn::GetAtt"][0].startswith("PipelineDistribution")
    assert not any(k.startswith("PipelineLogs") for k in template.find_resources("AWS::S3::Bucket"))


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
    assert props["ImageRecipeArn"]["Fn::GetAtt"][0].startswith("AlphaRecipe")
    assert props["InfrastructureConfigurationArn"]["Fn::GetAtt"][0].startswith("AlphaInfra")
    assert props["DistributionConfigurationArn"]["Fn::GetAtt"][0].startswith("AlphaDistribution")
    template.resource_count_is("AWS::ImageBuilder::ImageRecipe", 1)
    template.resource_count_is("AWS::ImageBuilder::DistributionConfiguration", 1)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({}, "parent_image and components are required unless recipe is given"),
        ({"parent_image": "ami-1", "components": []}, "vpc is required unless infrastructure is given"),
        (
            {"recipe": "arn:aws:imagebuilder:x", "vpc": "VPC"},
            "recipe must be one of this library's or an aws-imagebuilder-alpha recipe",
        ),
    ],
)
def test_missing_or_unknown_pieces_are_our_errors(props: dict[str, Any], message: str) -> None:
    stack = make_stack()
    if props.get("vpc") == "VPC":
        props["vpc"] = _vpc(stack)
    with pytest.raises(ValueError, match=f"(?s)TestStack/Pipeline: .*{message}"):
        SecureImagePipeline(stack, "Pipeline", name="pipe", **props)


def test_props_only_our_pieces_use_are_refused_with_a_given_piece() -> None:
    stack = make_stack()
    recipe = alpha.ImageRecipe(
        stack, "AlphaRecipe", base_image=alpha.BaseImage.from_ssm_parameter_name(AL2023)
    )
    with pytest.raises(ValueError, match="instance_types is ignored when infrastructure is given") as raised:
        SecureImagePipeline(
            stack,
            "Pipeline",
            name="pipe",
            recipe=recipe,
            parent_image="ami-1",
            infrastructure=alpha.InfrastructureConfiguration(stack, "AlphaInfra"),
            instance_types=["m5.large"],
        )
    assert "parent_image and components are ignored when recipe is given" in str(raised.value)


def test_a_pipeline_name_with_a_space_is_refused_for_its_log_groups() -> None:
    stack = make_stack()
    with pytest.raises(
        ValueError,
        match=r"log group names \(/aws/imagebuilder/<name>\): no spaces: got 'my pipe'",
    ):
        SecureImagePipeline(
            stack,
            "Pipeline",
            name="my pipe",
            vpc=_vpc(stack),
            parent_image="ami-1",
            components=[aws_managed_component(stack, "update-linux")],
        )


def test_an_execution_role_without_workflows_is_refused_not_dropped() -> None:
    from aws_cdk import aws_iam as iam

    stack = make_stack()
    role = iam.Role(stack, "Exec", assumed_by=iam.ServicePrincipal("imagebuilder.amazonaws.com"))
    with pytest.raises(
        ValueError,
        match=r"TestStack/Pipeline: execution_role is only used by pipelines that run workflows: got 'Test",
    ):
        SecureImagePipeline(
            stack,
            "Pipeline",
            name="pipe",
            vpc=_vpc(stack),
            parent_image="ami-1",
            components=[aws_managed_component(stack, "update-linux")],
            execution_role=role,
        )
