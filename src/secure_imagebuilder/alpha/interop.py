"""Our recipes where the alpha L2s expect theirs, and the adapters of earlier releases.

Components and workflows need no adapter any more: with the alpha package installed they implement
``IComponent``/``IWorkflow`` themselves (``core/versioned.py``), so they go straight into an alpha
``ImageRecipe`` or ``ImagePipeline``. Recipes cannot: the alpha ``Image``/``ImagePipeline`` call a private
``_isImageRecipe()`` that jsii does not forward to a Python object, so a recipe goes through the alpha
class's own import (``ImageRecipe.fromImageRecipeAttributes``), which the alpha code fully supports. Each
reference is a child of our construct (id ``Alpha``), created once, so it moves with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import aws_cdk as cdk
from aws_cdk import aws_imagebuilder_alpha as alpha
from constructs import Construct

from secure_imagebuilder.component import EncryptedComponent
from secure_imagebuilder.recipe import EncryptedContainerRecipe, EncryptedImageRecipe
from secure_imagebuilder.workflow import EncryptedWorkflow

T = TypeVar("T")
ADAPTER_ID = "Alpha"
"""Construct id of the alpha reference under our construct."""


def _adapter(construct: Construct, make: Callable[[Construct, str], T]) -> T:
    """The alpha reference under ``construct`` (id ``Alpha``): the one made before, else ``make``'s."""
    existing = construct.node.try_find_child(ADAPTER_ID)
    return existing if existing is not None else make(construct, ADAPTER_ID)  # type: ignore[return-value]


def as_alpha_component(component: EncryptedComponent) -> alpha.IComponent:
    """``component`` as an alpha ``IComponent`` (for ``ImageRecipe``/``ContainerRecipe`` components).

    The recipe renders our component's ARN (``Fn::GetAtt``), so CloudFormation orders the recipe after it.
    """
    return _adapter(
        component,
        lambda scope, id: alpha.Component.from_component_attributes(scope, id, component_arn=component.arn),
    )


def as_alpha_workflow(workflow: EncryptedWorkflow) -> alpha.IWorkflow:
    """``workflow`` as an alpha ``IWorkflow`` (for the ``workflows`` of ``Image``/``ImagePipeline``)."""
    # The alpha import splits a workflow ARN into type/name/version and rejects a token (our ARN is
    # ``Fn::GetAtt``), so it gets the parts; the version is read from the ARN, so the pipeline's ARN still
    # references the workflow and CloudFormation creates the workflow first.
    return _adapter(
        workflow,
        lambda scope, id: alpha.Workflow.from_workflow_attributes(
            scope,
            id,
            workflow_name=workflow.name,
            workflow_type=alpha.WorkflowType(workflow.workflow_kind),
            workflow_version=cdk.Fn.select(3, cdk.Fn.split("/", workflow.arn)),
        ),
    )


def as_alpha_image_recipe(recipe: EncryptedImageRecipe) -> alpha.IImageRecipe:
    """``recipe`` as an alpha ``IImageRecipe`` (for the ``recipe`` of ``Image``/``ImagePipeline``)."""
    return _adapter(
        recipe,
        lambda scope, id: alpha.ImageRecipe.from_image_recipe_attributes(
            scope, id, image_recipe_arn=recipe.arn
        ),
    )


def as_alpha_container_recipe(recipe: EncryptedContainerRecipe) -> alpha.IContainerRecipe:
    """``recipe`` as an alpha ``IContainerRecipe`` (for the ``recipe`` of ``Image``/``ImagePipeline``)."""
    return _adapter(
        recipe,
        lambda scope, id: alpha.ContainerRecipe.from_container_recipe_attributes(
            scope, id, container_recipe_arn=recipe.arn
        ),
    )
