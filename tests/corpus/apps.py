"""The corpus: templates as users really produce them, each labelled with the findings it should get.

Two sources, both reproducible offline:
- the aws-imagebuilder-alpha 2.275.0a0 L2s and aws-cdk-lib 2.275.0 L1s used as their READMEs and integ
  tests use them (``build_*`` below), synthesized at test time: the library's own output, defaults and
  all, not a copy of anyone's template;
- hand-written CloudFormation in the styles found in public samples (JSON and YAML with short forms,
  parameters, conditions), in tests/corpus/templates/.
Third-party template files are not committed (this workplace keeps public repositories' content out of
our commits); docs/rules.md says so next to the precision/recall table.
"""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
from aws_cdk import aws_imagebuilder as ib
from aws_cdk import aws_imagebuilder_alpha as alpha
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rolesanywhere as ra

AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-x86_64"


def _component_data() -> alpha.ComponentData:
    return alpha.ComponentData.from_json_object(
        {
            "schemaVersion": alpha.ComponentSchemaVersion.V1_0,
            "phases": [
                {
                    "name": alpha.ComponentPhaseName.BUILD,
                    "steps": [
                        {
                            "name": "hello",
                            "action": alpha.ComponentAction.EXECUTE_BASH,
                            "inputs": {"commands": ["echo hello"]},
                        }
                    ],
                }
            ],
        }
    )


def build_alpha_pipeline_defaults(stack: cdk.Stack) -> None:
    """The alpha README's smallest pipeline: a recipe on Amazon Linux 2023, everything else default."""
    recipe = alpha.ImageRecipe(stack, "Recipe", base_image=alpha.BaseImage.from_ssm_parameter_name(AL2023))
    alpha.ImagePipeline(stack, "Pipeline", recipe=recipe)


def build_alpha_component_defaults(stack: cdk.Stack) -> None:
    """A component with inline data and no key."""
    alpha.Component(stack, "Component", platform=alpha.Platform.LINUX, data=_component_data())


def build_alpha_component_with_key(stack: cdk.Stack) -> None:
    """A component encrypted with a rotating customer key (the alpha README's encryption example)."""
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    alpha.Component(stack, "Component", platform=alpha.Platform.LINUX, data=_component_data(), kms_key=key)


def build_alpha_infrastructure_defaults(stack: cdk.Stack) -> None:
    """An infrastructure configuration with the alpha defaults (IMDSv2 required, no S3 logs)."""
    alpha.InfrastructureConfiguration(stack, "Infrastructure")


def build_alpha_distribution_defaults(stack: cdk.Stack) -> None:
    """An AMI distribution with a name and nothing else."""
    distribution = alpha.DistributionConfiguration(stack, "Distribution")
    distribution.add_ami_distributions(alpha.AmiDistribution(ami_name="app-{{ imagebuilder:buildDate }}"))


def build_alpha_lifecycle_defaults(stack: cdk.Stack) -> None:
    """A lifecycle policy deleting AMIs older than 90 days (the generated execution role)."""
    alpha.LifecyclePolicy(
        stack,
        "Lifecycle",
        resource_type=alpha.LifecyclePolicyResourceType.AMI_IMAGE,
        details=[
            alpha.LifecyclePolicyDetail(
                action=alpha.LifecyclePolicyAction(type=alpha.LifecyclePolicyActionType.DELETE),
                filter=alpha.LifecyclePolicyFilter(count_filter=alpha.LifecyclePolicyCountFilter(count=5)),
            )
        ],
        resource_selection=alpha.LifecyclePolicyResourceSelection(tags={"env": "dev"}),
    )


def build_l1_python_property_class(stack: cdk.Stack) -> None:
    """The aws-cdk Python casing bug: an L1 property class inside an any-typed field (aws/aws-cdk#34758)."""
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    ami = ib.CfnDistributionConfiguration.AmiDistributionConfigurationProperty(
        name="app-{{ imagebuilder:buildDate }}", kms_key_id=key.key_arn
    )
    ib.CfnDistributionConfiguration(
        stack,
        "Distribution",
        name="app",
        distributions=[
            ib.CfnDistributionConfiguration.DistributionProperty(
                region="us-east-1", ami_distribution_configuration=ami
            )
        ],
    )


def build_l1_roles_anywhere_defaults(stack: cdk.Stack) -> None:
    """A Roles Anywhere trust anchor and profile written with the L1s and their defaults."""
    ra.CfnTrustAnchor(
        stack,
        "Anchor",
        name="hosts",
        source=ra.CfnTrustAnchor.SourceProperty(
            source_type="AWS_ACM_PCA",
            source_data=ra.CfnTrustAnchor.SourceDataProperty(
                acm_pca_arn="arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555"
            ),
        ),
        enabled=True,
    )
    ra.CfnProfile(stack, "Profile", name="hosts", role_arns=["arn:aws:iam::111122223333:role/hosts"])


APPS: dict[str, Callable[[cdk.Stack], None]] = {
    name.removeprefix("build_"): function
    for name, function in globals().items()
    if name.startswith("build_") and callable(function)
}
