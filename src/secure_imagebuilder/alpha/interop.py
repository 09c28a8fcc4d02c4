"""Our encrypted components and workflows where the alpha L2s expect ``IComponent`` / ``IWorkflow``.

Adapters, not ``jsii.implements``: the alpha interfaces extend ``IResource`` (``node``, ``stack``, ``env``,
``applyRemovalPolicy``) and carry ``grant``/``grantRead`` methods, which a Python class would have to
re-implement by hand and keep in step with an alpha module. The alpha classes' own imports
(``Component.fromComponentAttributes``, ``Workflow.fromWorkflowAttributes``) give a reference the alpha
code fully supports, built from the ``arn``/``name``/``version`` our constructs already expose (and
the workflow's type); the reference is a child of our construct (id ``Alpha``), created once, so it
moves with it.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_imagebuilder_alpha as alpha

from secure_imagebuilder.component import EncryptedComponent
from secure_imagebuilder.workflow import EncryptedWorkflow

ADAPTER_ID = "Alpha"
"""Construct id of the alpha reference under our construct."""


def as_alpha_component(component: EncryptedComponent) -> alpha.IComponent:
    """``component`` as an alpha ``IComponent`` (for ``ImageRecipe``/``ContainerRecipe`` components).

    The recipe renders our component's ARN (``Fn::GetAtt``), so CloudFormation orders the recipe after it.
    """
    existing = component.node.try_find_child(ADAPTER_ID)
    if existing is not None:
        return existing  # type: ignore[return-value]
    return alpha.Component.from_component_attributes(component, ADAPTER_ID, component_arn=component.arn)


def as_alpha_workflow(workflow: EncryptedWorkflow) -> alpha.IWorkflow:
    """``workflow`` as an alpha ``IWorkflow`` (for the ``workflows`` of ``Image``/``ImagePipeline``)."""
    existing = workflow.node.try_find_child(ADAPTER_ID)
    if existing is not None:
        return existing  # type: ignore[return-value]
    # The alpha import splits a workflow ARN into type/name/version and rejects a token (our ARN is
    # ``Fn::GetAtt``), so it gets the parts; the version is read from the ARN, so the pipeline's ARN still
    # references the workflow and CloudFormation creates the workflow first.
    version = cdk.Fn.select(3, cdk.Fn.split("/", workflow.arn))
    return alpha.Workflow.from_workflow_attributes(
        workflow,
        ADAPTER_ID,
        workflow_name=workflow.name,
        workflow_type=alpha.WorkflowType(workflow.resource.type.upper()),
        workflow_version=version,
    )
