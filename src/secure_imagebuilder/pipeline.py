"""``SecureImagePipeline``: the whole encrypted Image Builder pipeline, in one construct (the blueprint)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from secure_imagebuilder.audit import ImageBuilderAuditTrail
from secure_imagebuilder.core import cdk_types, checks, defaults, documents, keys, tokens
from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.distribution import DistributionRegion, SecureDistributionConfiguration
from secure_imagebuilder.endpoints import ImageBuilderVpcEndpoints
from secure_imagebuilder.infrastructure import SecureInfrastructureConfiguration
from secure_imagebuilder.key import ImageBuilderKey
from secure_imagebuilder.logs import ImageBuilderLogBucket, ImageBuilderLogGroup
from secure_imagebuilder.notifications import ImageBuilderNotificationTopic
from secure_imagebuilder.recipe import Component, EncryptedContainerRecipe, EncryptedImageRecipe, RecipeVolume
from secure_imagebuilder.roles import WorkflowExecutionRole
from secure_imagebuilder.workflow import Workflow
from secure_imagebuilder.workflow import workflow_arns as _workflow_arns


class SecureImagePipeline(Construct):
    """A complete EC2 Image Builder pipeline in which every piece of data is encrypted with one customer key.

    Creates (construct ids in brackets; each piece is also a public construct of its own):

    - ``[Key]`` an :class:`ImageBuilderKey` unless ``key`` is given (R5, R10-R15);
    - ``[Logs]`` an :class:`ImageBuilderLogBucket` unless ``log_bucket`` is given (checked) (R3, R17);
    - ``[ImageLogGroup]`` and ``[PipelineLogGroup]`` (:class:`ImageBuilderLogGroup`): Image Builder's
      default ``/aws/imagebuilder/<name>`` and ``/aws/imagebuilder/pipeline/<name>``, encrypted and with
      retention, so the service never creates them unencrypted; with ``cloudwatch_logs=True`` the build
      instance also streams its build log into the first (R5, R17);
    - ``[Notifications]`` an :class:`ImageBuilderNotificationTopic` unless ``notifications=False`` (R3, R5);
    - ``[Infrastructure]`` a :class:`SecureInfrastructureConfiguration`: private subnet, HTTPS-only
      egress, IMDSv2, least-privilege instance role, termination on failure (R1, R18);
    - ``[Recipe]`` an :class:`EncryptedImageRecipe`, or with ``container=True`` an
      :class:`EncryptedContainerRecipe` and ``[Repository]`` a KMS-encrypted ECR repository with
      immutable tags and scan on push unless ``container_repository`` is given (R5, R10);
    - ``[Distribution]`` a :class:`SecureDistributionConfiguration` for AMIs (R5);
    - ``[ExecutionRole]`` a :class:`WorkflowExecutionRole` when ``workflows`` are given and
      ``execution_role`` is not (R11-R14);
    - ``[Resource]`` the ``AWS::ImageBuilder::ImagePipeline``: image scanning and tests on, enhanced
      metadata, optional cron schedule that runs only when dependencies changed;
    - ``[Endpoints]`` :class:`ImageBuilderVpcEndpoints` with ``vpc_endpoints=True`` (R18);
    - ``[AuditTrail]`` an :class:`ImageBuilderAuditTrail` with ``audit_trail=True`` (R4, R16).

    Tags are applied to every resource and must not carry e-mail addresses or account numbers (R8).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        vpc: ec2.IVpc | None = None,
        parent_image: ec2.IMachineImage | str | None = None,
        components: Sequence[Component] | None = None,
        version: str = defaults.AUTO_RECIPE_VERSION,
        key: kms.IKey | None = None,
        workflows: Sequence[Workflow] | None = None,
        execution_role: iam.IRole | None = None,
        subnet_selection: ec2.SubnetSelection | None = None,
        instance_types: Sequence[ec2.InstanceType] | None = None,
        volumes: Sequence[RecipeVolume | ec2.BlockDevice] | None = None,
        container: bool = False,
        container_repository: ecr.IRepository | None = None,
        log_bucket: s3.IBucket | None = None,
        log_prefix: str = defaults.LOG_PREFIX,
        cloudwatch_logs: bool = False,
        log_retention: logs.RetentionDays = defaults.LOG_RETENTION,
        notifications: bool = True,
        distribution_regions: Sequence[DistributionRegion] | None = None,
        target_account_ids: Sequence[str] | None = None,
        launch_permission_account_ids: Sequence[str] | None = None,
        grant_auto_scaling: bool = False,
        schedule_expression: events.Schedule | None = None,
        vpc_endpoints: bool = False,
        audit_trail: bool = False,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
        removal_policy: cdk.RemovalPolicy = defaults.LOG_REMOVAL_POLICY,
        recipe: Any = None,
        infrastructure: Any = None,
        distribution: Any = None,
    ) -> None:
        """Create the pipeline and every piece it needs that is not given.

        :param name: the name of the pipeline, its recipe, configurations and images (no sensitive data, R8).
        :param vpc: the VPC of the build instances; they run in one of its private subnets.
        :param parent_image: the base image: an ``ec2.IMachineImage``, an image ARN
            (``aws_managed_image``), an AMI id or an ``ssm:`` parameter; for containers a Docker image.
        :param components: the components, in order: ``EncryptedComponent`` or AWS-managed ARNs.
        :param version: the recipe version. Default: - ``1.0.x``: Image Builder numbers each recipe, so
            a changed component (a new build of its version) deploys without a new version here.
        :param key: the customer managed key of everything. Default: - a new :class:`ImageBuilderKey`.
        :param workflows: image workflows to run: ``EncryptedWorkflow`` s, imported ones
            (``EncryptedWorkflow.from_workflow_arn``) or alpha ``IWorkflow`` s. Default: - Image Builder's
            default workflows.
        :param execution_role: the workflow execution role (give it ``key.grant_workflow_execution``).
            Default: - a :class:`WorkflowExecutionRole` when ``workflows`` are given.
        :param subnet_selection: the build subnet; it must be private. Default: - a private subnet.
        :param instance_types: build instance types, ``ec2.InstanceType`` objects (strings are
            deprecated). Default: - Image Builder's choice.
        :param volumes: the build instance's volumes. Default: - a 30 GiB gp3 root volume.
        :param container: build a container image instead of an AMI. Default: - ``False``.
        :param container_repository: where container images go. Default: - a new encrypted repository.
        :param log_bucket: where build logs go; it must have a KMS key. Default: - a new log bucket.
        :param log_prefix: the key prefix of build logs. Default: - ``imagebuilder/``.
        :param cloudwatch_logs: let the build instance stream its build log to the image log group.
            Default: - ``False`` (logs go to the bucket; the log groups exist either way).
        :param log_retention: retention of those log groups. Default: - one year.
        :param notifications: publish results to an encrypted SNS topic. Default: - ``True``.
        :param distribution_regions: where AMIs go. Default: - the stack's Region.
        :param target_account_ids: accounts that receive a copy of the AMI. Default: - none.
        :param launch_permission_account_ids: accounts allowed to launch the AMI. Default: - none.
        :param grant_auto_scaling: let Auto Scaling launch the encrypted AMIs (anyone who may create an
            Auto Scaling group could then launch them). Default: - ``False``.
        :param schedule_expression: ``events.Schedule.cron(...)`` (a ``cron(...)`` string is deprecated).
            Default: - manual runs only.
        :param vpc_endpoints: create :class:`ImageBuilderVpcEndpoints`. Default: - ``False``.
        :param audit_trail: create an :class:`ImageBuilderAuditTrail`. Default: - ``False`` (one trail per
            account is the norm).
        :param description: the pipeline's description (no sensitive data, R8). Default: - none.
        :param tags: tags for every resource (no sensitive data, R8). Default: - none.
        :param removal_policy: what happens to the key, buckets, log groups and repository the construct
            creates. Default: - ``RemovalPolicy.RETAIN``.
        :param recipe: your own recipe: an ``EncryptedImageRecipe``/``EncryptedContainerRecipe`` or an
            aws-imagebuilder-alpha ``ImageRecipe``/``ContainerRecipe``; a container recipe makes a container
            pipeline. Default: - a recipe from ``parent_image``, ``components`` and ``volumes``.
        :param infrastructure: your own infrastructure configuration (ours or the alpha L2's).
            Default: - a ``SecureInfrastructureConfiguration`` in ``vpc`` with the log bucket and topic.
        :param distribution: your own distribution configuration (ours or the alpha L2's).
            Default: - a ``SecureDistributionConfiguration`` for AMI pipelines.
        """
        super().__init__(scope, id)
        container = self._validate(
            name=name,
            description=description,
            tags=tags,
            schedule_expression=schedule_expression,
            container=container,
            container_repository=container_repository,
            recipe=recipe,
            infrastructure=infrastructure,
            distribution=distribution,
            vpc=vpc,
            parent_image=parent_image,
            components=components,
            vpc_endpoints=vpc_endpoints,
            built_by_us={
                "volumes": volumes,
                "subnet_selection": subnet_selection,
                "instance_types": instance_types,
                "log_bucket": log_bucket,
                "distribution_regions": distribution_regions,
                "target_account_ids": target_account_ids,
                "launch_permission_account_ids": launch_permission_account_ids,
            },
        )
        self.key = self._key(key, removal_policy)
        self._storage(
            log_bucket if infrastructure is None else None,
            notifications and infrastructure is None,
            container and recipe is None,
            container_repository,
            removal_policy,
            create_log_bucket=infrastructure is None,
        )
        self.infrastructure: Any = infrastructure or self._infrastructure(
            name, vpc, subnet_selection, log_prefix, instance_types, container=container
        )
        self._recipe_and_distribution(
            recipe=recipe,
            distribution=distribution,
            container=container,
            name=name,
            version=version,
            parent_image=parent_image,
            components=components,
            volumes=volumes,
            distribution_regions=distribution_regions,
            target_account_ids=target_account_ids,
            launch_permission_account_ids=launch_permission_account_ids,
            grant_auto_scaling=grant_auto_scaling,
        )
        self.execution_role = self._execution_role(workflows, execution_role)
        self._log_groups(name, log_retention, removal_policy, cloudwatch_logs=cloudwatch_logs)
        self.resource = self._pipeline(name, description, workflows, schedule_expression)
        self._extras(vpc, subnet_selection, container, removal_policy, vpc_endpoints, audit_trail)
        self._tag(tags)
        self.name = name

    def _execution_role(
        self, workflows: Sequence[Workflow] | None, execution_role: iam.IRole | None
    ) -> iam.IRole | None:
        """The workflow execution role (ours unless given) when the pipeline runs workflows."""
        if not workflows:
            if execution_role is not None:  # it would be dropped without a word
                problems = ValidationProblems(self)
                problems.add(
                    "execution_role is only used by pipelines that run workflows",
                    execution_role.node.path,
                    "pass workflows=[...], or drop execution_role",
                )
                problems.raise_if_any()
            return None
        role = execution_role or WorkflowExecutionRole(self, "ExecutionRole", key=self.key)
        if self.topic is not None:  # which principal publishes is undocumented: grant both
            self.topic.grant_publish(role)
        return role

    def _tag(self, tags: Mapping[str, str] | None) -> None:
        """Tags on every resource of the pipeline (R8: checked for sensitive data)."""
        for tag_key, tag_value in (tags or {}).items():
            cdk.Tags.of(self).add(tag_key, tag_value)

    def _key(self, key: kms.IKey | None, removal_policy: cdk.RemovalPolicy) -> kms.IKey:
        """The user's key (checked: every piece reads it) or a new one."""
        if key is None:
            return ImageBuilderKey(self, "Key", removal_policy=removal_policy)
        return keys.checked(self, key)

    def _storage(
        self,
        log_bucket: s3.IBucket | None,
        notifications: bool,
        container: bool,
        container_repository: ecr.IRepository | None,
        removal_policy: cdk.RemovalPolicy,
        *,
        create_log_bucket: bool,
    ) -> None:
        """The log bucket, the notification topic and (container builds) the repository."""
        key = self.key
        if log_bucket is None and create_log_bucket:
            log_bucket = ImageBuilderLogBucket(self, "Logs", key=key, removal_policy=removal_policy)
        self.log_bucket: s3.IBucket | None = log_bucket
        self.topic = ImageBuilderNotificationTopic(self, "Notifications", key=key) if notifications else None
        self.repository: ecr.IRepository | None = None
        if container:
            self.repository = container_repository or ecr.Repository(
                self,
                "Repository",
                encryption=ecr.RepositoryEncryption.KMS,
                encryption_key=key,
                image_scan_on_push=True,
                image_tag_mutability=ecr.TagMutability.IMMUTABLE,
                removal_policy=removal_policy,
            )

    def _infrastructure(
        self,
        name: str,
        vpc: ec2.IVpc | None,
        subnet_selection: ec2.SubnetSelection | None,
        log_prefix: str,
        instance_types: Sequence[ec2.InstanceType] | None,
        *,
        container: bool,
    ) -> SecureInfrastructureConfiguration:
        """Our infrastructure configuration, with the log bucket and topic made for it."""
        assert vpc is not None  # _validate_pieces
        return SecureInfrastructureConfiguration(
            self,
            "Infrastructure",
            key=self.key,
            name=name,
            vpc=vpc,
            subnet_selection=subnet_selection,
            log_bucket=self.log_bucket,
            log_prefix=log_prefix,
            notification_topic=self.topic,
            instance_types=instance_types,
            container=container,
            container_repository=self.repository,
        )

    def _recipe_and_distribution(
        self,
        *,
        recipe: Any,
        distribution: Any,
        container: bool,
        name: str,
        version: str,
        parent_image: ec2.IMachineImage | str | None,
        components: Sequence[Component] | None,
        volumes: Sequence[RecipeVolume | ec2.BlockDevice] | None,
        distribution_regions: Sequence[DistributionRegion] | None,
        target_account_ids: Sequence[str] | None,
        launch_permission_account_ids: Sequence[str] | None,
        grant_auto_scaling: bool,
    ) -> None:
        """The image or container recipe, and the AMI distribution (AMI builds only), unless given."""
        key = self.key
        self.recipe: Any
        self.distribution: Any
        if recipe is not None:
            self.recipe = recipe
            self.distribution = distribution if distribution is not None or container else None
            if self.distribution is None and not container:
                self.distribution = self._distribution(
                    name,
                    distribution_regions,
                    target_account_ids,
                    launch_permission_account_ids,
                    grant_auto_scaling=grant_auto_scaling,
                )
            return
        assert parent_image is not None and components is not None  # _validate_pieces
        if self.repository is not None:
            self.recipe = EncryptedContainerRecipe(
                self,
                "Recipe",
                key=key,
                name=name,
                version=version,
                parent_image=_docker_image(self, parent_image),
                components=components,
                repository=self.repository,
                volumes=volumes,
            )
            self.distribution = None
            return
        self.recipe = EncryptedImageRecipe(
            self,
            "Recipe",
            key=key,
            name=name,
            version=version,
            parent_image=parent_image,
            components=components,
            volumes=volumes,
        )
        self.distribution = distribution or self._distribution(
            name,
            distribution_regions,
            target_account_ids,
            launch_permission_account_ids,
            grant_auto_scaling=grant_auto_scaling,
        )

    def _distribution(
        self,
        name: str,
        regions: Sequence[DistributionRegion] | None,
        target_account_ids: Sequence[str] | None,
        launch_permission_account_ids: Sequence[str] | None,
        *,
        grant_auto_scaling: bool,
    ) -> SecureDistributionConfiguration:
        return SecureDistributionConfiguration(
            self,
            "Distribution",
            key=self.key,
            name=name,
            regions=regions,
            target_account_ids=target_account_ids,
            launch_permission_account_ids=launch_permission_account_ids,
            grant_auto_scaling=grant_auto_scaling,
        )

    def _log_groups(
        self,
        name: str,
        log_retention: logs.RetentionDays,
        removal_policy: cdk.RemovalPolicy,
        *,
        cloudwatch_logs: bool,
    ) -> None:
        """Image Builder's default log groups, created here first.

        Otherwise the service creates them unencrypted and without retention (integ-cwlogs.md;
        ImagePipeline LoggingConfiguration defaults).
        """
        groups = [
            ImageBuilderLogGroup(
                self,
                group_id,
                key=self.key,
                log_group_name=group_name,
                retention=log_retention,
                removal_policy=removal_policy,
            )
            for group_id, group_name in zip(
                ("ImageLogGroup", "PipelineLogGroup"), _log_group_names(name), strict=True
            )
        ]
        self.image_log_group: ImageBuilderLogGroup | None = groups[0]
        self.pipeline_log_group: ImageBuilderLogGroup | None = groups[1]
        role = getattr(self.infrastructure, "role", None)
        if cloudwatch_logs and role is not None:
            groups[0].grant_write(role)

    def _pipeline(
        self,
        name: str,
        description: str | None,
        workflows: Sequence[Workflow] | None,
        schedule_expression: events.Schedule | None,
    ) -> imagebuilder.CfnImagePipeline:
        """The ``AWS::ImageBuilder::ImagePipeline`` that ties the pieces together."""
        pipeline = imagebuilder.CfnImagePipeline
        container = self.repository is not None or _is_container_recipe(self.recipe)
        recipe_arn = _arn(self.recipe, "arn", "container_recipe_arn", "image_recipe_arn")
        workflow_arns = _workflow_arns(self, workflows)
        resource = pipeline(
            self,
            "Resource",
            name=name,
            description=description,
            infrastructure_configuration_arn=_arn(
                self.infrastructure, "arn", "infrastructure_configuration_arn"
            ),
            image_recipe_arn=None if container else recipe_arn,
            container_recipe_arn=recipe_arn if container else None,
            distribution_configuration_arn=_arn(self.distribution, "arn", "distribution_configuration_arn")
            if self.distribution is not None
            else None,
            execution_role=self.execution_role.role_arn if self.execution_role else None,
            workflows=[pipeline.WorkflowConfigurationProperty(workflow_arn=arn) for arn in workflow_arns]
            or None,
            image_scanning_configuration=pipeline.ImageScanningConfigurationProperty(
                image_scanning_enabled=defaults.IMAGE_SCANNING_ENABLED,
                ecr_configuration=pipeline.EcrConfigurationProperty(
                    repository_name=self.repository.repository_name
                )
                if self.repository is not None
                else None,
            ),
            image_tests_configuration=pipeline.ImageTestsConfigurationProperty(
                image_tests_enabled=defaults.IMAGE_TESTS_ENABLED
            ),
            enhanced_image_metadata_enabled=defaults.ENHANCED_IMAGE_METADATA_ENABLED,
            schedule=pipeline.ScheduleProperty(
                schedule_expression=cdk_types.schedule_expression(
                    ValidationProblems(self), schedule_expression
                ),
                pipeline_execution_start_condition=defaults.SCHEDULE_START_CONDITION,
            )
            if schedule_expression
            else None,
            # The names as text, not Ref: the log groups are ordered before the pipeline below.
            logging_configuration=pipeline.PipelineLoggingConfigurationProperty(
                image_log_group_name=_log_group_names(name)[0],
                pipeline_log_group_name=_log_group_names(name)[1],
            )
            if self.image_log_group and self.pipeline_log_group
            else None,
            status="ENABLED",
        )
        if self.image_log_group and self.pipeline_log_group:
            resource.node.add_dependency(self.image_log_group, self.pipeline_log_group)
        return resource

    def _extras(
        self,
        vpc: ec2.IVpc | None,
        subnet_selection: ec2.SubnetSelection | None,
        container: bool,
        removal_policy: cdk.RemovalPolicy,
        vpc_endpoints: bool,
        audit_trail: bool,
    ) -> None:
        """The optional VPC endpoints and audit trail."""
        security_group = getattr(self.infrastructure, "security_group", None)
        self.endpoints = (
            ImageBuilderVpcEndpoints(
                self,
                "Endpoints",
                vpc=vpc,
                subnet_selection=subnet_selection,
                container=container,
                clients=[security_group] if security_group is not None else [],
            )
            if vpc_endpoints and vpc is not None
            else None
        )
        self.audit_trail = (
            ImageBuilderAuditTrail(
                self,
                "AuditTrail",
                key=self.key,
                removal_policy=removal_policy,
            )
            if audit_trail
            else None
        )

    @property
    def arn(self) -> str:
        """The ARN of the image pipeline."""
        return self.resource.attr_arn

    def _validate_pieces(
        self,
        *,
        recipe: Any,
        infrastructure: Any,
        distribution: Any,
        vpc: ec2.IVpc | None,
        parent_image: ec2.IMachineImage | str | None,
        components: Sequence[Component] | None,
        vpc_endpoints: bool,
        built_by_us: Mapping[str, object],
    ) -> None:
        """The pieces a user gives instead of ours: of a known kind, and no prop that only ours would use."""
        problems = ValidationProblems(self)
        if recipe is None and (parent_image is None or components is None):
            problems.add(
                "parent_image and components are required unless recipe is given",
                {"parent_image": parent_image, "components": components},
                "pass parent_image= and components=, or your own recipe=",
            )
        if recipe is not None and (parent_image is not None or components):
            problems.add(
                "parent_image and components are ignored when recipe is given",
                parent_image,
                "set them on your recipe, or drop recipe= to let the pipeline build one",
            )
        if vpc is None and (infrastructure is None or vpc_endpoints):
            problems.add(
                "vpc is required unless infrastructure is given (and for vpc_endpoints)",
                None,
                "pass vpc=, or your own infrastructure= without vpc_endpoints",
            )
        owned = {
            "recipe": (recipe, ("volumes",), ("arn", "image_recipe_arn", "container_recipe_arn")),
            "infrastructure": (
                infrastructure,
                ("subnet_selection", "instance_types", "log_bucket"),
                ("arn", "infrastructure_configuration_arn"),
            ),
            "distribution": (
                distribution,
                ("distribution_regions", "target_account_ids", "launch_permission_account_ids"),
                ("arn", "distribution_configuration_arn"),
            ),
        }
        for piece, (given, props, arns) in owned.items():
            if given is None:
                continue
            if not any(hasattr(type(given), a) or a in getattr(given, "__dict__", {}) for a in arns):
                problems.add(
                    f"{piece} must be one of this library's or an aws-imagebuilder-alpha {piece}",
                    type(given).__name__,
                    f"pass e.g. Secure/Encrypted constructs or the alpha L2, or drop {piece}=",
                )
            for prop in props:
                if built_by_us[prop]:
                    problems.add(
                        f"{prop} is ignored when {piece} is given",
                        prop,
                        f"set it on your {piece}, or drop {piece}= to let the pipeline build it",
                    )
        problems.raise_if_any()

    def _validate(
        self,
        *,
        name: str,
        description: str | None,
        tags: Mapping[str, str] | None,
        schedule_expression: events.Schedule | None,
        container: bool,
        container_repository: ecr.IRepository | None,
        recipe: Any,
        infrastructure: Any,
        distribution: Any,
        vpc: ec2.IVpc | None,
        parent_image: ec2.IMachineImage | str | None,
        components: Sequence[Component] | None,
        vpc_endpoints: bool,
        built_by_us: Mapping[str, object],
    ) -> bool:
        """Refuse bad props, all at once; return whether the pipeline builds a container image."""
        distribution_props = ("distribution_regions", "target_account_ids", "launch_permission_account_ids")
        distribution_given = any(built_by_us[prop] for prop in distribution_props)
        problems = ValidationProblems(self)
        documents.validate_name(problems, name)
        checks.validate_free_text(problems, "name", name)
        checks.validate_free_text(problems, "description", description)
        checks.validate_tags(problems, tags)
        checks.require_kinds(problems, vpc=(vpc, "vpc"))
        cdk_types.schedule_expression(problems, schedule_expression)
        if isinstance(name, str) and not tokens.is_unresolved(name) and " " in name:
            problems.add(
                "a pipeline name becomes its log group names (/aws/imagebuilder/<name>): no spaces",
                name,
                "use '-' or '_' instead of spaces",
            )
        if container_repository is not None and not container:
            problems.add(
                "container_repository is only used by container pipelines",
                container_repository.node.path,
                "pass container=True, or drop container_repository",
            )
        if container and distribution_given:
            problems.add(
                "distribution_regions and account ids apply to AMIs, not container images",
                "container=True",
                "push container images to more places with ECR replication, or build an AMI",
            )
        problems.raise_if_any()
        self._validate_pieces(
            recipe=recipe,
            infrastructure=infrastructure,
            distribution=distribution,
            vpc=vpc,
            parent_image=parent_image,
            components=components,
            vpc_endpoints=vpc_endpoints,
            built_by_us=built_by_us,
        )
        return container or _is_container_recipe(recipe)


def _is_container_recipe(recipe: Any) -> bool:
    """Whether a given recipe builds a container: ours, or an alpha ``ContainerRecipe``."""
    return isinstance(recipe, EncryptedContainerRecipe) or (
        recipe is not None
        and not isinstance(recipe, EncryptedImageRecipe)
        and hasattr(type(recipe), "container_recipe_arn")
    )


def _arn(piece: Any, *attributes: str) -> str:
    """The ARN of one of our pieces (``arn``) or of an alpha L2 (``image_recipe_arn``, ...)."""
    for attribute in attributes:
        if hasattr(type(piece), attribute) or attribute in getattr(piece, "__dict__", {}):
            return str(getattr(piece, attribute))
    raise TypeError(f"{piece!r} has none of {', '.join(attributes)}")


def _log_group_names(name: str) -> tuple[str, str]:
    """Image Builder's default image and pipeline log group names (integ-cwlogs.md)."""
    return f"/aws/imagebuilder/{name}", f"/aws/imagebuilder/pipeline/{name}"


def _docker_image(scope: Construct, parent_image: object) -> str:
    """A container pipeline's parent image: a Docker image name, or our error."""
    if isinstance(parent_image, str):
        return parent_image
    problems = ValidationProblems(scope)
    problems.add(
        "a container pipeline's parent_image is a Docker image, not a machine image",
        parent_image,
        "pass e.g. 'public.ecr.aws/amazonlinux/amazonlinux:2023'",
    )
    problems.raise_if_any()
    raise AssertionError("unreachable")  # raise_if_any raised
