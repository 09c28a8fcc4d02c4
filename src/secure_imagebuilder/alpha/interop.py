"""Our versioned resources where the alpha L2s take theirs: ``to_alpha``.

The other way needs nothing: our recipes, images and pipelines take the alpha L2s as they are (they
satisfy ``secure_imagebuilder.interfaces``). This way, an alpha L2 takes only an object that implements
its jsii interface, and our classes declare none: declaring one would mean importing the alpha package
for every app, or changing a class at run time. So an object goes through the alpha class's own import
(``Component.fromComponentAttributes``, ...), which the alpha code fully supports; the alpha
``Image``/``ImagePipeline`` even require it for recipes (they call a private ``_isImageRecipe()``).

The reference is a child of our construct (id ``Alpha``), made once, so it moves with it, and it renders
our ARN (``Fn::GetAtt``), so CloudFormation orders the alpha resource after ours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

import aws_cdk as cdk
from aws_cdk import aws_imagebuilder_alpha as alpha
from constructs import Construct

from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.core.versioned import (
    ComponentAttributes,
    ContainerRecipeAttributes,
    ImageRecipeAttributes,
    WorkflowAttributes,
)
from secure_imagebuilder.interfaces import IComponent, IContainerRecipe, IImageRecipe, IWorkflow, implements

_INTERFACES = (IComponent, IWorkflow, IImageRecipe, IContainerRecipe)

T = TypeVar("T")
ADAPTER_ID = "Alpha"
"""Construct id of the alpha reference under our construct."""


def _adapter(construct: Construct, make: Callable[[Construct, str], T]) -> T:
    """The alpha reference under ``construct`` (id ``Alpha``): the one made before, else ``make``'s."""
    existing = construct.node.try_find_child(ADAPTER_ID)
    return existing if existing is not None else make(construct, ADAPTER_ID)  # type: ignore[return-value]


@overload
def to_alpha(resource: ComponentAttributes) -> alpha.IComponent: ...
@overload
def to_alpha(resource: WorkflowAttributes) -> alpha.IWorkflow: ...
@overload
def to_alpha(resource: ImageRecipeAttributes) -> alpha.IImageRecipe: ...
@overload
def to_alpha(resource: ContainerRecipeAttributes) -> alpha.IContainerRecipe: ...
def to_alpha(resource: object) -> Any:
    """Our component, workflow or recipe (created or imported) as the alpha interface of its kind.

    For ``ImageRecipe``/``ContainerRecipe`` components, ``Image``/``ImagePipeline`` recipes and workflows::

        alpha.ImagePipeline(stack, "Pipeline", recipe=to_alpha(recipe),
                            workflows=[alpha.WorkflowConfiguration(workflow=to_alpha(workflow))])
    """
    construct: Any = resource
    if isinstance(resource, ComponentAttributes):
        return _adapter(
            construct,
            lambda scope, id: alpha.Component.from_component_attributes(
                scope, id, component_arn=resource.component_arn
            ),
        )
    if isinstance(resource, WorkflowAttributes):
        return _adapter(construct, lambda scope, id: _workflow(scope, id, resource))
    if isinstance(resource, ImageRecipeAttributes):
        return _adapter(
            construct,
            lambda scope, id: alpha.ImageRecipe.from_image_recipe_attributes(
                scope, id, image_recipe_arn=resource.image_recipe_arn
            ),
        )
    if isinstance(resource, ContainerRecipeAttributes):
        return _adapter(
            construct,
            lambda scope, id: alpha.ContainerRecipe.from_container_recipe_attributes(
                scope, id, container_recipe_arn=resource.container_recipe_arn
            ),
        )
    # Our error, naming the construct when there is one (an alpha L2 passed by mistake)
    named = hasattr(construct, "node")
    problems = ValidationProblems(construct if named else None, None if named else "to_alpha")
    kind = next((i.__name__ for i in _INTERFACES if implements(resource, i)), None)
    problems.add(
        f"{'to_alpha(resource): ' if named else ''}resource must be a component, workflow or recipe of this "
        "library",
        f"an alpha {kind}" if kind else resource,
        "pass it to the alpha L2 as it is: alpha constructs and imports need no conversion"
        if kind
        else "pass an EncryptedComponent, EncryptedWorkflow, EncryptedImageRecipe or "
        "EncryptedContainerRecipe (or one imported with from_<kind>_arn)",
    )
    problems.raise_if_any()
    raise AssertionError("unreachable")  # raise_if_any raised


def _workflow(scope: Construct, id: str, workflow: WorkflowAttributes) -> alpha.IWorkflow:
    # The alpha import splits a workflow ARN into type/name/version and rejects a token (our ARN is
    # Fn::GetAtt), so it gets the parts; the version is read from the ARN, so the pipeline's ARN still
    # references the workflow and CloudFormation creates the workflow first.
    return alpha.Workflow.from_workflow_attributes(
        scope,
        id,
        workflow_name=workflow.workflow_name,
        workflow_type=alpha.WorkflowType(str(workflow.workflow_type)),
        workflow_version=cdk.Fn.select(3, cdk.Fn.split("/", workflow.workflow_arn)),
    )
