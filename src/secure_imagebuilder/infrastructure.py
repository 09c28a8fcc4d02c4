"""``SecureInfrastructureConfiguration``: where and how build instances run (R1, R3, R5, R17, R18)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from secure_imagebuilder.core import cdk_types, checks, defaults, documents, keys, permissions, suppressions
from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.logs import ImageBuilderLogBucket, check_log_bucket, grant_log_write
from secure_imagebuilder.roles import BuildInstanceRole


class SecureInfrastructureConfiguration(Construct):
    """An ``AWS::ImageBuilder::InfrastructureConfiguration`` for private, short-lived build instances.

    Creates the infrastructure configuration (``[Resource]``), ``[InstanceRole]`` a
    :class:`BuildInstanceRole` with its ``[InstanceProfile]``, ``[SecurityGroup]``, and ``[Logs]`` an
    :class:`ImageBuilderLogBucket` unless ``log_bucket`` is given, with:

    - IMDSv2 required, hop limit 1 (2 with ``container=True``) (R1, R5);
    - a private subnet only: the subnet you select must not be public, so build instances get no public
      IP (R18); the security group allows no inbound and only HTTPS outbound (R3);
    - termination of the instance when the build fails (R1);
    - build logs to a KMS-encrypted bucket under ``log_prefix``; the role may only put objects there
      (R4, R17); notifications to the SNS topic you give.

    It has the attributes of :class:`~secure_imagebuilder.interfaces.IInfrastructureConfiguration`.

    Synth-time errors: a public subnet, a VPC without private subnets, a log bucket without a KMS key,
    sensitive data in names or tags (R8).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: kms.IKey,
        name: str,
        vpc: ec2.IVpc,
        subnet_selection: ec2.SubnetSelection | None = None,
        log_bucket: s3.IBucket | None = None,
        log_prefix: str = defaults.LOG_PREFIX,
        notification_topic: sns.ITopic | None = None,
        instance_types: Sequence[ec2.InstanceType] | None = None,
        container: bool = False,
        container_repository: ecr.IRepository | None = None,
        egress_peer: ec2.IPeer | None = None,
        description: str | None = None,
        resource_tags: Mapping[str, str] | None = None,
    ) -> None:
        """Create the infrastructure configuration.

        :param key: the key that encrypts the components the instances read (R10), and the new log
            bucket.
        :param name: the configuration's name (no sensitive data, R8).
        :param vpc: the VPC the build instances run in.
        :param subnet_selection: which subnet; it must be private. Default: - the first private subnet
            with egress, else the first isolated subnet.
        :param log_bucket: where build logs go; it must have a KMS key (R17). Default: - a new
            :class:`ImageBuilderLogBucket` encrypted with ``key``, retained.
        :param log_prefix: the key prefix of the logs. Default: - ``imagebuilder/``.
        :param notification_topic: where Image Builder publishes results (an
            :class:`ImageBuilderNotificationTopic`). Default: - none.
        :param instance_types: build instance types. Default: - Image Builder's choice.
        :param container: the instances build containers: IMDS hop limit 2 and the container-recipe
            decrypt grant. Default: - ``False``.
        :param container_repository: the ECR repository container builds push to (the container
            recipe's ``repository``). Default: - none.
        :param egress_peer: where HTTPS may go. Default: - any IPv4 address, port 443 only.
        :param description: a description (no sensitive data, R8). Default: - none.
        :param resource_tags: tags for the build instances (R8). Default: - none.
        """
        super().__init__(scope, id)
        key = keys.checked(self, key)
        problems = ValidationProblems(self)
        checks.require_kinds(problems, vpc=(vpc, "vpc"), subnet_selection=(subnet_selection, "subnets"))
        checks.require_kinds(problems, log_bucket=(log_bucket, "bucket"), egress_peer=(egress_peer, "peer"))
        checks.require_kinds(
            problems,
            notification_topic=(notification_topic, "topic"),
            container=(container, "bool"),
            container_repository=(container_repository, "repository"),
        )
        problems.raise_if_any()
        documents.validate_name(problems, name)
        checks.validate_free_text(problems, "description", description)
        checks.validate_tags(problems, resource_tags)
        checks.validate_log_prefix(problems, log_prefix)
        types = cdk_types.instance_type_names(problems, instance_types)
        if log_bucket is not None:
            check_log_bucket(problems, log_bucket)
        if container_repository is not None and not container:
            problems.add(
                "container_repository is only used by container builds",
                container_repository.node.path,
                "pass container=True as well (IMDS hop limit 2, container-recipe decrypt), or drop it",
            )
        subnet = self._select_private_subnet(problems, vpc, subnet_selection)
        problems.raise_if_any()
        assert subnet is not None

        self.key = key
        self.container = container
        self.log_bucket: s3.IBucket = log_bucket or ImageBuilderLogBucket(self, "Logs", key=key)
        self.notification_topic = notification_topic
        self.role = self._build_role(log_prefix, container_repository)
        self.instance_profile = iam.InstanceProfile(self, "InstanceProfile", role=self.role)
        self.security_group = self._security_group(vpc, egress_peer)
        self.resource = self._configuration(name, description, types, subnet, log_prefix, resource_tags)
        self.subnet = subnet
        self._name = name

    def _security_group(self, vpc: ec2.IVpc, egress_peer: ec2.IPeer | None) -> ec2.SecurityGroup:
        """No inbound, HTTPS outbound only (R3, R18)."""
        group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            allow_all_outbound=False,
            description="Image Builder build instances: no inbound, HTTPS outbound only",
        )
        group.add_egress_rule(
            egress_peer or ec2.Peer.any_ipv4(),
            ec2.Port.tcp(defaults.EGRESS_PORT),
            "HTTPS to AWS APIs and package repositories (R3, R18)",
        )
        return group

    def _configuration(
        self,
        name: str,
        description: str | None,
        types: list[str],
        subnet: ec2.ISubnet,
        log_prefix: str,
        resource_tags: Mapping[str, str] | None,
    ) -> imagebuilder.CfnInfrastructureConfiguration:
        """The L1: IMDSv2, the private subnet, termination on failure, S3 logs, the topic."""
        configuration = imagebuilder.CfnInfrastructureConfiguration
        hop_limit = defaults.IMDS_HOP_LIMIT_CONTAINERS if self.container else defaults.IMDS_HOP_LIMIT
        return configuration(
            self,
            "Resource",
            name=name,
            description=description,
            instance_profile_name=self.instance_profile.instance_profile_name,
            instance_types=types or None,
            instance_metadata_options=configuration.InstanceMetadataOptionsProperty(
                http_tokens=defaults.IMDS_HTTP_TOKENS, http_put_response_hop_limit=hop_limit
            ),
            subnet_id=subnet.subnet_id,
            security_group_ids=[self.security_group.security_group_id],
            terminate_instance_on_failure=defaults.TERMINATE_INSTANCE_ON_FAILURE,
            logging=configuration.LoggingProperty(
                s3_logs=configuration.S3LogsProperty(
                    s3_bucket_name=self.log_bucket.bucket_name, s3_key_prefix=log_prefix
                )
            ),
            sns_topic_arn=self.notification_topic.topic_arn if self.notification_topic is not None else None,
            resource_tags=dict(resource_tags) if resource_tags else None,
        )

    def _build_role(self, log_prefix: str, container_repository: ecr.IRepository | None) -> BuildInstanceRole:
        """The build instance role: log writes under the prefix, container recipes, the repository (R1)."""
        role = BuildInstanceRole(self, "InstanceRole", key=self.key)
        grant_log_write(self.log_bucket, role, log_prefix)
        if self.container:
            self._grant_container_recipe_read(role)
        if container_repository is not None:
            container_repository.grant_pull_push(role)
            suppressions.acknowledge(
                role,
                "AwsSolutions-IAM5[Resource::*]",
                "ecr:GetAuthorizationToken has no resource-level permissions; pushes are "
                "limited to the pipeline's repository.",
            )
        return role

    def _grant_container_recipe_read(self, role: BuildInstanceRole) -> None:
        # Container builds read their (KMS-encrypted) recipe: imagebuilder:GetContainerRecipe and the
        # decrypt through Image Builder, as EC2InstanceProfileForImageBuilderECRContainerBuilds grants.
        stack = cdk.Stack.of(self)
        recipes = f"arn:{stack.partition}:imagebuilder:{stack.region}:{stack.account}:container-recipe/*"
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ReadImageBuilderContainerRecipes",
                actions=list(permissions.INSTANCE_CONTAINER_RECIPE_ACTIONS),
                resources=[recipes],
            )
        )
        keys.grant_container_recipe_decrypt(self.key, role)
        suppressions.acknowledge_value(
            role,
            "AwsSolutions-IAM5",
            "Resource",
            recipes,
            "The build instance reads whichever container recipe version it builds; recipes "
            "are versioned resources of this account (read only).",
        )

    @property
    def infrastructure_configuration_arn(self) -> str:
        """The ARN of the infrastructure configuration."""
        return self.resource.attr_arn

    @property
    def infrastructure_configuration_name(self) -> str:
        """The name of the infrastructure configuration."""
        return self._name

    @staticmethod
    def _select_private_subnet(
        problems: ValidationProblems, vpc: ec2.IVpc, selection: ec2.SubnetSelection | None
    ) -> ec2.ISubnet | None:
        if selection is not None and selection.subnet_type == ec2.SubnetType.PUBLIC:
            problems.add(
                "build instances get no public IP, but subnet_selection asks for public subnets (R18)",
                "SubnetType.PUBLIC",
                "select a private subnet (SubnetType.PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED)",
            )
            return None
        if selection is None:
            if vpc.private_subnets:
                selection = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
            elif vpc.isolated_subnets:
                selection = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
            else:
                problems.add(
                    "build instances run in a private subnet, but the vpc has none (R18)",
                    vpc.node.path,
                    "add a PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED subnet group to the VPC",
                )
                return None
        subnets = vpc.select_subnets(
            subnet_type=selection.subnet_type,
            subnet_group_name=selection.subnet_group_name,
            subnets=selection.subnets,
            availability_zones=selection.availability_zones,
            one_per_az=selection.one_per_az,
            subnet_filters=selection.subnet_filters,
        ).subnets
        public_ids = {subnet.subnet_id for subnet in vpc.public_subnets}
        public = [s for s in subnets if s.subnet_id in public_ids or isinstance(s, ec2.PublicSubnet)]
        if public:
            problems.add(
                "build instances get no public IP, but the selected subnet is public (R18)",
                [s.node.path for s in public],
                "select a private subnet of the VPC",
            )
            return None
        if not subnets:
            problems.add("subnet_selection selects no subnet", vpc.node.path, "select a private subnet")
            return None
        return subnets[0]
