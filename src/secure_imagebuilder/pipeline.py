"""``SecureImagePipeline``: an image pipeline over its pieces, its own resources encrypted (R5, R11-R17)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from secure_imagebuilder import build
from secure_imagebuilder.core import cdk_types, checks, defaults, documents, keys, tokens
from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.distribution import SecureDistributionConfiguration
from secure_imagebuilder.interfaces import (
    IContainerRecipe,
    IDistributionConfiguration,
    IImageRecipe,
    IInfrastructureConfiguration,
    IWorkflow,
)
from secure_imagebuilder.key import ImageBuilderKey
from secure_imagebuilder.logs import ImageBuilderLogGroup, check_build_log_group
from secure_imagebuilder.workflow import workflow_arns


class SecureImagePipeline(Construct):
    """An ``AWS::ImageBuilder::ImagePipeline`` over its recipe, infrastructure and distribution.

    Takes its pieces as objects (ours, the aws-imagebuilder-alpha L2s' or imported ones, see
    ``secure_imagebuilder.interfaces``) and builds only what it is not given; each piece's own props are
    on the piece. Creates (construct ids in brackets):

    - ``[Resource]`` the pipeline: image scanning (Amazon Inspector) and image tests on, enhanced
      metadata, an optional cron schedule that runs only when a dependency changed (R5);
    - ``[ImageLogGroup]`` and ``[PipelineLogGroup]`` (:class:`ImageBuilderLogGroup`): the log groups the
      pipeline logs to (``/aws/imagebuilder/<name>``, ``/aws/imagebuilder/pipeline/<name>``), encrypted
      and with retention, so the service never creates them unencrypted (R5, R17), unless
      ``image_log_group`` / ``pipeline_log_group`` are given;
    - ``[Distribution]`` a :class:`SecureDistributionConfiguration` of the stack's Region for AMI recipes,
      unless ``distribution`` is given (R5);
    - ``[ExecutionRole]`` a :class:`WorkflowExecutionRole` when ``workflows`` are given and
      ``execution_role`` is not, with the workflow grant on its key and on each of our workflows' keys
      (R1, R11-R14); it may publish to our notification topic of the infrastructure;
    - ``[Key]`` an :class:`ImageBuilderKey` for the above only when ``key`` is not given and the recipe has
      none of ours.

    Its own props are what a pipeline has: name, description, schedule, workflows and their execution
    role, tests, scanning, logging, tags (checked for sensitive data, R8).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        recipe: IImageRecipe | IContainerRecipe,
        infrastructure: IInfrastructureConfiguration,
        distribution: IDistributionConfiguration | None = None,
        key: kms.IKey | None = None,
        workflows: Sequence[IWorkflow] | None = None,
        execution_role: iam.IRole | None = None,
        schedule: events.Schedule | None = None,
        image_tests: bool = defaults.IMAGE_TESTS_ENABLED,
        image_scanning: bool = defaults.IMAGE_SCANNING_ENABLED,
        cloudwatch_logs: bool = False,
        image_log_group: logs.ILogGroup | None = None,
        pipeline_log_group: logs.ILogGroup | None = None,
        log_retention: logs.RetentionDays = defaults.LOG_RETENTION,
        removal_policy: cdk.RemovalPolicy = defaults.LOG_REMOVAL_POLICY,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Create the pipeline and what it needs that it is not given.

        :param name: the pipeline's name; also its log groups' (no spaces, no sensitive data, R8).
        :param recipe: what is built: an ``IImageRecipe`` (AMIs) or ``IContainerRecipe`` (containers),
            e.g. :class:`EncryptedImageRecipe`.
        :param infrastructure: where builds run, e.g. :class:`SecureInfrastructureConfiguration` (for a
            container recipe, created with ``container=True``).
        :param distribution: where AMIs go. Default: - for an image recipe, a
            :class:`SecureDistributionConfiguration` of the stack's Region encrypted with ``key``; for a
            container recipe, none (the image stays in the recipe's repository).
        :param key: the customer managed key of the pipeline's log groups, default distribution and
            execution role grant. Default: - the recipe's key when it is one of ours, else a new
            :class:`ImageBuilderKey`.
        :param workflows: image workflows to run (``IWorkflow`` s: ``EncryptedWorkflow``, imported or
            alpha ones). Default: - Image Builder's default workflows.
        :param execution_role: the role that runs the workflows. Default: - a new
            :class:`WorkflowExecutionRole` when ``workflows`` are given.
        :param schedule: ``events.Schedule.cron(...)`` (Image Builder schedules use cron only).
            Default: - manual runs only.
        :param image_tests: run the recipe's test phase. Default: - ``True``.
        :param image_scanning: scan images with Amazon Inspector (R5). Default: - ``True``.
        :param cloudwatch_logs: let the build instance role of ``infrastructure`` stream its build log to
            the image log group. Default: - ``False`` (logs go to the infrastructure's bucket).
        :param image_log_group: the log group of the images' build logs (R17), under
            ``/aws/imagebuilder/`` where Image Builder writes them. Default: - ``[ImageLogGroup]``, a new
            :class:`ImageBuilderLogGroup` ``/aws/imagebuilder/<name>`` encrypted with ``key``.
        :param pipeline_log_group: the log group of the pipeline's run logs (R17), under
            ``/aws/imagebuilder/``. Default: - ``[PipelineLogGroup]``, a new :class:`ImageBuilderLogGroup`
            ``/aws/imagebuilder/pipeline/<name>`` encrypted with ``key``.
        :param log_retention: retention of the new log groups. Default: - one year.
        :param removal_policy: what happens to the log groups (and a new key) when they leave the stack.
            Default: - ``RemovalPolicy.RETAIN``.
        :param description: the pipeline's description (no sensitive data, R8). Default: - none.
        :param tags: tags of the pipeline and the resources it creates (no sensitive data, R8).
            Default: - none.
        """
        super().__init__(scope, id)
        problems = ValidationProblems(self)
        self._validate(problems, name, description, tags)
        checks.require_kinds(
            problems,
            image_tests=(image_tests, "bool"),
            image_scanning=(image_scanning, "bool"),
            cloudwatch_logs=(cloudwatch_logs, "bool"),
            log_retention=(log_retention, "retention"),
            removal_policy=(removal_policy, "removal_policy"),
            execution_role=(execution_role, "role"),
        )
        for prop, group in (("image_log_group", image_log_group), ("pipeline_log_group", pipeline_log_group)):
            if group is not None:
                check_build_log_group(problems, prop, group)
        expression = cdk_types.schedule_expression(problems, schedule)
        given = build.pieces(
            problems, recipe=recipe, infrastructure=infrastructure, distribution=distribution
        )
        problems.raise_if_any()
        self.key = self._key(recipe, key, removal_policy)
        self.recipe, self.infrastructure = recipe, infrastructure
        self.distribution = distribution
        if distribution is None:
            self.distribution = self._default_distribution(name, given)
            if self.distribution is not None:
                arn = self.distribution.distribution_configuration_arn
                given = dataclasses.replace(given, distribution_configuration_arn=arn)
        self.execution_role = build.execution_role(
            self,
            problems,
            workflows=workflows,
            role=execution_role,
            key=self.key,
            infrastructure=infrastructure,
        )
        arns = workflow_arns(self, workflows)
        problems.raise_if_any()
        self.image_log_group, self.pipeline_log_group = self._log_groups(
            name, (image_log_group, pipeline_log_group), log_retention, removal_policy
        )
        if cloudwatch_logs and getattr(infrastructure, "role", None) is not None:
            self.image_log_group.grant_write(infrastructure.role)  # type: ignore[attr-defined]
        self.resource = self._pipeline(
            name,
            description,
            given,
            arns,
            expression,
            image_tests=defaults.IMAGE_TESTS_ENABLED if image_tests is None else image_tests,
            image_scanning=defaults.IMAGE_SCANNING_ENABLED if image_scanning is None else image_scanning,
        )
        for tag_key, tag_value in (tags or {}).items():
            cdk.Tags.of(self).add(tag_key, tag_value)
        self._name = name

    @property
    def image_pipeline_arn(self) -> str:
        """The ARN of the image pipeline."""
        return self.resource.attr_arn

    @property
    def image_pipeline_name(self) -> str:
        """The name of the image pipeline."""
        return self._name

    @staticmethod
    def _validate(
        problems: ValidationProblems, name: str, description: str | None, tags: Mapping[str, str] | None
    ) -> None:
        """The pipeline's own free text: its name (which names its log groups), description and tags."""
        documents.validate_name(problems, name)
        if isinstance(name, str):  # validate_name reported anything else
            checks.validate_free_text(problems, "name", name)
        checks.validate_free_text(problems, "description", description)
        checks.validate_tags(problems, tags)
        if isinstance(name, str) and not tokens.is_unresolved(name) and " " in name:
            problems.add(
                "a pipeline name becomes its log group names (/aws/imagebuilder/<name>): no spaces",
                name,
                "use '-' or '_' instead of spaces",
            )

    def _key(self, recipe: object, key: kms.IKey | None, removal_policy: cdk.RemovalPolicy) -> kms.IKey:
        """The given key (checked), else the recipe's key if it is ours, else a new one."""
        if key is not None:
            return keys.checked(self, key)
        recipe_key = getattr(recipe, "key", None)
        if recipe_key is not None:
            return keys.checked(self, recipe_key)
        return ImageBuilderKey(self, "Key", removal_policy=removal_policy)

    def _default_distribution(self, name: str, given: build.Pieces) -> IDistributionConfiguration | None:
        """AMIs stay encrypted with the customer key in the stack's Region (R5); containers need none."""
        if given.container:
            return None
        return SecureDistributionConfiguration(self, "Distribution", key=self.key, name=name)

    def _log_groups(
        self,
        name: str,
        given: tuple[logs.ILogGroup | None, logs.ILogGroup | None],
        retention: logs.RetentionDays,
        removal_policy: cdk.RemovalPolicy,
    ) -> tuple[logs.ILogGroup, logs.ILogGroup]:
        """The image and pipeline log groups: the given ones, else created here first (R5, R17).

        Otherwise the service creates them unencrypted and without retention (integ-cwlogs.md;
        ImagePipeline LoggingConfiguration defaults).
        """
        image, pipeline = (
            group
            or ImageBuilderLogGroup(
                self,
                group_id,
                key=self.key,
                log_group_name=group_name,
                retention=retention,
                removal_policy=removal_policy,
            )
            for group, group_id, group_name in zip(
                given, ("ImageLogGroup", "PipelineLogGroup"), _log_group_names(name), strict=True
            )
        )
        # Our groups' names as text, not Ref: the log groups are ordered before the pipeline (_pipeline).
        names = _log_group_names(name)
        self._log_group_names = (
            names[0] if given[0] is None else image.log_group_name,
            names[1] if given[1] is None else pipeline.log_group_name,
        )
        return image, pipeline

    def _pipeline(
        self,
        name: str,
        description: str | None,
        given: build.Pieces,
        workflow_arns: list[str],
        schedule: str | None,
        *,
        image_tests: bool,
        image_scanning: bool,
    ) -> imagebuilder.CfnImagePipeline:
        """The ``AWS::ImageBuilder::ImagePipeline`` that ties the pieces together."""
        pipeline = imagebuilder.CfnImagePipeline
        repository = getattr(self.recipe, "repository", None) if given.container else None
        # Our groups' names as text, not Ref: the log groups are ordered before the pipeline below.
        image_log_group, pipeline_log_group = (
            text
            if isinstance(group, ImageBuilderLogGroup) and group.node.scope is self
            else group.log_group_name
            for group, text in zip(
                (self.image_log_group, self.pipeline_log_group), _log_group_names(name), strict=True
            )
        )
        resource = pipeline(
            self,
            "Resource",
            name=name,
            description=description,
            infrastructure_configuration_arn=given.infrastructure_configuration_arn,
            image_recipe_arn=given.image_recipe_arn,
            container_recipe_arn=given.container_recipe_arn,
            distribution_configuration_arn=given.distribution_configuration_arn,
            execution_role=self.execution_role.role_arn if self.execution_role else None,
            workflows=[pipeline.WorkflowConfigurationProperty(workflow_arn=arn) for arn in workflow_arns]
            or None,
            image_scanning_configuration=pipeline.ImageScanningConfigurationProperty(
                image_scanning_enabled=image_scanning,
                ecr_configuration=pipeline.EcrConfigurationProperty(
                    repository_name=repository.repository_name
                )
                if repository is not None
                else None,
            ),
            image_tests_configuration=pipeline.ImageTestsConfigurationProperty(
                image_tests_enabled=image_tests
            ),
            enhanced_image_metadata_enabled=defaults.ENHANCED_IMAGE_METADATA_ENABLED,
            schedule=pipeline.ScheduleProperty(
                schedule_expression=schedule,
                pipeline_execution_start_condition=defaults.SCHEDULE_START_CONDITION,
            )
            if schedule
            else None,
            logging_configuration=pipeline.PipelineLoggingConfigurationProperty(
                image_log_group_name=image_log_group, pipeline_log_group_name=pipeline_log_group
            ),
            status="ENABLED",
        )
        resource.node.add_dependency(self.image_log_group, self.pipeline_log_group)
        return resource


def _log_group_names(name: str) -> tuple[str, str]:
    """Image Builder's default image and pipeline log group names (integ-cwlogs.md)."""
    return f"/aws/imagebuilder/{name}", f"/aws/imagebuilder/pipeline/{name}"
