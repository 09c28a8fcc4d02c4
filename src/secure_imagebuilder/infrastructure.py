"""``SecureInfrastructureConfiguration``: where and how build instances run (R1, R3, R5, R17, R18)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from secure_imagebuilder import _documents, _pipeline_checks, _pipeline_defaults, _pipeline_policy
from secure_imagebuilder._errors import ValidationProblems
from secure_imagebuilder.key import ImageBuilderKey
from secure_imagebuilder.logs import check_log_bucket, grant_log_write


class BuildInstanceRole(iam.Role):
    """The least-privilege role of Image Builder's build instances (R1).

    Creates one ``AWS::IAM::Role`` trusted by ``ec2.amazonaws.com`` and its ``AWS::IAM::Policy`` with:

    - AWS's ``AmazonSSMManagedInstanceCore``: the SSM agent's minimum, through which Image Builder runs
      the build (acknowledged as ``AwsSolutions-IAM4`` with that reason);
    - ``imagebuilder:GetComponent`` on the components of this account and AWS-managed ones in the Region,
      and ``s3:GetObject`` on Image Builder's own ``ec2imagebuilder*`` artifact buckets;
    - the component-decrypt grant of the key (``kms:Decrypt`` under the component encryption context,
      only through Image Builder) (R10, R12).

    Unlike ``EC2InstanceProfileForImageBuilder`` it cannot write to any log group or read any bucket;
    the infrastructure configuration adds the log-bucket write for its own prefix (R17).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: ImageBuilderKey,
        role_name: str | None = None,
        description: str | None = None,
    ) -> None:
        """Create the role.

        :param key: the key that encrypts the components the instance reads (R10).
        :param role_name: a physical name. Default: - a name CloudFormation generates.
        :param description: the role's description. Default: - says what the role is for.
        """
        super().__init__(
            scope,
            id,
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            role_name=role_name,
            description=description or "EC2 Image Builder build instances (SSM agent, components, logs)",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(_pipeline_defaults.SSM_MANAGED_POLICY)
            ],
        )
        stack = cdk.Stack.of(self)
        component_arns = [
            f"arn:{stack.partition}:imagebuilder:{stack.region}:{owner}:component/*"
            for owner in (stack.account, "aws")
        ]
        self.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ReadImageBuilderComponents",
                actions=list(_pipeline_policy.INSTANCE_COMPONENT_ACTIONS),
                resources=component_arns,
            )
        )
        self.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ReadImageBuilderManagedArtifacts",
                actions=["s3:GetObject"],
                resources=[f"arn:{stack.partition}:s3:::{_pipeline_policy.MANAGED_ARTIFACT_BUCKETS}/*"],
            )
        )
        key.grant_component_decrypt(self)
        validations = cdk.Validations.of(self)
        validations.acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
                f"{_pipeline_defaults.SSM_MANAGED_POLICY}]",
                reason="Image Builder runs every build through the SSM agent; AWS maintains "
                "AmazonSSMManagedInstanceCore as the agent's minimum (no S3, KMS or logs access).",
            )
        )
        for resource in (
            "Resource::arn:<AWS::Partition>:imagebuilder:<AWS::Region>:<AWS::AccountId>:component/*",
            "Resource::arn:<AWS::Partition>:imagebuilder:<AWS::Region>:aws:component/*",
            "Resource::arn:<AWS::Partition>:s3:::ec2imagebuilder*/*",
        ):
            validations.acknowledge(
                cdk.Acknowledgment(
                    id=f"AwsSolutions-IAM5[{resource}]",
                    reason="The build instance reads whichever component versions the recipe lists; "
                    "components are versioned resources, and AWS-managed components download their "
                    "artifacts from Image Builder's own buckets (read only).",
                )
            )


class SecureInfrastructureConfiguration(Construct):
    """An ``AWS::ImageBuilder::InfrastructureConfiguration`` for private, short-lived build instances.

    Creates the infrastructure configuration, a :class:`BuildInstanceRole` with its
    ``AWS::IAM::InstanceProfile`` and an ``AWS::EC2::SecurityGroup``, with:

    - IMDSv2 required, hop limit 1 (2 with ``containers=True``) (R1, R5);
    - a private subnet only: the subnet you select must not be public, so build instances get no public
      IP (R18); the security group allows no inbound and only HTTPS outbound (R3);
    - termination of the instance when the build fails (R1);
    - build logs to the KMS-encrypted bucket you give, under ``log_prefix``; the role may only put
      objects there (R17); notifications to the SNS topic you give.

    Synth-time errors: a public subnet, a VPC without private subnets, a log bucket without a KMS key,
    sensitive data in names or tags (R8).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: ImageBuilderKey,
        name: str,
        vpc: ec2.IVpc,
        subnet_selection: ec2.SubnetSelection | None = None,
        log_bucket: s3.IBucket | None = None,
        log_prefix: str = _pipeline_defaults.LOG_PREFIX,
        notification_topic: sns.ITopic | None = None,
        instance_types: Sequence[str] | None = None,
        containers: bool = False,
        container_repository: ecr.IRepository | None = None,
        egress_peer: ec2.IPeer | None = None,
        description: str | None = None,
        resource_tags: Mapping[str, str] | None = None,
    ) -> None:
        """Create the infrastructure configuration.

        :param key: the key that encrypts the components the instances read (R10).
        :param name: the configuration's name (no sensitive data, R8).
        :param vpc: the VPC the build instances run in.
        :param subnet_selection: which subnet; it must be private. Default: - the first private subnet
            with egress, else the first isolated subnet.
        :param log_bucket: where build logs go; it must have a KMS key (R17). Default: - no S3 logs.
        :param log_prefix: the key prefix of the logs. Default: - ``imagebuilder/``.
        :param notification_topic: where Image Builder publishes results. Default: - none.
        :param instance_types: build instance types. Default: - Image Builder's choice.
        :param containers: the instances build containers (IMDS hop limit 2). Default: - ``False``.
        :param container_repository: the ECR repository container builds push to. Default: - none.
        :param egress_peer: where HTTPS may go. Default: - any IPv4 address, port 443 only.
        :param description: a description (no sensitive data, R8). Default: - none.
        :param resource_tags: tags for the build instances (R8). Default: - none.
        """
        super().__init__(scope, id)
        problems = ValidationProblems(self)
        _documents.validate_name(problems, name)
        _pipeline_checks.validate_free_text(problems, "description", description)
        _pipeline_checks.validate_tags(problems, resource_tags)
        if log_bucket is not None:
            check_log_bucket(problems, log_bucket)
        subnet = self._select_private_subnet(problems, vpc, subnet_selection)
        problems.raise_if_any()
        assert subnet is not None

        self.role = BuildInstanceRole(self, "InstanceRole", key=key)
        if log_bucket is not None:
            grant_log_write(log_bucket, self.role, log_prefix)
        if container_repository is not None:
            container_repository.grant_pull_push(self.role)
            cdk.Validations.of(self.role).acknowledge(
                cdk.Acknowledgment(
                    id="AwsSolutions-IAM5[Resource::*]",
                    reason="ecr:GetAuthorizationToken has no resource-level permissions; pushes are "
                    "limited to the pipeline's repository.",
                )
            )
        self.instance_profile = iam.InstanceProfile(self, "InstanceProfile", role=self.role)
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            allow_all_outbound=False,
            description="Image Builder build instances: no inbound, HTTPS outbound only",
        )
        self.security_group.add_egress_rule(
            egress_peer or ec2.Peer.any_ipv4(),
            ec2.Port.tcp(_pipeline_defaults.EGRESS_PORT),
            "HTTPS to AWS APIs and package repositories (R3, R18)",
        )
        hop_limit = (
            _pipeline_defaults.IMDS_HOP_LIMIT_CONTAINERS if containers else _pipeline_defaults.IMDS_HOP_LIMIT
        )
        self.resource = imagebuilder.CfnInfrastructureConfiguration(
            self,
            "Resource",
            name=name,
            description=description,
            instance_profile_name=self.instance_profile.instance_profile_name,
            instance_types=list(instance_types) if instance_types else None,
            instance_metadata_options=imagebuilder.CfnInfrastructureConfiguration.InstanceMetadataOptionsProperty(
                http_tokens=_pipeline_defaults.IMDS_HTTP_TOKENS, http_put_response_hop_limit=hop_limit
            ),
            subnet_id=subnet.subnet_id,
            security_group_ids=[self.security_group.security_group_id],
            terminate_instance_on_failure=_pipeline_defaults.TERMINATE_INSTANCE_ON_FAILURE,
            logging=imagebuilder.CfnInfrastructureConfiguration.LoggingProperty(
                s3_logs=imagebuilder.CfnInfrastructureConfiguration.S3LogsProperty(
                    s3_bucket_name=log_bucket.bucket_name, s3_key_prefix=log_prefix
                )
            )
            if log_bucket is not None
            else None,
            sns_topic_arn=notification_topic.topic_arn if notification_topic is not None else None,
            resource_tags=dict(resource_tags) if resource_tags else None,
        )
        self.subnet = subnet
        self.name = name

    @property
    def arn(self) -> str:
        """The ARN of the infrastructure configuration."""
        return self.resource.attr_arn

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
