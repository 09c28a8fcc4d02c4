"""``SecureImage``: an image built on deploy from encrypted pieces, its logs encrypted (R1, R5, R17)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from secure_imagebuilder import build
from secure_imagebuilder.core import checks, defaults, keys, thresholds
from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.interfaces import (
    IContainerRecipe,
    IDistributionConfiguration,
    IImageRecipe,
    IInfrastructureConfiguration,
    IWorkflow,
)
from secure_imagebuilder.key import ImageBuilderKey
from secure_imagebuilder.lifecycle import LifecycleExecutionRole
from secure_imagebuilder.logs import ImageBuilderLogGroup, check_build_log_group, log_group_name
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

    - ``[Resource]`` the image: image tests and Amazon Inspector scanning on (R5), enhanced metadata, its
      build log group in ``LoggingConfiguration``;
    - ``[LogGroup]`` an :class:`ImageBuilderLogGroup` ``/aws/imagebuilder/<recipe name>/<unique id>``
      (without the recipe name when it is only known at deploy time) unless ``log_group`` is given:
      encrypted with ``key``, one year's retention, retained (R5, R17); without it Image Builder would
      create ``/aws/imagebuilder/<recipe name>`` with no key and no retention. The unique id (from the
      construct path) keeps two images of one recipe apart;
    - ``[Key]`` an :class:`ImageBuilderKey` for the log group only when neither ``key`` nor ``log_group``
      is given and the recipe has no key of ours;
    - ``[DeletionRole]`` a :class:`LifecycleExecutionRole` named in ``DeletionSettings``, so that when the
      image is replaced or deleted Image Builder also deletes the AMIs, snapshots or container images it
      made (CloudFormation reference, "AWS::ImageBuilder::Image DeletionSettings"); with
      ``removal_policy=RETAIN`` Image Builder deletes nothing (the same page), so the role is then left out;
    - ``[ExecutionRole]`` a :class:`WorkflowExecutionRole` when ``workflows`` are given and
      ``execution_role`` is not: ``aws:SourceAccount`` in its trust, the workflow grant on both sides of
      the recipe's key and of each of our workflows' keys (R1, R11-R14).

    Synth-time errors: pieces that are not of their kind, a test timeout that is not whole minutes from 60
    to 1440, ``RemovalPolicy.SNAPSHOT``, sensitive data in tags (R8).
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
        key: kms.IKey | None = None,
        log_group: logs.ILogGroup | None = None,
        log_retention: logs.RetentionDays = defaults.LOG_RETENTION,
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
        :param key: the customer managed key of the new log group (R5). Default: - the recipe's key when it
            is one of ours, else a new :class:`ImageBuilderKey`; none when ``log_group`` is given.
        :param log_group: the CloudWatch log group of the build logs (R17), under ``/aws/imagebuilder/``
            where Image Builder writes them. Default: - a new :class:`ImageBuilderLogGroup` encrypted with
            ``key``.
        :param log_retention: retention of the new log group. Default: - one year.
        :param removal_policy: what happens to the image when it is replaced or leaves the stack.
            Default: - ``RemovalPolicy.DESTROY``: Image Builder deletes what it made (deletion settings);
            ``RETAIN`` keeps the image and its AMIs. The log group is always retained (R17).
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
        checks.require_kinds(problems, log_retention=(log_retention, "retention"))
        if log_group is not None:
            check_build_log_group(problems, "log_group", log_group)
        if key is not None:
            keys.check(problems, key)
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
        self.log_group = log_group or self._log_group(recipe, key, log_retention)
        retain = removal_policy == cdk.RemovalPolicy.RETAIN
        self.deletion_role = None if retain else LifecycleExecutionRole(self, "DeletionRole")
        self.resource = self._image(given, arns, minutes, image_tests, image_scanning, tags)
        # The image references the deletion role (Fn::GetAtt), so CloudFormation deletes the image, and
        # Image Builder as that role its AMIs, before it deletes the role.
        self.resource.apply_removal_policy(removal_policy)

    def _log_group(
        self, recipe: object, key: kms.IKey | None, retention: logs.RetentionDays
    ) -> ImageBuilderLogGroup:
        """``[LogGroup]``: the build logs encrypted with the key, retained (R5, R17)."""
        recipe_key = getattr(recipe, "key", None)
        if key is not None:
            key = keys.checked(self, key)
        elif recipe_key is not None:
            key = keys.checked(self, recipe_key)
        else:
            key = ImageBuilderKey(self, "Key")
        return ImageBuilderLogGroup(
            self,
            "LogGroup",
            key=key,
            log_group_name=log_group_name(recipe, cdk.Names.unique_id(self)),
            retention=retention,
        )

    def _image(
        self,
        given: build.Pieces,
        arns: list[str],
        minutes: float,
        image_tests: bool,
        image_scanning: bool,
        tags: Mapping[str, str] | None,
    ) -> imagebuilder.CfnImage:
        """The ``AWS::ImageBuilder::Image``: tests, scanning, logs, deletion settings."""
        image = imagebuilder.CfnImage
        return image(
            self,
            "Resource",
            infrastructure_configuration_arn=given.infrastructure_configuration_arn,
            image_recipe_arn=given.image_recipe_arn,
            container_recipe_arn=given.container_recipe_arn,
            distribution_configuration_arn=given.distribution_configuration_arn,
            execution_role=self.execution_role.role_arn if self.execution_role else None,
            workflows=[image.WorkflowConfigurationProperty(workflow_arn=arn) for arn in arns] or None,
            image_tests_configuration=image.ImageTestsConfigurationProperty(
                image_tests_enabled=image_tests, timeout_minutes=minutes
            ),
            image_scanning_configuration=image.ImageScanningConfigurationProperty(
                image_scanning_enabled=image_scanning
            ),
            enhanced_image_metadata_enabled=defaults.ENHANCED_IMAGE_METADATA_ENABLED,
            logging_configuration=image.ImageLoggingConfigurationProperty(
                log_group_name=self.log_group.log_group_name
            ),
            deletion_settings=image.DeletionSettingsProperty(execution_role=self.deletion_role.role_arn)
            if self.deletion_role
            else None,
            tags=dict(tags) if tags else None,
        )

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
