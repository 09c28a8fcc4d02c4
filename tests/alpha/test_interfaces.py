"""One interface per resource kind (``secure_imagebuilder.interfaces``) that ours, the alpha L2s and
imported references all satisfy, with nothing changed at run time; ``to_alpha`` for the other way.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder_alpha as alpha
from aws_cdk.assertions import Template

from conftest import REPO, make_image_recipe, make_infrastructure, make_pipeline, make_stack
from examples.quickstart import COMPONENT_YAML, WORKFLOW_YAML
from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedContainerRecipe,
    EncryptedImageRecipe,
    EncryptedWorkflow,
    ImageBuilderKey,
    Platform,
    WorkflowType,
    aws_managed_component,
)
from secure_imagebuilder.alpha import to_alpha
from secure_imagebuilder.interfaces import (
    IComponent,
    IContainerRecipe,
    IDistributionConfiguration,
    IImageRecipe,
    IInfrastructureConfiguration,
    IWorkflow,
    implements,
)

OWN = "arn:aws:imagebuilder:us-west-2:111122223333:component/shared-hardening/2.1.0/3"
WORKFLOW = "arn:aws:imagebuilder:us-west-2:111122223333:workflow/test/smoke-tests/1.0.0/1"
RECIPE = "arn:aws:imagebuilder:us-west-2:111122223333:image-recipe/shared/1.2.0"
AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-x86_64"


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


def test_ours_alpha_and_imported_objects_satisfy_the_interface_of_their_kind() -> None:
    stack = make_stack()
    key, component, workflow = _pieces(stack)
    recipe = make_image_recipe(stack, key=key)
    container = EncryptedContainerRecipe(
        stack,
        "Box",
        key=key,
        name="box",
        version="1.0.x",
        parent_image="public.ecr.aws/amazonlinux/amazonlinux:2023",
        components=[component],
    )
    infrastructure = make_infrastructure(stack, key)
    alpha_recipe = alpha.ImageRecipe(
        stack, "AlphaRecipe", base_image=alpha.BaseImage.from_ssm_parameter_name(AL2023)
    )
    cases: list[tuple[object, type]] = [
        (component, IComponent),
        (EncryptedComponent.from_component_arn(stack, "Shared", OWN), IComponent),
        (alpha.Component.from_component_arn(stack, "AlphaShared", OWN), IComponent),
        (workflow, IWorkflow),
        (EncryptedWorkflow.from_workflow_arn(stack, "Smoke", WORKFLOW), IWorkflow),
        (recipe, IImageRecipe),
        (EncryptedImageRecipe.from_image_recipe_arn(stack, "SharedRecipe", RECIPE), IImageRecipe),
        (alpha_recipe, IImageRecipe),
        (container, IContainerRecipe),
        (infrastructure, IInfrastructureConfiguration),
        (alpha.InfrastructureConfiguration(stack, "AlphaInfra"), IInfrastructureConfiguration),
        (
            make_pipeline(stack, key=key, recipe=recipe, infrastructure=infrastructure).distribution,
            IDistributionConfiguration,
        ),
    ]
    for value, interface in cases:
        assert implements(value, interface), (value, interface)
        assert isinstance(value, interface), (value, interface)  # the Protocol's own check agrees
    assert not implements(recipe, IContainerRecipe) and not implements(component, IWorkflow)


def test_nothing_changes_a_class_at_run_time() -> None:
    """Importing the alpha package (or not) leaves our classes as they are: no interface is declared."""
    script = (
        "import sys; sys.path[:0] = ['src']\n"
        "from secure_imagebuilder import EncryptedComponent, EncryptedWorkflow, EncryptedImageRecipe\n"
        "before = {c: vars(c).get('__jsii_ifaces__') for c in (EncryptedComponent, EncryptedWorkflow,"
        " EncryptedImageRecipe)}\n"
        "import aws_cdk.aws_imagebuilder_alpha, secure_imagebuilder.alpha\n"
        "after = {c: vars(c).get('__jsii_ifaces__') for c in before}\n"
        "assert before == after and not any(after.values()), (before, after)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert importlib.import_module("secure_imagebuilder.core.versioned")


def test_kind_attributes_grants_and_removal_policy() -> None:
    stack = make_stack()
    _, component, workflow = _pieces(stack)
    assert (component.component_name, component.component_version) == ("hello", "1.0.0")
    assert (workflow.workflow_name, workflow.workflow_version) == ("build-wf", "1.0.0")
    assert stack.resolve(component.component_arn) == {"Fn::GetAtt": ["Hello", "Arn"]}
    assert component.stack is stack and stack.resolve(component.env.region) == {"Ref": "AWS::Region"}
    component.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    assert component.cfn_options.deletion_policy == cdk.CfnDeletionPolicy.RETAIN
    role = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    assert component.grant_read(role).success and workflow.grant_read(role).success
    (policy,) = [
        r["Properties"]
        for r in Template.from_stack(stack).to_json()["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy"
    ]
    statements = policy["PolicyDocument"]["Statement"]
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        ("imagebuilder:GetComponent", {"Fn::GetAtt": ["Hello", "Arn"]}),
        ("imagebuilder:GetWorkflow", {"Fn::GetAtt": ["Build", "Arn"]}),
    ]


def test_our_component_goes_into_an_alpha_recipe_through_to_alpha() -> None:
    stack = make_stack()
    _, component, _ = _pieces(stack)
    alpha.ImageRecipe(
        stack,
        "AlphaRecipe",
        base_image=alpha.BaseImage.from_ami_id("ami-0123456789abcdef0"),
        components=[alpha.ComponentConfiguration(component=to_alpha(component))],
    )
    (recipe,) = _resources(stack, "ImageRecipe")
    assert recipe["Components"] == [{"ComponentArn": {"Fn::GetAtt": ["Hello", "Arn"]}}]


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
    make_image_recipe(stack, key=key, components=[theirs, imported])
    (recipe,) = _resources(stack, "ImageRecipe")
    assert recipe["Components"] == [
        {"ComponentArn": {"Fn::GetAtt": [_lid(stack, theirs), "Arn"]}},
        {"ComponentArn": OWN},
    ]


def test_our_workflow_and_recipe_go_into_an_alpha_pipeline() -> None:
    stack = make_stack()
    key, component, workflow = _pieces(stack)
    recipe = make_image_recipe(stack, key=key, components=[component])
    alpha.ImagePipeline(
        stack,
        "AlphaPipeline",
        recipe=to_alpha(recipe),
        workflows=[alpha.WorkflowConfiguration(workflow=to_alpha(workflow))],
    )
    (pipeline,) = _resources(stack, "ImagePipeline")
    assert pipeline["ImageRecipeArn"] == {"Fn::GetAtt": ["Recipe", "Arn"]}
    # The alpha import builds the ARN from the workflow's parts; its version is read from our ARN, so the
    # pipeline references the workflow and CloudFormation creates the workflow first.
    ((workflow_arn,),) = [[w["WorkflowArn"] for w in pipeline["Workflows"]]]
    assert ":workflow/build/build-wf/" in json.dumps(workflow_arn)
    assert '{"Fn::GetAtt": ["Build", "Arn"]}' in json.dumps(workflow_arn)


def test_to_alpha_is_made_once_per_construct_and_refuses_what_is_not_ours() -> None:
    stack = make_stack()
    key, component, workflow = _pieces(stack)
    recipe = make_image_recipe(stack, key=key, components=[component])
    for construct in (component, workflow, recipe):
        # A second call reuses the child (making it again would raise: the id is taken). jsii hands out a
        # new Python proxy per return, so the two are compared by path, not identity.
        first, second = to_alpha(construct), to_alpha(construct)  # type: ignore[call-overload]
        assert first.node.path == second.node.path == f"{construct.node.path}/Alpha"
    with pytest.raises(
        ValueError,
        match=r"^TestStack/Theirs: to_alpha\(resource\): resource must be a component, workflow or recipe "
        r"of this library: got 'an alpha IComponent'; pass it to the alpha L2 as it is",
    ):
        to_alpha(alpha.Component.from_component_arn(stack, "Theirs", OWN))  # type: ignore[call-overload]


def test_an_imported_workflow_reads_its_type_and_goes_into_our_pipeline() -> None:
    stack = make_stack()
    imported = EncryptedWorkflow.from_workflow_arn(stack, "Smoke", WORKFLOW)
    assert (imported.workflow_name, imported.workflow_version, imported.workflow_type) == (
        "smoke-tests",
        "1.0.0",
        WorkflowType.TEST,
    )
    make_pipeline(stack, workflows=[imported])
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
    with pytest.raises(
        ValueError,
        match=r"TestStack/Pipeline: workflows must be workflows \(IWorkflow: .*from_workflow_arn",
    ):
        make_pipeline(make_stack(), workflows=[WORKFLOW])


def test_a_recipe_component_that_is_not_a_component_is_our_error() -> None:
    stack = make_stack()
    with pytest.raises(ValueError, match=r"TestStack/Recipe: components must be components \(IComponent"):
        make_image_recipe(stack, components=[aws_managed_component(stack, "update-linux"), 42])


def _lid(stack: cdk.Stack, construct: Any) -> str:
    """The logical id of an L2's CloudFormation resource, as written in the template."""
    return str(stack.resolve(construct.node.default_child.logical_id))
