"""Versions follow Image Builder's auto-versioning (November 2025).

A component or workflow created again under the same name and version becomes a new build, so a changed
document deploys as is; components and workflows still take exact versions (CloudFormation refuses a
wildcard there, cloudformation-coverage-roadmap#2439). A recipe's patch may be ``x``: Image Builder numbers
each new recipe, so a recipe replaced because a component changed deploys without a new hand-written
version, and the blueprint's recipes use ``1.0.x``.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk.assertions import Template
from test_documents import COMPONENT, WORKFLOW_YAML

from conftest import make_image_recipe, make_stack
from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedContainerRecipe,
    EncryptedImageRecipe,
    EncryptedWorkflow,
    ImageBuilderKey,
    Platform,
    WorkflowType,
    aws_managed_component,
    aws_managed_image,
)


def _image_recipe(stack: cdk.Stack, version: str) -> EncryptedImageRecipe:
    return make_image_recipe(stack, version=version)


@pytest.mark.parametrize("version", ["1.0.x", "2.3.x", "1.0.0"])
def test_an_image_recipe_takes_an_x_patch_and_renders_it(version: str) -> None:
    stack = make_stack()
    _image_recipe(stack, version)
    Template.from_stack(stack).has_resource_properties("AWS::ImageBuilder::ImageRecipe", {"Version": version})


def test_a_container_recipe_takes_an_x_patch() -> None:
    stack = make_stack()
    EncryptedContainerRecipe(
        stack,
        "Recipe",
        key=ImageBuilderKey(stack, "Key"),
        name="mine",
        version="1.0.x",
        parent_image="public.ecr.aws/amazonlinux/amazonlinux:2023",
        components=[aws_managed_component(stack, "update-linux")],
        repository=ecr.Repository(stack, "Images"),
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::ImageBuilder::ContainerRecipe", {"Version": "1.0.x"}
    )


@pytest.mark.parametrize("version", ["x.x.x", "1.x.x", "1.x.0", "1.0.X", "1.0.x/1"])
def test_other_recipe_wildcards_are_our_error(version: str) -> None:
    with pytest.raises(
        ValueError,
        match=rf"TestStack/Recipe: a recipe version must be major.minor.patch or major.minor.x: "
        rf"got '{version}'; use '1.0.x'",
    ):
        _image_recipe(make_stack(), version)


def test_a_component_version_with_x_is_our_error_naming_auto_builds() -> None:
    stack = make_stack()
    with pytest.raises(
        ValueError,
        match=r"TestStack/Hello: version must be a semantic version major.minor.patch: got '1.0.x'; "
        r".*a changed document under the same version becomes a new build",
    ):
        EncryptedComponent(
            stack,
            "Hello",
            key=ImageBuilderKey(stack, "Key"),
            name="hello",
            version="1.0.x",
            platform=Platform.LINUX,
            data=COMPONENT,
        )


def test_a_workflow_version_with_x_is_our_error() -> None:
    stack = make_stack()
    with pytest.raises(ValueError, match=r"TestStack/Build: version must be a semantic version"):
        EncryptedWorkflow(
            stack,
            "Build",
            key=ImageBuilderKey(stack, "Key"),
            name="sample",
            version="1.x.x",
            workflow_type=WorkflowType.BUILD,
            data=WORKFLOW_YAML,
        )


def test_a_recipe_names_the_build_of_its_component_so_a_changed_document_reaches_it() -> None:
    """The recipe points at the component's build ARN (Fn::GetAtt Arn): a new build changes it."""
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    component = EncryptedComponent(
        stack, "Hello", key=key, name="hello", version="1.0.0", platform=Platform.LINUX, data=COMPONENT
    )
    EncryptedImageRecipe(
        stack,
        "Recipe",
        key=key,
        name="mine",
        version="1.0.x",
        parent_image=aws_managed_image(stack, "amazon-linux-2023-x86"),
        components=[component],
    )
    template = Template.from_stack(stack).to_json()
    (recipe,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::ImageBuilder::ImageRecipe"]
    (reference,) = recipe["Properties"]["Components"]
    assert reference["ComponentArn"]["Fn::GetAtt"][1] == "Arn"
