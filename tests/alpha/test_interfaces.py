"""Our versioned resources in the CDK pattern (issue 14): kind attributes, grants, imports, and the alpha
L2s both ways (our component and workflow straight into alpha constructs, alpha ones into ours).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder_alpha as alpha
from aws_cdk.assertions import Template

from conftest import make_image_recipe, make_stack
from examples.quickstart import COMPONENT_YAML, WORKFLOW_YAML
from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedImageRecipe,
    EncryptedWorkflow,
    ImageBuilderKey,
    Platform,
    SecureImagePipeline,
    WorkflowType,
)
from secure_imagebuilder.alpha import as_alpha_image_recipe

OWN = "arn:aws:imagebuilder:us-west-2:111122223333:component/shared-hardening/2.1.0/3"
WORKFLOW = "arn:aws:imagebuilder:us-west-2:111122223333:workflow/test/smoke-tests/1.0.0/1"


def _resources(stack: cdk.Stack, kind: str) -> list[dict[str, Any]]:
    resources = Template.from_stack(stack).to_json()["Resources"]
    return [r["Properties"] for r in resources.values() if r["Type"] == f"AWS::ImageBuilder::{kind}"]


def _pieces(stack: cdk.Stack) -> tuple[ImageBuilderKey, EncryptedComponent, EncryptedWorkflow]:
    key = ImageBuilderKey(stack, "Key")
    component = EncryptedComponent(
        stack, "Hello", key=key, name="hello", version="1.0.0", platform=Platform.LINUX, data=COMPONENT_YAML
    )
    workflow = EncryptedWorkflow(
        stack,
        "Build",
        key=key,
        name="build-wf",
        version="1.0.0",
        workflow_type=WorkflowType.BUILD,
        data=WORKFLOW_YAML,
    )
    return key, component, workflow


def _recipe(stack: cdk.Stack, key: ImageBuilderKey, components: list[Any]) -> EncryptedImageRecipe:
    return make_image_recipe(stack, key=key, components=components)


def test_kind_attributes_and_read_grants() -> None:
    stack = make_stack()
    _, component, workflow = _pieces(stack)
    assert (component.component_name, component.component_version) == ("hello", "1.0.0")
    assert component.component_arn == component.arn and workflow.workflow_arn == workflow.arn
    assert (workflow.workflow_name, workflow.workflow_version) == ("build-wf", "1.0.0")
    # The IResource members the alpha interfaces extend.
    assert component.stack is stack and stack.resolve(component.env.region) == {"Ref": "AWS::Region"}
    component.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    assert component.resource.cfn_options.deletion_policy == cdk.CfnDeletionPolicy.RETAIN
    role = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    assert component.grant_read(role).success and workflow.grant_read(role).success
    (policy,) = [
        r["Properties"]
        for r in Template.from_stack(stack).to_json()["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy"
    ]
    actions = [s["Action"] for s in policy["PolicyDocument"]["Statement"]]
    assert actions == ["imagebuilder:GetComponent", "imagebuilder:GetWorkflow"]


def test_our_component_goes_straight_into_an_alpha_recipe() -> None:
    stack = make_stack()
    _, component, _ = _pieces(stack)
    alpha.ImageRecipe(
        stack,
        "AlphaRecipe",
        base_image=alpha.BaseImage.from_ami_id("ami-0123456789abcdef0"),
        components=[alpha.ComponentConfiguration(component=component)],
    )
    (recipe,) = _resources(stack, "ImageRecipe")
    assert recipe["Components"] == [{"ComponentArn": {"Fn::GetAtt": [_lid(stack, component), "Arn"]}}]


def test_an_alpha_component_and_an_imported_one_go_into_our_recipe() -> None:
    stack = make_stack()
    key, _, _ = _pieces(stack)
    theirs = alpha.Component(
        stack,
        "AlphaComponent",
        platform=alpha.Platform.LINUX,
        data=alpha.ComponentData.from_json_object(
            {"schemaVersion": "1.0", "phases": [{"name": "build", "steps": []}]}
        ),
        kms_key=key,
    )
    imported = EncryptedComponent.from_component_arn(stack, "Shared", OWN)
    assert (imported.component_name, imported.component_version) == ("shared-hardening", "2.1.0")
    _recipe(stack, key, [theirs, imported])
    (recipe,) = [r for r in _resources(stack, "ImageRecipe")]
    assert recipe["Components"] == [
        {"ComponentArn": {"Fn::GetAtt": [_lid(stack, theirs), "Arn"]}},
        {"ComponentArn": OWN},
    ]


def test_our_workflow_and_recipe_go_into_an_alpha_pipeline() -> None:
    stack = make_stack()
    key, component, workflow = _pieces(stack)
    recipe = _recipe(stack, key, [component])
    alpha.ImagePipeline(
        stack,
        "AlphaPipeline",
        recipe=as_alpha_image_recipe(recipe),
        workflows=[alpha.WorkflowConfiguration(workflow=workflow)],
    )
    (pipeline,) = _resources(stack, "ImagePipeline")
    assert pipeline["ImageRecipeArn"] == {"Fn::GetAtt": [_lid(stack, recipe), "Arn"]}
    assert pipeline["Workflows"] == [{"WorkflowArn": {"Fn::GetAtt": [_lid(stack, workflow), "Arn"]}}]


def test_an_imported_workflow_reads_its_type_and_goes_into_our_pipeline() -> None:
    stack = make_stack()
    imported = EncryptedWorkflow.from_workflow_arn(stack, "Smoke", WORKFLOW)
    assert (imported.workflow_name, imported.workflow_version, imported.workflow_kind) == (
        "smoke-tests",
        "1.0.0",
        "TEST",
    )
    SecureImagePipeline(
        stack,
        "Pipeline",
        name="pipe",
        vpc=cdk.aws_ec2.Vpc(stack, "Vpc", max_azs=1),
        parent_image="ami-0123456789abcdef0",
        components=["arn:aws:imagebuilder:us-west-2:aws:component/update-linux/x.x.x"],
        workflows=[imported],
    )
    (pipeline,) = _resources(stack, "ImagePipeline")
    assert pipeline["Workflows"] == [{"WorkflowArn": WORKFLOW}]


@pytest.mark.parametrize(
    ("arn", "what"),
    [
        (
            "arn:aws:imagebuilder:us-west-2:111122223333:image-recipe/r/1.0.0",
            "this is not the ARN of an Image Builder component",
        ),
        ("alias/hello", "this is not the ARN of an Image Builder component"),
        (42, "a component ARN must be a string"),
    ],
)
def test_a_bad_component_arn_is_our_error(arn: Any, what: str) -> None:
    with pytest.raises(ValueError, match=rf"TestStack/Shared: {what}"):
        EncryptedComponent.from_component_arn(make_stack(), "Shared", arn)


def test_a_token_arn_is_split_at_deploy_time() -> None:
    stack = make_stack()
    arn = cdk.Fn.import_value("SharedComponentArn")
    imported = EncryptedComponent.from_component_arn(stack, "Shared", arn)
    assert stack.resolve(imported.component_name) == {
        "Fn::Select": [1, {"Fn::Split": ["/", {"Fn::ImportValue": "SharedComponentArn"}]}]
    }


def test_something_that_is_not_a_workflow_is_our_error() -> None:
    stack = make_stack()
    with pytest.raises(
        ValueError, match=r"TestStack/Pipeline: workflows must be workflows .*from_workflow_arn"
    ):
        SecureImagePipeline(
            stack,
            "Pipeline",
            name="pipe",
            vpc=cdk.aws_ec2.Vpc(stack, "Vpc", max_azs=1),
            parent_image="ami-0123456789abcdef0",
            components=["arn:aws:imagebuilder:us-west-2:aws:component/update-linux/x.x.x"],
            workflows=[WORKFLOW],
        )


def _lid(stack: cdk.Stack, construct: Any) -> str:
    """The logical id of a construct's CloudFormation resource, as written in the template."""
    return str(stack.resolve(construct.node.default_child.logical_id))


def test_each_adapter_is_made_once_per_construct() -> None:
    from secure_imagebuilder.alpha import as_alpha_component, as_alpha_workflow

    stack = make_stack()
    key, component, workflow = _pieces(stack)
    recipe = _recipe(stack, key, [component])
    for adapt, construct in (
        (as_alpha_component, component),
        (as_alpha_workflow, workflow),
        (as_alpha_image_recipe, recipe),
    ):
        # A second call reuses the child (making it again would raise: the id is taken). jsii hands out a
        # new Python proxy per return, so the two are compared by path, not identity.
        first, second = adapt(construct), adapt(construct)  # type: ignore[operator]
        assert first.node.path == second.node.path == f"{construct.node.path}/Alpha"
