"""``SecureLifecyclePolicy``: old AMIs and their snapshots deleted, never a public, shared or in-use one (R1).

Also ``LifecycleExecutionRole``, the role Image Builder assumes for lifecycle actions, shared with
``SecureImage``'s deletion settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from constructs import Construct

from secure_imagebuilder.core import checks, defaults, documents, suppressions, thresholds, tokens
from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.interfaces import IImageRecipe, implements

LIFECYCLE_EXECUTION_POLICY = "service-role/EC2ImageBuilderLifecycleExecutionPolicy"
"""AWS's managed policy for lifecycle execution roles (AWS Managed Policy Reference,
https://docs.aws.amazon.com/aws-managed-policy/latest/reference/EC2ImageBuilderLifecycleExecutionPolicy.html;
Image Builder User Guide, "Lifecycle management prerequisites", image-lifecycle-prerequisites.html, which
has the role trusted by ``imagebuilder.amazonaws.com`` and this policy attached): deprecate, disable,
deregister AMIs and delete snapshots, its EC2 statements only on resources tagged ``CreatedBy: EC2 Image
Builder``. Nothing else is attached."""

KEEP_IMAGES = 5
"""How many of the most recent images a lifecycle policy keeps by default."""

KEEP_LAUNCHED_WITHIN = cdk.Duration.days(90)
"""AMIs launched within this period are in use and never deleted by default."""


class LifecycleExecutionRole(iam.Role):
    """The role Image Builder assumes to run lifecycle actions and image deletion settings (R1).

    Creates one ``AWS::IAM::Role`` trusted by ``imagebuilder.amazonaws.com`` only for this account
    (``aws:SourceAccount``, against the confused deputy problem), with AWS's
    ``EC2ImageBuilderLifecycleExecutionPolicy`` and nothing else.
    """

    def __init__(self, scope: Construct, id: str, *, description: str | None = None) -> None:
        """Create the role.

        :param description: the role's description. Default: - says what the role is for.
        """
        problems = ValidationProblems(scope, id)
        checks.validate_role_props(problems, description=description)
        problems.raise_if_any()
        stack = cdk.Stack.of(scope)
        policy = iam.ManagedPolicy.from_aws_managed_policy_name(LIFECYCLE_EXECUTION_POLICY)
        super().__init__(
            scope,
            id,
            assumed_by=iam.ServicePrincipal(
                defaults.IMAGEBUILDER_SERVICE,
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            ),
            description=description or "EC2 Image Builder lifecycle actions (assumed by Image Builder only)",
            managed_policies=[policy],
        )
        suppressions.acknowledge_value(
            self,
            "AwsSolutions-IAM4",
            "Policy",
            policy.managed_policy_arn,
            "AWS maintains EC2ImageBuilderLifecycleExecutionPolicy for lifecycle execution roles and the "
            "Image Builder user guide requires it; every action is limited to resources tagged "
            "CreatedBy: EC2 Image Builder.",
        )


class SecureLifecyclePolicy(Construct):
    """An ``AWS::ImageBuilder::LifecyclePolicy`` for AMI images with safe defaults (R1).

    Creates the lifecycle policy and, unless ``execution_role`` is given, ``[ExecutionRole]`` a
    :class:`LifecycleExecutionRole`. The one rule:

    - keep the ``keep`` most recent images of the selected recipes or tags (``COUNT`` filter);
    - delete older images with their AMIs and snapshots (``DELETE``, ``IncludeResources`` AMIs and
      snapshots);
    - never touch an AMI that is public, shared with one of ``shared_account_ids``, launched within
      ``keep_launched_within`` (in use), or tagged with one of ``keep_tags``.

    Image Builder cannot exclude "shared with any account": name the accounts you share with.

    Synth-time errors: no selection, ``recipes`` that are not a list of image recipes, ``keep`` outside
    1-1000, ``keep_launched_within`` outside 1-365 whole days, account ids that are not 12 digits,
    sensitive data in the name, description or tags (R8).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        recipes: Sequence[IImageRecipe] | None = None,
        resource_tags: Mapping[str, str] | None = None,
        keep: int = KEEP_IMAGES,
        shared_account_ids: Sequence[str] | None = None,
        keep_launched_within: cdk.Duration = KEEP_LAUNCHED_WITHIN,
        keep_tags: Mapping[str, str] | None = None,
        execution_role: iam.IRole | None = None,
        description: str | None = None,
    ) -> None:
        """Create the lifecycle policy.

        :param name: the policy's name (no sensitive data, R8).
        :param recipes: the image recipes whose images the policy manages (ours, imported or the alpha
            ones), as a list. Default: - none; give ``recipes``, ``resource_tags`` or both.
        :param resource_tags: manage images with these tags. Default: - none.
        :param keep: how many of the most recent images to keep. Default: - 5.
        :param shared_account_ids: never delete AMIs shared with these accounts. Default: - none.
        :param keep_launched_within: never delete AMIs launched within this period, whole days from 1 to
            365 (Image Builder's limit). Default: - 90 days.
        :param keep_tags: never delete AMIs with these tags. Default: - none.
        :param execution_role: the role Image Builder assumes. Default: - a new
            :class:`LifecycleExecutionRole`.
        :param description: a description (no sensitive data, R8). Default: - none.
        """
        super().__init__(scope, id)
        problems = ValidationProblems(self)
        documents.validate_name(problems, name)
        checks.validate_free_text(problems, "description", description)
        checks.validate_tags(problems, resource_tags)
        checks.validate_tags(problems, keep_tags)
        shared = checks.validate_account_ids(problems, "shared_account_ids", shared_account_ids or [])
        checks.require_kinds(
            problems,
            keep=(keep, "int"),
            keep_launched_within=(keep_launched_within, "duration"),
            execution_role=(execution_role, "role"),
        )
        _validate_recipes(problems, recipes)
        problems.raise_if_any()
        if not recipes and not resource_tags:
            problems.add(
                "a lifecycle policy needs a selection", "no recipes and no resource_tags", "pass either"
            )
        if not tokens.is_unresolved(keep) and not thresholds.within(keep, thresholds.LIFECYCLE_COUNT):
            problems.add("keep must be 1 to 1000 images", keep, "keep a few recent images, e.g. 5")
        _validate_launched_within(problems, keep_launched_within)
        problems.raise_if_any()

        self.execution_role = execution_role or LifecycleExecutionRole(self, "ExecutionRole")
        policy = imagebuilder.CfnLifecyclePolicy
        selected = [
            policy.RecipeSelectionProperty(name=r.image_recipe_name, semantic_version=r.image_recipe_version)
            for r in recipes or []
        ]
        self.resource = policy(
            self,
            "Resource",
            name=name,
            description=description,
            execution_role=self.execution_role.role_arn,
            resource_type="AMI_IMAGE",
            status="ENABLED",
            resource_selection=policy.ResourceSelectionProperty(
                recipes=selected or None, tag_map=dict(resource_tags) if resource_tags else None
            ),
            policy_details=[_keep_recent(keep, shared, keep_launched_within, keep_tags)],
        )

    @property
    def lifecycle_policy_arn(self) -> str:
        """The ARN of the lifecycle policy."""
        return self.resource.attr_arn


def _validate_recipes(problems: ValidationProblems, recipes: object) -> None:
    """A list of image recipes (ours, imported or alpha ones); one recipe alone is our error too."""
    if recipes is None:
        return
    if isinstance(recipes, str | Mapping) or not isinstance(recipes, Sequence):
        problems.add(
            "recipes must be image recipes, in a list",
            recipes,
            "wrap it in a list: recipes=[recipe] (EncryptedImageRecipe, imported or alpha ones)",
        )
        return
    for recipe in recipes:
        if not implements(recipe, IImageRecipe):
            problems.add(
                "recipes must be image recipes (ours, imported or the alpha ones)",
                recipe,
                "pass [EncryptedImageRecipe(...)] or EncryptedImageRecipe.from_image_recipe_arn(...)",
            )


def _validate_launched_within(problems: ValidationProblems, period: object) -> None:
    """Whole days within Image Builder's limit: AMIs launched in that time are in use, never deleted."""
    if not isinstance(period, cdk.Duration) or period.is_unresolved():
        return  # require_kinds reported anything but a Duration
    days = period.to_hours(integral=False) / 24
    low, high = thresholds.LIFECYCLE_LAST_LAUNCHED_DAYS
    if days != int(days) or not low <= days <= high:
        problems.add(
            f"keep_launched_within must be whole days from {low} to {high} (Image Builder's limits; under "
            "a day, AMIs in use could be deleted, R1)",
            period.to_human_string(),
            "leave it unset (90 days) or pass e.g. Duration.days(30)",
        )


def _keep_recent(
    keep: int, shared: Sequence[str], launched_within: cdk.Duration, keep_tags: Mapping[str, str] | None
) -> imagebuilder.CfnLifecyclePolicy.PolicyDetailProperty:
    """The one rule: delete images (AMIs and snapshots) beyond the newest ``keep``, with the exclusions.

    Typed L1 property classes throughout: every field here is typed in the L1, so the CDK renders the
    CloudFormation names (``IncludeResources``, ``RetainAtLeast``...) itself.
    """
    policy = imagebuilder.CfnLifecyclePolicy
    return policy.PolicyDetailProperty(
        action=policy.ActionProperty(
            type="DELETE", include_resources=policy.IncludeResourcesProperty(amis=True, snapshots=True)
        ),
        filter=policy.FilterProperty(type="COUNT", value=keep),
        exclusion_rules=policy.ExclusionRulesProperty(
            amis=policy.AmiExclusionRulesProperty(
                is_public=True,
                shared_accounts=list(shared) or None,
                last_launched=policy.LastLaunchedProperty(unit="DAYS", value=launched_within.to_days()),
                tag_map=dict(keep_tags) if keep_tags else None,
            )
        ),
    )
