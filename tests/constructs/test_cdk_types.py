"""CDK types in props (issue 14): enums, ec2.InstanceType, events.Schedule, ec2.IMachineImage and
ec2.BlockDevice render what the strings did; the strings still work, with a DeprecationWarning.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk.assertions import Template
from test_documents import COMPONENT, WORKFLOW_YAML

from conftest import make_image_recipe, make_stack
from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedWorkflow,
    ImageBuilderKey,
    Platform,
    SecureImagePipeline,
    SecureInfrastructureConfiguration,
    WorkflowType,
    aws_managed_component,
    aws_managed_image,
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


def test_platform_enum_renders_the_value_and_a_string_is_deprecated() -> None:
    assert _component(Platform.WINDOWS)["Platform"] == "Windows"
    with pytest.warns(
        DeprecationWarning, match=r"platform as a plain string is deprecated: pass Platform.LINUX"
    ):
        assert _component("Linux")["Platform"] == "Linux"


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
    assert _props(stack, "Workflow")["Type"] == "TEST" and workflow.workflow_kind == "TEST"


@pytest.mark.parametrize("bad", [42, "linux", None])
def test_a_platform_that_is_not_one_is_our_error(bad: Any) -> None:
    with pytest.raises(ValueError, match=r"TestStack/C: platform must be one of Linux, Windows, macOS"):
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


def test_instance_types_take_ec2_instance_types_and_strings_are_deprecated() -> None:
    types = [
        ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE),
        ec2.InstanceType("c6i.xlarge"),
    ]
    assert _infrastructure(types)["InstanceTypes"] == ["m5.large", "c6i.xlarge"]
    with pytest.warns(DeprecationWarning, match=r"instance_types as a plain string is deprecated"):
        assert _infrastructure(["m5.large"])["InstanceTypes"] == ["m5.large"]


def _pipeline(**props: Any) -> cdk.Stack:
    stack = make_stack()
    defaults: dict[str, Any] = {
        "name": "pipe",
        "vpc": ec2.Vpc(stack, "V", max_azs=1),
        "parent_image": aws_managed_image(stack, "amazon-linux-2023-x86"),
        "components": [aws_managed_component(stack, "update-linux")],
    }
    SecureImagePipeline(stack, "P", **{**defaults, **props})
    return stack


def test_a_schedule_object_renders_its_cron_and_a_rate_is_our_error() -> None:
    stack = _pipeline(schedule_expression=events.Schedule.cron(hour="4", minute="0", week_day="MON"))
    assert _props(stack, "ImagePipeline")["Schedule"]["ScheduleExpression"] == "cron(0 4 ? * MON *)"
    with pytest.raises(
        ValueError, match=r"TestStack/P: schedule_expression must be a cron expression: got 'rate\(1 day\)'"
    ):
        _pipeline(schedule_expression=events.Schedule.rate(cdk.Duration.days(1)))
    with pytest.warns(DeprecationWarning, match=r"schedule_expression as a plain string is deprecated"):
        _pipeline(schedule_expression="cron(0 4 ? * MON *)")


def test_a_machine_image_is_a_parent_image() -> None:
    stack = make_stack()
    make_image_recipe(stack, "R", parent_image=ec2.MachineImage.latest_amazon_linux2023())
    parent = _props(stack, "ImageRecipe")["ParentImage"]
    assert parent["Ref"].startswith("SsmParameterValueawsserviceamiamazonlinuxlatestal2023")


def test_a_container_pipeline_refuses_a_machine_image() -> None:
    with pytest.raises(
        ValueError, match=r"TestStack/P: a container pipeline's parent_image is a Docker image"
    ):
        _pipeline(container=True, parent_image=ec2.MachineImage.latest_amazon_linux2023())


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


def test_the_old_prop_names_still_work_with_a_warning() -> None:
    stack = make_stack()
    vpc = ec2.Vpc(stack, "V", max_azs=1)
    with pytest.warns(DeprecationWarning, match=r"containers is deprecated: pass container"):
        SecureInfrastructureConfiguration(
            stack, "I", key=ImageBuilderKey(stack, "K"), name="infra", vpc=vpc, containers=True
        )
    assert (
        _props(stack, "InfrastructureConfiguration")["InstanceMetadataOptions"]["HttpPutResponseHopLimit"]
        == 2
    )
    from secure_imagebuilder import ImageBuilderVpcEndpoints

    with pytest.warns(DeprecationWarning, match=r"subnets is deprecated: pass subnet_selection"):
        ImageBuilderVpcEndpoints(
            stack, "E", vpc=vpc, subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        )
    with pytest.raises(TypeError, match=r"containers is the old name of container: pass only container"):
        ImageBuilderVpcEndpoints(stack, "E2", vpc=vpc, container=True, containers=True)
