"""Image Builder rules IB1-IB7: numbered non-compliant cases and compliant cases, one stack."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_imagebuilder as ib
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns

from ._helpers import case_test, raw, stack_fixture

IB = "AWS::ImageBuilder::"
DOC = "schemaVersion: 1.0\nphases: []\n"
AWS_ALIAS = "arn:aws:kms:us-west-2:111122223333:alias/aws/imagebuilder"


def component(stack: cdk.Stack, cid: str, **kwargs: object) -> None:
    ib.CfnComponent(stack, cid, name=cid.lower(), platform="Linux", version="1.0.0", data=DOC, **kwargs)  # type: ignore[arg-type]


def build(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    imported = kms.Key.from_key_arn(stack, "Imported", "arn:aws:kms:us-west-2:111122223333:key/abcd")
    param = cdk.CfnParameter(stack, "KeyParam")
    # IB1
    component(stack, "IB1Bad1")
    component(stack, "IB1Bad2", kms_key_id="alias/aws/imagebuilder")
    component(
        stack, "IB1Bad3", kms_key_id=cdk.Fn.join("", ["arn:aws:kms:", cdk.Aws.REGION, ":1:alias/aws/x"])
    )
    raw(stack, "IB1Bad4", f"{IB}Workflow", {"Name": "w", "Version": "1.0.0", "Type": "BUILD", "Data": DOC})
    raw(stack, "IB1Bad5", f"{IB}ContainerRecipe", {"Name": "c", "KmsKeyId": AWS_ALIAS})
    cond = cdk.CfnCondition(stack, "Cond", expression=cdk.Fn.condition_equals("a", "b"))
    component(
        stack, "IB1Bad6", kms_key_id=cdk.Fn.condition_if(cond.logical_id, key.key_arn, AWS_ALIAS).to_string()
    )
    component(stack, "IB1Good1", kms_key_id=key.key_arn)
    component(stack, "IB1Good2", kms_key_id=imported.key_arn)
    raw(stack, "IB1Good3", f"{IB}Workflow", {"Name": "w", "KmsKeyId": param.value_as_string})
    raw(stack, "IB1Good4", f"{IB}ContainerRecipe", {"Name": "c", "KmsKeyId": {"Ref": "Key961B73FD"}})

    # IB2
    def recipe(cid: str, ebs: dict[str, object] | None, container: bool = False) -> None:
        mappings = [{"DeviceName": "/dev/xvda", **({"Ebs": ebs} if ebs is not None else {"NoDevice": ""})}]
        if container:
            raw(
                stack,
                cid,
                f"{IB}ContainerRecipe",
                {"KmsKeyId": key.key_arn, "InstanceConfiguration": {"BlockDeviceMappings": mappings}},
            )
        else:
            raw(stack, cid, f"{IB}ImageRecipe", {"Name": cid, "BlockDeviceMappings": mappings})

    recipe("IB2Bad1", {"VolumeSize": 8})
    recipe("IB2Bad2", {"Encrypted": True})
    recipe("IB2Bad3", {"Encrypted": True, "KmsKeyId": "alias/aws/ebs"})
    recipe("IB2Bad4", {"Encrypted": False, "KmsKeyId": key.key_arn}, container=True)
    recipe("IB2Good1", {"Encrypted": True, "KmsKeyId": key.key_arn})
    recipe("IB2Good2", None)
    recipe("IB2Good3", {"Encrypted": True, "KmsKeyId": key.key_arn}, container=True)

    # IB3
    def distribution(cid: str, *distributions: dict[str, object]) -> None:
        raw(stack, cid, f"{IB}DistributionConfiguration", {"Name": cid, "Distributions": list(distributions)})

    distribution("IB3Bad1", {"Region": "us-west-2", "AmiDistributionConfiguration": {"Name": "a"}})
    distribution(
        "IB3Bad2",
        {"Region": "us-west-2", "AmiDistributionConfiguration": {"KmsKeyId": key.key_arn}},
        {"Region": "eu-west-1", "AmiDistributionConfiguration": {"KmsKeyId": "alias/aws/ebs"}},
    )
    distribution(
        "IB3Good1", {"Region": "us-west-2", "AmiDistributionConfiguration": {"KmsKeyId": key.key_arn}}
    )
    distribution("IB3Good2", {"Region": "us-west-2", "ContainerDistributionConfiguration": {"Tags": ["x"]}})

    # IB4-IB6: infrastructure configurations
    logging = ib.CfnInfrastructureConfiguration.LoggingProperty(
        s3_logs=ib.CfnInfrastructureConfiguration.S3LogsProperty(s3_bucket_name="logs")
    )
    required = ib.CfnInfrastructureConfiguration.InstanceMetadataOptionsProperty(http_tokens="required")
    plain_topic = sns.CfnTopic(stack, "PlainTopic")
    aws_topic = sns.CfnTopic(stack, "AwsTopic", kms_master_key_id="alias/aws/sns")
    good_topic = sns.CfnTopic(stack, "GoodTopic", kms_master_key_id=key.key_arn)

    def infra(cid: str, **kwargs: object) -> None:
        ib.CfnInfrastructureConfiguration(stack, cid, name=cid, instance_profile_name="p", **kwargs)  # type: ignore[arg-type]

    infra("IB4Bad1", logging=logging)
    infra(
        "IB4Bad2",
        logging=logging,
        instance_metadata_options=ib.CfnInfrastructureConfiguration.InstanceMetadataOptionsProperty(
            http_tokens="optional"
        ),
    )
    infra("IB5Bad1", instance_metadata_options=required)
    infra(
        "IB5Bad2",
        instance_metadata_options=required,
        logging=ib.CfnInfrastructureConfiguration.LoggingProperty(),
    )
    infra("IB6Bad1", instance_metadata_options=required, logging=logging, sns_topic_arn=plain_topic.ref)
    infra("IB6Bad2", instance_metadata_options=required, logging=logging, sns_topic_arn=aws_topic.ref)
    infra("IBGood1", instance_metadata_options=required, logging=logging, sns_topic_arn=good_topic.ref)
    infra(
        "IB6Undecided1",  # a topic outside the template: its encryption cannot be read, a warning
        instance_metadata_options=required,
        logging=logging,
        sns_topic_arn="arn:aws:sns:us-west-2:111122223333:elsewhere",
    )

    # IB7
    workflows = [{"WorkflowArn": "arn:aws:imagebuilder:us-west-2:aws:workflow/build/x/1.0.0"}]
    raw(stack, "IB7Bad1", f"{IB}Image", {"Workflows": workflows})
    raw(stack, "IB7Bad2", f"{IB}ImagePipeline", {"Name": "p", "Workflows": workflows})
    raw(
        stack,
        "IB7Good1",
        f"{IB}ImagePipeline",
        {"Name": "p", "Workflows": workflows, "ExecutionRole": "arn:r"},
    )
    raw(stack, "IB7Good2", f"{IB}Image", {"ImageRecipeArn": "arn:x"})


# The infrastructure configurations name an instance profile outside the stack ("p"): IB9 cannot read
# its role (an undecided warning); the images and pipelines set no LoggingConfiguration: IB10 (the group
# Image Builder creates has no key). Both rules' own cases are in tests/nag/test_coverage.py.
CASES = {
    "IB1Bad1": {"IB1"},
    "IB1Bad2": {"IB1"},
    "IB1Bad3": {"IB1"},
    "IB1Bad4": {"IB1"},
    "IB1Bad5": {"IB1"},
    "IB1Bad6": {"IB1"},
    "IB1Good1": set(),
    "IB1Good2": set(),
    "IB1Good3": set(),
    "IB1Good4": set(),
    "IB2Bad1": {"IB2[/dev/xvda]"},
    "IB2Bad2": {"IB2[/dev/xvda]"},
    "IB2Bad3": {"IB2[/dev/xvda]"},
    "IB2Bad4": {"IB2[/dev/xvda]"},
    "IB2Good1": set(),
    "IB2Good2": set(),
    "IB2Good3": set(),
    "IB3Bad1": {"IB3[us-west-2]"},
    "IB3Bad2": {"IB3[eu-west-1]"},
    "IB3Good1": set(),
    "IB3Good2": set(),
    "IB4Bad1": {"IB4", "IB9"},
    "IB4Bad2": {"IB4", "IB9"},
    "IB5Bad1": {"IB5", "IB9"},
    "IB5Bad2": {"IB5", "IB9"},
    "IB6Bad1": {"IB6", "IB9"},
    "IB6Bad2": {"IB6", "IB9"},
    "IBGood1": {"IB9"},
    "IB6Undecided1": {"IB6", "IB9"},
    "IB7Bad1": {"IB7", "IB10[LogGroupName]"},
    "IB7Bad2": {"IB7", "IB10[ImageLogGroupName]", "IB10[PipelineLogGroupName]"},
    "IB7Good1": {"IB10[ImageLogGroupName]", "IB10[PipelineLogGroupName]"},
    "IB7Good2": {"IB10[LogGroupName]"},
}


fired = stack_fixture("IB", build)
test_case = case_test("IB", CASES)
