"""``SecureDistributionConfiguration``: AMIs encrypted with the customer key, in every Region and account."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from constructs import Construct

from secure_imagebuilder.core import checks, defaults, documents, keys, permissions, tokens
from secure_imagebuilder.core.validation import ValidationProblems

CROSS_ACCOUNT_DISTRIBUTION_ROLE = "EC2ImageBuilderDistributionCrossAccountRole"
"""The role each target account creates for Image Builder's copies (awsdocs/ec2-image-builder-user-guide,
cross-account-dist.md): only it may use the AMI key for a copy."""


@dataclass(frozen=True)
class DistributionRegion:
    """A Region the AMI is distributed to, with the key that encrypts it there (KMS keys are regional).

    :param region: the Region, e.g. ``eu-west-1``.
    :param key: a key in that Region, e.g. a replica of a multi-Region key imported with
        ``ImageBuilderKey.from_key_arn``. Default: - the distribution's key; only valid for its own Region.
    """

    region: str
    key: kms.IKey | None = None


@dataclass(frozen=True)
class AmiSsmParameter:
    """An SSM parameter Image Builder writes the new AMI's id into, in one Region (SsmParameterConfiguration).

    Image Builder creates the parameter if it does not exist, else updates it, with the data type
    ``aws:ec2:image`` (SSM then checks the value is an AMI id, as AWS recommends), so launch templates and
    stacks can read the latest AMI by name instead of hard-coding ids.

    :param parameter_name: the parameter's name, e.g. ``/images/golden/latest`` (letters, digits and
        ``_.-/``; no sensitive data, R8; not starting with ``aws`` or ``ssm``, which SSM reserves).
    :param region: the Region whose distribution writes it. Default: - the stack's Region.
    :param account_id: the account that owns the parameter, one of ``target_account_ids``.
        Default: - this account.
    """

    parameter_name: str
    region: str | None = None
    account_id: str | None = None


class SecureDistributionConfiguration(Construct):
    """An ``AWS::ImageBuilder::DistributionConfiguration`` whose AMIs are encrypted with customer keys (R5).

    For every Region, ``AmiDistributionConfiguration.KmsKeyId`` is the Region's key. Each Region's key
    policy gets two statements (use, and ``kms:CreateGrant`` only for AWS resources) per kind of grantee,
    limited to EC2 in that Region (``kms:ViaService``) and to the grantee's account
    (``kms:CallerAccount``) (R1):

    - ``target_account_ids`` (copies): only each account's ``EC2ImageBuilderDistributionCrossAccountRole``
      (``aws:PrincipalArn``), the role Image Builder acts as for the copy (cross-account-dist.md); the
      principal is the account, which always exists, so the key deploys before the role does;
    - ``launch_permission_account_ids`` (sharing): the whole account, whose own IAM decides who launches;
    - ``grant_auto_scaling=True`` (opt-in): this account's ``AWSServiceRoleForAutoScaling``, named by
      ``aws:PrincipalArn`` under ``Principal: *`` (it need not exist yet). Trade-off: with it, anyone who
      may create an Auto Scaling group can launch, and so read, the encrypted AMIs without any KMS
      permission of their own; without it, an Auto Scaling group cannot launch them.

    A key created outside this app (imported) is owned outside it: these statements are printed for its
    owner at synth time instead.

    AMIs are never public: launch permissions go to named accounts only, and ``all`` (EC2's group for
    every AWS account, ``LaunchPermissionConfiguration.UserGroups``) has no prop and is our error where an
    account id belongs (R1, R8; rule IB8). ``ssm_parameters`` writes each new AMI's id into SSM parameters.

    Synth-time errors: account ids that are not 12 digits, ``all`` as an account, a Region other than the
    stack's without its own key, an SSM parameter of no distribution Region or of an account that is no
    target, sensitive data in names, tags and parameter names (R8).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: kms.IKey,
        name: str,
        ami_name: str | None = None,
        regions: Sequence[DistributionRegion] | None = None,
        target_account_ids: Sequence[str] | None = None,
        launch_permission_account_ids: Sequence[str] | None = None,
        grant_auto_scaling: bool = False,
        ssm_parameters: Sequence[AmiSsmParameter] | None = None,
        ami_tags: Mapping[str, str] | None = None,
        description: str | None = None,
    ) -> None:
        """Create the distribution configuration.

        :param key: the key that encrypts the AMIs in the stack's Region (R5).
        :param name: the configuration's name (no sensitive data, R8).
        :param ami_name: the AMI name; ``-{{ imagebuilder:buildDate }}`` is appended. Default: - ``name``.
        :param regions: where the AMI goes. Default: - the stack's Region with ``key``.
        :param target_account_ids: accounts that receive their own copy of the AMI. Default: - none.
        :param launch_permission_account_ids: accounts allowed to launch the AMI, by 12-digit id (never
            ``all``: the AMI stays private, R1). Default: - none.
        :param grant_auto_scaling: let this account's Auto Scaling service-linked role use the keys.
            Default: - ``False``: Image Builder does not need it; see the trade-off above.
        :param ssm_parameters: SSM parameters that receive each new AMI's id (:class:`AmiSsmParameter`).
            Default: - none.
        :param ami_tags: tags on the AMIs (no sensitive data, R8). Default: - none.
        :param description: a description (no sensitive data, R8). Default: - none.
        """
        super().__init__(scope, id)
        key = keys.checked(self, key)
        stack = cdk.Stack.of(self)
        problems = ValidationProblems(self)
        if regions is not None and (
            isinstance(regions, str) or not all(isinstance(r, DistributionRegion) for r in regions)
        ):
            problems.add(
                "regions must be a list of DistributionRegion",
                regions,
                "pass e.g. [DistributionRegion('eu-west-1', key=replica_key)]",
            )
            problems.raise_if_any()
        documents.validate_name(problems, name)
        checks.validate_free_text(problems, "ami_name", ami_name)
        checks.validate_free_text(problems, "description", description)
        checks.validate_tags(problems, ami_tags)
        _refuse_public(problems, target_account_ids, launch_permission_account_ids)
        targets = checks.validate_account_ids(problems, "target_account_ids", target_account_ids or [])
        launchers = checks.validate_account_ids(
            problems, "launch_permission_account_ids", launch_permission_account_ids or []
        )
        keyed_regions = self._regions_with_keys(problems, stack, key, regions)
        parameters = ssm_parameter_configurations(
            problems, ssm_parameters, [region for region, _ in keyed_regions], targets, stack.region
        )
        problems.raise_if_any()

        for region, region_key in keyed_regions:
            self._grant_region(region, region_key, targets, launchers, grant_auto_scaling=grant_auto_scaling)
        self.resource = imagebuilder.CfnDistributionConfiguration(
            self,
            "Resource",
            name=name,
            description=description,
            distributions=[
                imagebuilder.CfnDistributionConfiguration.DistributionProperty(
                    region=region,
                    # The L1 types this property as JSON: CloudFormation's own (PascalCase) keys.
                    ami_distribution_configuration=self._ami_configuration(
                        (ami_name or name) + defaults.AMI_NAME_SUFFIX,
                        region_key,
                        targets,
                        launchers,
                        ami_tags,
                    ),
                    ssm_parameter_configurations=parameters.get(region),
                )
                for region, region_key in keyed_regions
            ],
        )
        self.key = key
        self._name = name
        self.regions = [region for region, _ in keyed_regions]
        self.target_account_ids = targets
        self.launch_permission_account_ids = launchers

    def _grant_region(
        self,
        region: str,
        region_key: kms.IKey,
        targets: list[str],
        launchers: list[str],
        *,
        grant_auto_scaling: bool,
    ) -> None:
        """The key statements one Region's AMIs need: copies, launch permissions, Auto Scaling (R5)."""
        stack = cdk.Stack.of(self)
        if targets:  # copies: Image Builder acts as the documented role of each target account
            self._grant_ebs_use(
                region_key,
                region,
                sid="AllowDistributionTargetAccounts",
                principals=[iam.AccountPrincipal(account) for account in targets],
                caller_accounts=targets,
                principal_arns=[self._cross_account_role_arn(stack, account) for account in targets],
            )
        if launchers:  # sharing: whoever the launching account lets launch instances
            self._grant_ebs_use(
                region_key,
                region,
                sid="AllowLaunchPermissionAccounts",
                principals=[iam.AccountPrincipal(account) for account in launchers],
                caller_accounts=launchers,
            )
        if grant_auto_scaling:  # opt-in; named by aws:PrincipalArn so that it need not exist yet
            self._grant_ebs_use(
                region_key,
                region,
                sid="AllowAutoScalingServiceLinkedRole",
                principals=[iam.AnyPrincipal()],
                caller_accounts=[stack.account],
                principal_arns=[
                    permissions.service_linked_role_arn(
                        self, "autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling"
                    )
                ],
            )
            permissions.skip_any_principal_check(region_key)

    @property
    def distribution_configuration_arn(self) -> str:
        """The ARN of the distribution configuration."""
        return self.resource.attr_arn

    @property
    def distribution_configuration_name(self) -> str:
        """The name of the distribution configuration."""
        return self._name

    @staticmethod
    def _cross_account_role_arn(stack: cdk.Stack, account: str) -> str:
        """The role Image Builder uses in a target account (cross-account-dist.md, "IAM policies")."""
        return f"arn:{stack.partition}:iam::{account}:role/{CROSS_ACCOUNT_DISTRIBUTION_ROLE}"

    @staticmethod
    def _ami_configuration(
        ami_name: str,
        key: kms.IKey,
        targets: list[str],
        launchers: list[str],
        ami_tags: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        configuration: dict[str, Any] = {"Name": ami_name, "KmsKeyId": keys.arn(key)}
        if targets:
            configuration["TargetAccountIds"] = targets
        if launchers:
            configuration["LaunchPermissionConfiguration"] = {"UserIds": launchers}
        if ami_tags:
            configuration["AmiTags"] = dict(ami_tags)
        return configuration

    @staticmethod
    def _regions_with_keys(
        problems: ValidationProblems,
        stack: cdk.Stack,
        key: kms.IKey,
        regions: Sequence[DistributionRegion] | None,
    ) -> list[tuple[str, kms.IKey]]:
        if not regions:
            return [(stack.region, key)]
        result: list[tuple[str, kms.IKey]] = []
        for target in regions:
            home = target.region == stack.region
            if target.key is None and not home:
                problems.add(
                    f"the AMI copy in {target.region} needs a key in {target.region} (KMS keys are regional)",
                    target.region,
                    "pass DistributionRegion(region, key=ImageBuilderKey.from_key_arn(...)) with a key of "
                    "that Region (e.g. a multi-Region replica)",
                )
                continue
            region_key = (
                key if target.key is None else keys.checked(stack, target.key, "DistributionRegion.key")
            )
            key_region = cdk.Arn.split(keys.arn(region_key), cdk.ArnFormat.SLASH_RESOURCE_NAME).region
            if (
                not tokens.is_unresolved(key_region)
                and not tokens.is_unresolved(target.region)
                and key_region != target.region
            ):
                problems.add(
                    f"the key for {target.region} is in {key_region}",
                    keys.arn(region_key),
                    f"pass a key of {target.region}",
                )
            result.append((target.region, region_key))
        regions_seen = [region for region, _ in result]
        if len(regions_seen) != len(set(regions_seen)):
            problems.add(
                "each Region may appear once", regions_seen, "merge the duplicate DistributionRegions"
            )
        return result

    def _grant_ebs_use(
        self,
        key: kms.IKey,
        region: str,
        *,
        sid: str,
        principals: list[iam.IPrincipal],
        caller_accounts: list[str],
        principal_arns: list[str] | None = None,
    ) -> None:
        conditions: dict[str, dict[str, Any]] = {
            "StringEquals": {
                "kms:ViaService": permissions.via_service(self, "ec2", region),
                "kms:CallerAccount": caller_accounts,
            }
        }
        if principal_arns:
            conditions["ArnEquals"] = {"aws:PrincipalArn": principal_arns}
        keys.add_to_key_policy(
            key,
            iam.PolicyStatement(
                sid=sid,
                principals=principals,
                actions=list(permissions.EBS_KEY_ACTIONS),
                resources=["*"],
                conditions=conditions,
            ),
        )
        keys.add_to_key_policy(
            key,
            iam.PolicyStatement(
                sid=f"{sid}CreateGrant",
                principals=principals,
                actions=list(permissions.EBS_GRANT_ACTIONS),
                resources=["*"],
                conditions={**conditions, "Bool": {"kms:GrantIsForAWSResource": "true"}},
            ),
        )


def _refuse_public(problems: ValidationProblems, *account_lists: object) -> None:
    """``all`` where an account id belongs: EC2's group of every AWS account, a public AMI (R1, R8)."""
    for prop, accounts in zip(
        ("target_account_ids", "launch_permission_account_ids"), account_lists, strict=True
    ):
        if isinstance(accounts, Sequence) and not isinstance(accounts, str) and "all" in accounts:
            problems.add(
                f"{prop} may not hold 'all': EC2's group of every AWS account would make the AMI public, and "
                "everything the build baked into it readable by anyone (R1, R8)",
                "all",
                "name the 12-digit accounts to share with; an AMI of this library stays private",
            )


# SSM parameter names (SsmParameterConfiguration.ParameterName; SSM reserves the prefixes aws and ssm).
_PARAMETER_NAME = re.compile(r"^[a-zA-Z0-9_.\-/]{1,1011}\Z")
_RESERVED = re.compile(r"^/?(aws|ssm)", re.IGNORECASE)


def ssm_parameter_configurations(
    problems: ValidationProblems,
    parameters: Sequence[AmiSsmParameter] | None,
    regions: list[str],
    targets: list[str],
    home: str,
) -> dict[str, list[imagebuilder.CfnDistributionConfiguration.SsmParameterConfigurationProperty]]:
    """The ``SsmParameterConfigurations`` of each Region; our error for a parameter that cannot be written."""
    if parameters is None:
        return {}
    if isinstance(parameters, str) or not isinstance(parameters, Sequence):
        problems.add("ssm_parameters must be a list of AmiSsmParameter", parameters, "wrap it in a list")
        return {}
    found: dict[str, list[imagebuilder.CfnDistributionConfiguration.SsmParameterConfigurationProperty]] = {}
    for parameter in parameters:
        if not isinstance(parameter, AmiSsmParameter):
            problems.add(
                "ssm_parameters must be AmiSsmParameter objects",
                parameter,
                "pass e.g. [AmiSsmParameter('/images/golden/latest')]",
            )
            continue
        if _check_parameter(problems, parameter, regions, targets, home):
            found.setdefault(parameter.region or home, []).append(
                imagebuilder.CfnDistributionConfiguration.SsmParameterConfigurationProperty(
                    parameter_name=parameter.parameter_name,
                    ami_account_id=parameter.account_id,
                    data_type=defaults.SSM_PARAMETER_DATA_TYPE,
                )
            )
    return found


def _check_parameter(
    problems: ValidationProblems,
    parameter: AmiSsmParameter,
    regions: list[str],
    targets: list[str],
    home: str,
) -> bool:
    """Whether Image Builder can write ``parameter``: its name, Region and account (each our error else)."""
    name = parameter.parameter_name
    before = len(problems)
    checks.validate_free_text(problems, "AmiSsmParameter.parameter_name", name)
    if isinstance(name, str) and not tokens.is_unresolved(name):
        if not _PARAMETER_NAME.match(name) or _RESERVED.match(name):
            problems.add(
                "AmiSsmParameter.parameter_name must be 1-1011 letters, digits or _.-/ and may not start "
                "with aws or ssm (SSM reserves them)",
                name,
                "use a name like '/images/golden/latest'",
            )
    if (parameter.region or home) not in regions:
        problems.add(
            "AmiSsmParameter.region is no Region the AMI is distributed to",
            parameter.region or "the stack's Region",
            "name one of the distribution's regions, or add a DistributionRegion for it",
        )
    if parameter.account_id is not None and parameter.account_id not in targets:
        problems.add(
            "AmiSsmParameter.account_id must be one of target_account_ids (Image Builder writes the "
            "parameter in an account that received a copy)",
            parameter.account_id,
            "add the account to target_account_ids, or leave account_id unset for this account",
        )
    return len(problems) == before
