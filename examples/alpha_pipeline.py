"""The aws-imagebuilder-alpha README's pipeline, made secure by one call before it: apply_secure_defaults."""

import aws_cdk as cdk
from aws_cdk import aws_imagebuilder_alpha as imagebuilder
from cdk_nag import AwsSolutionsChecks

from secure_imagebuilder import ImageBuilderKey
from secure_imagebuilder.alpha import apply_secure_defaults
from secure_imagebuilder.nag import DataProtectionChecks

AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-x86_64"


def build(app: cdk.App, env: cdk.Environment | None = None) -> list[cdk.Stack]:
    """The alpha README's component, recipe, distribution and pipeline with AWS-managed workflows.

    ``env`` pins the stack's account and Region (default: environment-agnostic).
    """
    stack = cdk.Stack(app, "AlphaPipeline", env=env)
    key = ImageBuilderKey(stack, "Key", alias="alias/imagebuilder-alpha")
    apply_secure_defaults(stack, key=key)  # the one line added to the alpha README's code

    component = imagebuilder.Component(
        stack,
        "Component",
        platform=imagebuilder.Platform.LINUX,
        data=imagebuilder.ComponentData.from_json_object(
            {
                "schemaVersion": imagebuilder.ComponentSchemaVersion.V1_0,
                "phases": [
                    {
                        "name": imagebuilder.ComponentPhaseName.BUILD,
                        "steps": [
                            {
                                "name": "secure-setup",
                                "action": imagebuilder.ComponentAction.EXECUTE_BASH,
                                "inputs": {"commands": ['echo "This component data is encrypted with KMS"']},
                            }
                        ],
                    }
                ],
            }
        ),
    )
    image_recipe = imagebuilder.ImageRecipe(
        stack,
        "MyImageRecipe",
        base_image=imagebuilder.BaseImage.from_ssm_parameter_name(AL2023),
        components=[imagebuilder.ComponentConfiguration(component=component)],
    )
    distribution = imagebuilder.DistributionConfiguration(stack, "Distribution")
    distribution.add_ami_distributions(
        imagebuilder.AmiDistribution(ami_name="production-ami-{{ imagebuilder:buildDate }}")
    )
    imagebuilder.ImagePipeline(
        stack,
        "MyImagePipeline",
        recipe=image_recipe,
        distribution_configuration=distribution,
        workflows=[
            imagebuilder.WorkflowConfiguration(
                workflow=imagebuilder.AmazonManagedWorkflow.build_image(stack, "BuildWorkflow")
            ),
            imagebuilder.WorkflowConfiguration(
                workflow=imagebuilder.AmazonManagedWorkflow.test_image(stack, "TestWorkflow")
            ),
        ],
    )
    # One trail per account is the norm (R4); an account without one adds ImageBuilderAuditTrail.
    cdk.Validations.of(stack).acknowledge(
        cdk.Acknowledgment(id="DataProtection-AUD1", reason="The organization trail records these events.")
    )
    return [stack]


if __name__ == "__main__":
    app = cdk.App()
    build(app)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(), DataProtectionChecks(app))
    app.synth()
