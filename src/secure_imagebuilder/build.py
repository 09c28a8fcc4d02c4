"""What an image build takes, shared by ``SecureImage`` and ``SecureImagePipeline``.

Its pieces, checked, and the workflow execution role it needs.

A build takes its pieces as objects: an ``IImageRecipe`` or ``IContainerRecipe``, an
``IInfrastructureConfiguration`` and optionally an ``IDistributionConfiguration`` (ours, the alpha L2s'
or imported ones, ``secure_imagebuilder.interfaces``). Nothing here creates a piece.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from secure_imagebuilder.core import keys
from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.infrastructure import SecureInfrastructureConfiguration
from secure_imagebuilder.interfaces import (
    IContainerRecipe,
    IDistributionConfiguration,
    IImageRecipe,
    IInfrastructureConfiguration,
    IWorkflow,
    implements,
)
from secure_imagebuilder.notifications import ImageBuilderNotificationTopic
from secure_imagebuilder.roles import WorkflowExecutionRole


@dataclass(frozen=True)
class Pieces:
    """The ARNs of a build's pieces, as the L1s take them."""

    image_recipe_arn: str | None
    container_recipe_arn: str | None
    infrastructure_configuration_arn: str
    distribution_configuration_arn: str | None

    @property
    def container(self) -> bool:
        """Whether the build makes a container image."""
        return self.container_recipe_arn is not None


def pieces(
    problems: ValidationProblems, *, recipe: object, infrastructure: object, distribution: object
) -> Pieces:
    """The ARNs of the pieces; each piece that is not of its kind is recorded in ``problems``."""
    container = implements(recipe, IContainerRecipe)
    if not container and not implements(recipe, IImageRecipe):
        _wrong(problems, "recipe", recipe, "an IImageRecipe or IContainerRecipe", "EncryptedImageRecipe")
    if not implements(infrastructure, IInfrastructureConfiguration):
        _wrong(
            problems,
            "infrastructure",
            infrastructure,
            "an IInfrastructureConfiguration",
            "SecureInfrastructureConfiguration",
        )
    if distribution is not None and not implements(distribution, IDistributionConfiguration):
        _wrong(
            problems,
            "distribution",
            distribution,
            "an IDistributionConfiguration",
            "SecureDistributionConfiguration",
        )
    if problems:
        return Pieces(None, None, "", None)
    _check_container_infrastructure(problems, container, infrastructure)
    return Pieces(
        image_recipe_arn=None if container else cast(IImageRecipe, recipe).image_recipe_arn,
        container_recipe_arn=cast(IContainerRecipe, recipe).container_recipe_arn if container else None,
        infrastructure_configuration_arn=cast(
            IInfrastructureConfiguration, infrastructure
        ).infrastructure_configuration_arn,
        distribution_configuration_arn=cast(
            IDistributionConfiguration, distribution
        ).distribution_configuration_arn
        if distribution is not None
        else None,
    )


def _wrong(problems: ValidationProblems, prop: str, value: object, kind: str, ours: str) -> None:
    problems.add(
        f"{prop} must be {kind} (this library's, the alpha L2's or an imported one)",
        value,
        f"pass e.g. a {ours}, or the aws-imagebuilder-alpha L2 of the same kind",
    )


def _check_container_infrastructure(
    problems: ValidationProblems, container: bool, infrastructure: object
) -> None:
    """Our infrastructure configuration builds containers only when told (IMDS hops, recipe decrypt)."""
    if (
        isinstance(infrastructure, SecureInfrastructureConfiguration)
        and container != infrastructure.container
    ):
        problems.add(
            "the recipe is a container recipe but the infrastructure builds AMIs"
            if container
            else "the infrastructure builds containers but the recipe is an image recipe",
            infrastructure.node.path,
            "create the SecureInfrastructureConfiguration with container=True and "
            "container_repository=recipe.repository"
            if container
            else "drop container=True from the SecureInfrastructureConfiguration",
        )


def execution_role(
    scope: Construct,
    problems: ValidationProblems,
    *,
    workflows: Sequence[IWorkflow] | None,
    role: iam.IRole | None,
    key: kms.IKey | None,
    infrastructure: object,
) -> iam.IRole | None:
    """The workflow execution role: the given one, else ``[ExecutionRole]`` when workflows run.

    A role this creates gets the workflow grant (R11, R13, R14) on the key of each of our workflows, and
    on ``key`` (the key of pieces the build cannot see into). Any role may publish to our notification
    topic (which principal publishes when a role is set is not documented: it gets the grant too).
    """
    if not workflows:
        if role is not None:  # it would be dropped without a word
            problems.add(
                "execution_role is only used by builds that run workflows",
                role.node.path,
                "pass workflows=[...], or drop execution_role",
            )
        return None
    if role is None:
        role = WorkflowExecutionRole(scope, "ExecutionRole")
        for workflow_key in _workflow_keys(workflows, key):
            keys.grant_workflow_execution(workflow_key, role)
    topic = getattr(infrastructure, "notification_topic", None)
    if isinstance(topic, ImageBuilderNotificationTopic):
        topic.grant_publish(role)
    return role


def _workflow_keys(workflows: Sequence[IWorkflow], key: kms.IKey | None) -> list[kms.IKey]:
    """``key`` and the keys of our workflows, each once, in order."""
    found: list[kms.IKey] = [key] if key is not None else []
    for workflow in workflows:
        workflow_key = getattr(workflow, "key", None)
        if workflow_key is not None and all(workflow_key is not k for k in found):
            found.append(workflow_key)
    return found
