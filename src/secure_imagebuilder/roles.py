"""The IAM roles of a build: the workflow execution role and the build-instance role.

``WorkflowExecutionRole`` is assumed by Image Builder to run workflows (R1, R11, R14);
``BuildInstanceRole`` is the role of the build and test instances (R1, R10, R17).
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from secure_imagebuilder.core import checks, defaults, keys, permissions, suppressions, thresholds
from secure_imagebuilder.core.validation import ValidationProblems

EXECUTION_POLICY_NAME = "EC2ImageBuilderExecutionPolicy"
"""AWS managed policy for custom workflow execution roles (shared/reference/service-permissions-notes.md)."""


class WorkflowExecutionRole(iam.Role):
    """An IAM role that only Image Builder, acting for this account, can assume to run workflows.

    Creates one ``AWS::IAM::Role`` (and an ``AWS::IAM::Policy`` once a grant is added) with:

    - a trust policy for ``imagebuilder.amazonaws.com`` limited by ``aws:SourceAccount`` (this account)
      against the confused deputy problem (R1); not by ``aws:SourceArn``, whose value for workflow runs
      AWS does not document (a condition on a key the service does not send would deny every build);
    - AWS's ``EC2ImageBuilderExecutionPolicy`` managed policy, whose KMS statements are EBS-only, unless
      ``use_managed_execution_policy=False`` (R1);
    - when ``key`` is given, the workflow-encryption grant on both sides: the key policy (R13) and this
      role's own policy (R14), exactly ``kms:Decrypt`` and ``kms:GenerateDataKey`` under the workflow
      encryption context (R12).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: kms.IKey | None = None,
        role_name: str | None = None,
        description: str | None = None,
        use_managed_execution_policy: bool = True,
        managed_policies: Sequence[iam.IManagedPolicy] | None = None,
        max_session_duration: cdk.Duration | None = None,
    ) -> None:
        """Create the role.

        :param key: the key that encrypts the workflows this role runs. Default: - no key grant; call
            ``key.grant_workflow_execution(role)`` later.
        :param role_name: a physical name. Default: - a name CloudFormation generates.
        :param description: the role's description. Default: - says what the role is for.
        :param use_managed_execution_policy: attach AWS's ``EC2ImageBuilderExecutionPolicy``.
            Default: - ``True``; set ``False`` and pass ``managed_policies`` or add statements yourself
            for custom workflow steps.
        :param managed_policies: further managed policies. Default: - none.
        :param max_session_duration: the longest session Image Builder may hold. Default: - 1 hour.
        """
        problems = ValidationProblems(scope, id)
        checks.validate_role_props(
            problems, role_name=role_name, description=description, max_session_duration=max_session_duration
        )
        problems.raise_if_any()
        checked_key = None if key is None else keys.checked(scope, key, child_id=id)
        stack = cdk.Stack.of(scope)
        # Only aws:SourceAccount: AWS documents it for Image Builder's confused-deputy protection, but not
        # the aws:SourceArn value of a workflow run; a condition on an absent key would fail every build.
        trust = iam.ServicePrincipal(
            defaults.IMAGEBUILDER_SERVICE,
            conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
        )
        policies = list(managed_policies or [])
        if use_managed_execution_policy:
            policies.insert(0, iam.ManagedPolicy.from_aws_managed_policy_name(EXECUTION_POLICY_NAME))
        super().__init__(
            scope,
            id,
            assumed_by=trust,
            role_name=role_name,
            description=description or "Runs EC2 Image Builder workflows (assumed by Image Builder only)",
            managed_policies=policies or None,
            max_session_duration=max_session_duration,
        )
        if use_managed_execution_policy:
            suppressions.acknowledge_value(
                self,
                "AwsSolutions-IAM4",
                "Policy",
                policies[0].managed_policy_arn,
                "AWS maintains EC2ImageBuilderExecutionPolicy for custom workflow execution "
                "roles and the Image Builder user guide recommends it; its KMS statements are "
                "EBS-only (kms:ViaService ec2, aws:ebs:id context).",
            )
        if checked_key is not None:
            keys.grant_workflow_execution(checked_key, self)


class BuildInstanceRole(iam.Role):
    """The least-privilege role of Image Builder's build instances (R1).

    Component code, often third-party, runs with this role's credentials, so it holds only what a build
    needs. Creates one ``AWS::IAM::Role`` trusted by ``ec2.amazonaws.com`` and its ``AWS::IAM::Policy``
    granting exactly:

    - AWS's ``AmazonSSMManagedInstanceCore``: the SSM agent's minimum, through which Image Builder runs
      the build (no S3, KMS, Secrets Manager or CloudWatch Logs access; acknowledged as
      ``AwsSolutions-IAM4`` with that reason);
    - ``imagebuilder:GetComponent`` on the components of this account and AWS-managed ones in the Region,
      and ``s3:GetObject`` on Image Builder's own ``ec2imagebuilder*`` artifact buckets (read only);
    - the component-decrypt grant of the key: ``kms:Decrypt`` under the component encryption context,
      only through Image Builder (``aws:CalledVia``) (R10, R12), on both sides for a key of this app.

    What the configurations using it add, each scoped: ``s3:PutObject`` under the log prefix of their log
    bucket (R17, ``SecureInfrastructureConfiguration``, ``apply_secure_defaults``), the container-recipe
    read and decrypt and the pushes to one ECR repository for container builds, and AWS's
    ``EC2InstanceProfileForImageBuilderECRContainerBuilds`` for alpha container builds.

    Unlike ``EC2InstanceProfileForImageBuilder`` it cannot write to any log group or read any bucket. A
    broad AWS managed policy (``AdministratorAccess``, ``PowerUserAccess``, ``ReadOnlyAccess``,
    ``AmazonS3FullAccess``, ``AmazonS3ReadOnlyAccess``, ``AmazonInspectorFullAccess``,
    ``SecretsManagerReadWrite``, ``AmazonEC2RoleforSSM``: ``core.thresholds.BROAD_MANAGED_POLICIES``)
    given in ``managed_policies`` or to :meth:`add_managed_policy` is our error (R1, rule IB9): grant what
    the components need on named resources instead.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: kms.IKey,
        role_name: str | None = None,
        description: str | None = None,
        managed_policies: Sequence[iam.IManagedPolicy] | None = None,
    ) -> None:
        """Create the role.

        :param key: the key that encrypts the components the instance reads (R10).
        :param role_name: a physical name. Default: - a name CloudFormation generates.
        :param description: the role's description. Default: - says what the role is for.
        :param managed_policies: further managed policies the components need, e.g.
            ``CloudWatchAgentServerPolicy``; none of the broad AWS managed ones (R1). Default: - only
            ``AmazonSSMManagedInstanceCore``.
        """
        problems = ValidationProblems(scope, id)
        checks.validate_role_props(problems, role_name=role_name, description=description)
        _check_managed_policies(problems, "managed_policies", managed_policies)
        problems.raise_if_any()
        checked_key = keys.checked(scope, key, child_id=id)
        ssm = iam.ManagedPolicy.from_aws_managed_policy_name(defaults.SSM_MANAGED_POLICY)
        super().__init__(
            scope,
            id,
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            role_name=role_name,
            description=description or "EC2 Image Builder build instances (SSM agent, components, logs)",
            managed_policies=[ssm, *(managed_policies or [])],
        )
        self._grant_reads(checked_key, ssm)

    def add_managed_policy(self, policy: iam.IManagedPolicy) -> None:
        """Attach a managed policy; a broad AWS managed one is our error (R1: see the class)."""
        problems = ValidationProblems(self)
        _check_managed_policies(problems, "add_managed_policy(policy)", [policy])
        problems.raise_if_any()
        super().add_managed_policy(policy)

    def _grant_reads(self, key: kms.IKey, ssm: iam.IManagedPolicy) -> None:
        """The component reads, the artifact downloads and the component decrypt, with their reasons."""
        stack = cdk.Stack.of(self)
        component_arns = [
            f"arn:{stack.partition}:imagebuilder:{stack.region}:{owner}:component/*"
            for owner in (stack.account, "aws")
        ]
        self.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ReadImageBuilderComponents",
                actions=list(permissions.INSTANCE_COMPONENT_ACTIONS),
                resources=component_arns,
            )
        )
        artifacts = f"arn:{stack.partition}:s3:::{permissions.MANAGED_ARTIFACT_BUCKETS}/*"
        self.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ReadImageBuilderManagedArtifacts", actions=["s3:GetObject"], resources=[artifacts]
            )
        )
        keys.grant_component_decrypt(key, self)
        suppressions.acknowledge_value(
            self,
            "AwsSolutions-IAM4",
            "Policy",
            ssm.managed_policy_arn,
            "Image Builder runs every build through the SSM agent; AWS maintains "
            "AmazonSSMManagedInstanceCore as the agent's minimum (no S3, KMS or logs access).",
        )
        for resource in [*component_arns, artifacts]:
            suppressions.acknowledge_value(
                self,
                "AwsSolutions-IAM5",
                "Resource",
                resource,
                "The build instance reads whichever component versions the recipe lists; "
                "components are versioned resources, and AWS-managed components download their "
                "artifacts from Image Builder's own buckets (read only).",
            )


def _check_managed_policies(problems: ValidationProblems, prop: str, policies: object) -> None:
    """Managed policies for a build instance: ``iam.IManagedPolicy`` s, none of the broad AWS ones (R1)."""
    if policies is None:
        return
    if isinstance(policies, str) or not isinstance(policies, Sequence):
        problems.add(f"{prop} must be a list of managed policies", policies, "wrap it in a list")
        return
    for policy in policies:
        arn = getattr(policy, "managed_policy_arn", None)
        if not isinstance(arn, str):
            problems.add(
                f"{prop} must be iam.IManagedPolicy objects",
                policy,
                "pass iam.ManagedPolicy.from_aws_managed_policy_name(...) or your own iam.ManagedPolicy",
            )
            continue
        for name in permissions.broad_managed_policies(arn):
            problems.add(
                f"{prop}: {name} gives the component code on the build instance "
                f"{thresholds.BROAD_MANAGED_POLICIES[name]} (R1)",
                name,
                "grant what the components need on named resources instead, e.g. "
                "bucket.grant_read(role, 'components/*')",
            )
