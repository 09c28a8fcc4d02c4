"""CDK types in props: enums, ec2.InstanceType, events.Schedule, ec2.IMachineImage and ec2.BlockDevice
render their CloudFormation values; a plain string where a type exists is our error naming the type.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk.assertions import Template
from test_documents import COMPONENT, WORKFLOW_YAML

from conftest import make_image_recipe, make_pipeline, make_stack
from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedContainerRecipe,
    EncryptedWorkflow,
    ImageBuilderKey,
    Platform,
    SecureInfrastructureConfiguration,
    WorkflowType,
    aws_managed_component,
)


def _props(stack: cdk.Stack, kind: str) -> dict[str, Any]:
    (found,) = [
        r["Properties"]
        for r in Template.from_stack(stack).to_json()["Resources"].values()
        if r["Type"] == f"AWS::ImageBuilder::{kind}"
    ]
    return found


def _component(platform: Any) -> dict[str, Any]:
    stack = make_stack()
    EncryptedComponent(
        stack,
        "C",
        key=ImageBuilderKey(stack, "K"),
        name="hello",
        version="1.0.0",
        platform=platform,
        data=COMPONENT,
    )
    return _props(stack, "Component")


def test_platform_enum_renders_the_value() -> None:
    assert _component(Platform.WINDOWS)["Platform"] == "Windows"


def test_a_platform_parameter_is_decided_at_deploy_time() -> None:
    stack = make_stack()
    platform = cdk.CfnParameter(stack, "Platform").value_as_string
    EncryptedComponent(
        stack,
        "C",
        key=ImageBuilderKey(stack, "K"),
        name="hello",
        version="1.0.0",
        platform=platform,
        data=COMPONENT,
    )  # type: ignore[arg-type]
    assert _props(stack, "Component")["Platform"] == {"Ref": "Platform"}


def test_workflow_type_enum_renders_the_value() -> None:
    stack = make_stack()
    workflow = EncryptedWorkflow(
        stack,
        "W",
        key=ImageBuilderKey(stack, "K"),
        name="tests",
        version="1.0.0",
        workflow_type=WorkflowType.TEST,
        data=WORKFLOW_YAML,
    )
    assert _props(stack, "Workflow")["Type"] == "TEST" and workflow.workflow_type is WorkflowType.TEST


@pytest.mark.parametrize("bad", [42, "linux", "Linux", None])
def test_a_platform_that_is_not_one_is_our_error(bad: Any) -> None:
    with pytest.raises(
        ValueError,
        match=r"TestStack/C: platform must be one of Platform.LINUX, Platform.WINDOWS, Platform.MACOS: "
        r".*; pass e.g. platform=Platform.LINUX",
    ):
        _component(bad)


def _infrastructure(instance_types: Any) -> dict[str, Any]:
    stack = make_stack()
    SecureInfrastructureConfiguration(
        stack,
        "I",
        key=ImageBuilderKey(stack, "K"),
        name="infra",
        vpc=ec2.Vpc(stack, "V", max_azs=1),
        instance_types=instance_types,
    )
    return _props(stack, "InfrastructureConfiguration")


def test_instance_types_take_ec2_instance_types() -> None:
    types = [
        ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE),
        ec2.InstanceType("c6i.xlarge"),
    ]
    assert _infrastructure(types)["InstanceTypes"] == ["m5.large", "c6i.xlarge"]


@pytest.mark.parametrize(("bad", "shown"), [(["m5.large"], "'m5.large'"), ([42], "42")])
def test_instance_types_that_are_not_instance_types_are_our_error(bad: Any, shown: str) -> None:
    with pytest.raises(
        ValueError,
        match=rf"TestStack/I: instance_types must be ec2.InstanceType objects: got {shown}; "
        r"pass e.g. \[ec2.InstanceType\('m5.large'\)\]",
    ):
        _infrastructure(bad)


def _pipeline(**props: Any) -> cdk.Stack:
    stack = make_stack()
    make_pipeline(stack, "P", **props)
    return stack


def test_a_schedule_object_renders_its_cron_and_a_rate_is_our_error() -> None:
    stack = _pipeline(schedule=events.Schedule.cron(hour="4", minute="0", week_day="MON"))
    assert _props(stack, "ImagePipeline")["Schedule"]["ScheduleExpression"] == "cron(0 4 ? * MON *)"
    with pytest.raises(
        ValueError, match=r"TestStack/P: schedule must be a cron expression: got 'rate\(1 day\)'"
    ):
        _pipeline(schedule=events.Schedule.rate(cdk.Duration.days(1)))
    with pytest.raises(ValueError, match=r"TestStack/P: schedule must be an events.Schedule: got 'cron"):
        _pipeline(schedule="cron(0 4 ? * MON *)")


def test_a_machine_image_is_a_parent_image() -> None:
    stack = make_stack()
    make_image_recipe(stack, "R", parent_image=ec2.MachineImage.latest_amazon_linux2023())
    parent = _props(stack, "ImageRecipe")["ParentImage"]
    assert parent["Ref"].startswith("SsmParameterValueawsserviceamiamazonlinuxlatestal2023")


def test_a_container_recipe_refuses_a_machine_image() -> None:
    stack = make_stack()
    with pytest.raises(ValueError, match=r"TestStack/R: a container recipe's parent_image is a Docker image"):
        EncryptedContainerRecipe(
            stack,
            "R",
            key=ImageBuilderKey(stack, "K"),
            name="box",
            version="1.0.x",
            parent_image=ec2.MachineImage.latest_amazon_linux2023(),  # type: ignore[arg-type]
            components=[aws_managed_component(stack, "update-linux")],
        )


def test_block_devices_become_encrypted_recipe_volumes() -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "K")
    make_image_recipe(
        stack,
        "R",
        key=key,
        volumes=[
            ec2.BlockDevice(
                device_name="/dev/xvda",
                volume=ec2.BlockDeviceVolume.ebs(60, volume_type=ec2.EbsDeviceVolumeType.GP3, throughput=250),
            )
        ],
    )
    (mapping,) = _props(stack, "ImageRecipe")["BlockDeviceMappings"]
    assert mapping["DeviceName"] == "/dev/xvda"
    ebs = mapping["Ebs"]
    assert (ebs["VolumeSize"], ebs["VolumeType"], ebs["Throughput"], ebs["Encrypted"]) == (
        60,
        "gp3",
        250,
        True,
    )
    assert "KmsKeyId" in ebs


def test_an_instance_store_block_device_is_our_error() -> None:
    stack = make_stack()
    with pytest.raises(
        ValueError, match=r"TestStack/R: volumes must be RecipeVolume or EBS ec2.BlockDevice objects"
    ):
        make_image_recipe(
            stack,
            "R",
            volumes=[ec2.BlockDevice(device_name="/dev/sdb", volume=ec2.BlockDeviceVolume.ephemeral(0))],
        )


def test_a_document_location_is_an_s3_location() -> None:
    stack = make_stack()
    bucket = cdk.aws_s3.Bucket(stack, "Docs")
    EncryptedComponent(
        stack,
        "C",
        key=ImageBuilderKey(stack, "K"),
        name="hello",
        version="1.0.0",
        platform=Platform.LINUX,
        uri=cdk.aws_s3.Location(bucket_name=bucket.bucket_name, object_key="components/hello.yaml"),
    )
    assert _props(stack, "Component")["Uri"] == {
        "Fn::Join": [
            "",
            ["s3://", {"Ref": stack.get_logical_id(bucket.node.default_child)}, "/components/hello.yaml"],
        ]
    }
