"""``SecureImage``: one image built on deploy from our encrypted pieces, cleaned up when replaced (R1, R5)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from constructs import Construct

from secure_imagebuilder import build
from secure_imagebuilder.core import checks, defaults, thresholds
from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.interfaces import (
    IContainerRecipe,
    IDistributionConfiguration,
    IImageRecipe,
    IInfrastructureConfiguration,
    IWorkflow,
)
from secure_imagebuilder.lifecycle import LifecycleExecutionRole
from secure_imagebuilder.workflow import workflow_arns

IMAGE_TESTS_TIMEOUT = cdk.Duration.minutes(thresholds.IMAGE_TESTS_TIMEOUT_DEFAULT_MINUTES)
"""Image Builder's default test time."""


class SecureImage(Construct):
    """An ``AWS::ImageBuilder::Image``: CloudFormation builds the image on deploy, from its pieces.

    Takes its pieces as objects, as :class:`SecureImagePipeline` does (ours, the alpha L2s' or imported
    ones, ``secure_imagebuilder.interfaces``): an infrastructure configuration (ours: IMDSv2, private
    subnet, least-privilege instance role, R1, R18), an image or container recipe (ours: every volume and
    document under the key, R5, R10) and optionally a distribution configuration (ours: encrypted AMIs,
    R5). Creates:

    - ``[Resource]`` the image: image tests and Amazon Inspector scanning on (R5), enhanced metadata;
    - ``[DeletionRole]`` a :class:`LifecycleExecutionRole` named in ``DeletionSettings``, so that when the
      image is replaced or deleted Image Builder also deletes the AMIs, snapshots or container images it
      made (CloudFormation reference, "AWS::ImageBuilder::Image DeletionSettings"); with
      ``removal_policy=RETAIN`` Image Builder deletes nothing (the same page), so the role is then left out;
    - ``[ExecutionRole]`` a :class:`WorkflowExecutionRole` when ``workflows`` are given and
      ``execution_role`` is not: ``aws:SourceAccount`` in its trust, the workflow grant on both sides of
      the recipe's key and of each of our workflows' keys (R1, R11-R14).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        infrastructure: IInfrastructureConfiguration,
        recipe: IImageRecipe | IContainerRecipe,
        distribution: IDistributionConfiguration | None = None,
        workflows: Sequence[IWorkflow] | None = None,
        execution_role: iam.IRole | None = None,
        image_tests: bool = defaults.IMAGE_TESTS_ENABLED,
        image_tests_timeout: cdk.Duration = IMAGE_TESTS_TIMEOUT,
        image_scanning: bool = defaults.IMAGE_SCANNING_ENABLED,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.DESTROY,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Create the image.

        :param infrastructure: where the build runs.
        :param recipe: what is built; the key of our recipe also gets the workflows' grant.
        :param distribution: where the AMI goes. Default: - the build Region only, as Image Builder does.
        :param workflows: build and test workflows. Default: - Image Builder's default workflows.
        :param execution_role: the role that runs the workflows. Default: - a new ``WorkflowExecutionRole``
            when ``workflows`` are given.
        :param image_tests: run the recipe's test phase. Default: - ``True``.
        :param image_tests_timeout: the longest the tests may run, whole minutes from 60 to 1440.
            Default: - 720 minutes.
        :param image_scanning: scan the image with Amazon Inspector (R5). Default: - ``True``.
        :param removal_policy: what happens to the image when it is replaced or leaves the stack.
            Default: - ``RemovalPolicy.DESTROY``: Image Builder deletes what it made (deletion settings);
            ``RETAIN`` keeps the image and its AMIs.
        :param tags: tags of the image (no sensitive data, R8). Default: - none.
        """
        super().__init__(scope, id)
        problems = ValidationProblems(self)
        checks.require_kinds(
            problems,
            image_tests_timeout=(image_tests_timeout, "duration"),
            removal_policy=(removal_policy, "removal_policy"),
            execution_role=(execution_role, "role"),
            image_tests=(image_tests, "bool"),
            image_scanning=(image_scanning, "bool"),
        )
        given = build.pieces(
            problems, recipe=recipe, infrastructure=infrastructure, distribution=distribution
        )
        problems.raise_if_any()
        checks.validate_tags(problems, tags)
        minutes = _test_minutes(problems, image_tests_timeout)
        self.execution_role = build.execution_role(
            self,
            problems,
            workflows=workflows,
            role=execution_role,
            key=getattr(recipe, "key", None),
            infrastructure=infrastructure,
        )
        arns = workflow_arns(self, workflows)
        problems.raise_if_any()
        retain = removal_policy == cdk.RemovalPolicy.RETAIN
        self.deletion_role = None if retain else LifecycleExecutionRole(self, "DeletionRole")
        image = imagebuilder.CfnImage
        self.resource = image(
            self,
            "Resource",
            infrastructure_configuration_arn=given.infrastructure_configuration_arn,
            image_recipe_arn=given.image_recipe_arn,
            container_recipe_arn=given.container_recipe_arn,
            distribution_configuration_arn=given.distribution_configuration_arn,
            execution_role=self.execution_role.role_arn if self.execution_role else None,
            workflows=[image.WorkflowConfigurationProperty(workflow_arn=arn) for arn in arns] or None,
            image_tests_configuration=image.ImageTestsConfigurationProperty(
                image_tests_enabled=defaults.IMAGE_TESTS_ENABLED if image_tests is None else image_tests,
                timeout_minutes=minutes,
            ),
            image_scanning_configuration=image.ImageScanningConfigurationProperty(
                image_scanning_enabled=defaults.IMAGE_SCANNING_ENABLED
                if image_scanning is None
                else image_scanning
            ),
            enhanced_image_metadata_enabled=defaults.ENHANCED_IMAGE_METADATA_ENABLED,
            deletion_settings=image.DeletionSettingsProperty(execution_role=self.deletion_role.role_arn)
            if self.deletion_role
            else None,
            tags=dict(tags) if tags else None,
        )
        # The image references the deletion role (Fn::GetAtt), so CloudFormation deletes the image, and
        # Image Builder as that role its AMIs, before it deletes the role.
        self.resource.apply_removal_policy(removal_policy)

    @property
    def image_arn(self) -> str:
        """The ARN of the image build version."""
        return self.resource.attr_arn

    @property
    def image_id(self) -> str:
        """The AMI id (or container image URI) of the image."""
        return self.resource.attr_image_id


def _test_minutes(problems: ValidationProblems, timeout: object) -> float:
    """The test timeout in whole minutes within Image Builder's limits (a token passes unchanged)."""
    if not isinstance(timeout, cdk.Duration):
        return 0  # require_kinds reported it
    if timeout.is_unresolved():
        return timeout.to_minutes()
    minutes = timeout.to_seconds(integral=False) / 60
    low, high = thresholds.IMAGE_TESTS_TIMEOUT_MINUTES
    if minutes != int(minutes) or not low <= minutes <= high:
        shown = timeout.to_human_string() if minutes == int(minutes) else f"{timeout.to_seconds():g} seconds"
        problems.add(
            f"image_tests_timeout must be {low} to {high} minutes, whole minutes (Image Builder's limits)",
            shown,
            "leave it unset (720 minutes) or pass e.g. Duration.minutes(90)",
        )
        return 0
    return int(minutes)
