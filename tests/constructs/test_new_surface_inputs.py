"""Issue 21, "SecureImage, SecureLifecyclePolicy, typed props, helpers, context" and "Keys" (grants): every
mistake seen there is our error naming the construct path, the prop, the value and the fix; none ends in a
traceback, a raw jsii error or a template that is silently wrong.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template
from test_documents import COMPONENT, WORKFLOW_YAML

from conftest import (
    ACCOUNT_REGION,
    make_app,
    make_image_recipe,
    make_infrastructure,
    make_pipeline,
    make_stack,
    our_error,
)
from secure_imagebuilder import (
    EncryptedComponent,
    EncryptedWorkflow,
    ImageBuilderKey,
    ImageBuilderLogBucket,
    Platform,
    RecipeVolume,
    SecureImage,
    SecureLifecyclePolicy,
    WorkflowType,
)
from secure_imagebuilder.testing import assert_compliant

WORKFLOW_ARN = "arn:aws:imagebuilder:us-west-2:111122223333:workflow/test/smoke-tests/1.0.0/1"


def component(stack: cdk.Stack, **props: Any) -> EncryptedComponent:
    base: dict[str, Any] = {
        "name": "hello",
        "version": "1.0.0",
        "platform": Platform.LINUX,
        "data": COMPONENT,
    }
    return EncryptedComponent(stack, "Hello", key=ImageBuilderKey(stack, "Key"), **{**base, **props})


def role(stack: cdk.Stack) -> iam.Role:
    return iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal())


# --- grants on our versioned resources ------------------------------------------------------------


@pytest.mark.parametrize(
    "action", ["imagebuilder:*", "imagebuilder:Get*", "s3:GetObject", "*", "imagebuilder:GetComponent "]
)
def test_a_grant_of_a_wildcard_or_another_service_is_our_error(action: str) -> None:
    our_error(
        lambda s: component(s).grant(role(s), action),
        "TestStack/Hello",
        "grant takes Image Builder actions by name, without wildcards (R1)",
        repr(action),
        "name each action, e.g. 'imagebuilder:GetComponent', or use grant_read(grantee)",
    )


def test_an_imported_resource_checks_its_grants_too() -> None:
    our_error(
        lambda s: EncryptedWorkflow.from_workflow_arn(s, "Smoke", WORKFLOW_ARN).grant(
            role(s), "imagebuilder:*"
        ),
        "TestStack/Smoke",
        "grant takes Image Builder actions by name",
        "'imagebuilder:*'",
        "name each action",
    )


def test_a_grant_without_actions_is_our_error() -> None:
    our_error(
        lambda s: component(s).grant(role(s)),
        "TestStack/Hello",
        "grant needs at least one action",
        "'no actions'",
        "name them, e.g. grant_read(role)",
    )


@pytest.mark.parametrize("grantee", ["builder-role", None])
def test_grant_read_to_a_role_name_is_our_error(grantee: Any) -> None:
    our_error(
        lambda s: component(s).grant_read(grantee),
        "TestStack/Hello",
        "a grant needs a role or other grantable principal",
        repr(grantee),
        "pass the role object, e.g. iam.Role.from_role_arn(scope, id, arn)",
    )


def test_a_grant_by_name_is_granted_exactly() -> None:
    stack = make_stack()
    component(stack).grant(role(stack), "imagebuilder:GetComponent", "imagebuilder:TagResource")
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": ["imagebuilder:GetComponent", "imagebuilder:TagResource"],
                        "Effect": "Allow",
                        "Resource": {"Fn::GetAtt": ["Hello", "Arn"]},
                    }
                ]
            }
        },
    )


# --- SecureLifecyclePolicy --------------------------------------------------------------------------


def lifecycle(stack: cdk.Stack, **props: Any) -> SecureLifecyclePolicy:
    base: dict[str, Any] = {"name": "keep-recent", "recipes": [make_image_recipe(stack)]}
    return SecureLifecyclePolicy(stack, "Lifecycle", **{**base, **props})


@pytest.mark.parametrize(
    ("period", "shown"),
    [
        (cdk.Duration.days(0), "'0 days'"),
        (cdk.Duration.days(366), "'366 days'"),
        (cdk.Duration.days(3650), "'3650 days'"),
        (cdk.Duration.hours(36), "'1 day 12 hours'"),
    ],
)
def test_keep_launched_within_outside_image_builders_limits_is_our_error(
    period: cdk.Duration, shown: str
) -> None:
    our_error(
        lambda s: lifecycle(s, keep_launched_within=period),
        "TestStack/Lifecycle",
        "keep_launched_within must be whole days from 1 to 365 (Image Builder's limits; under a day, AMIs "
        "in use could be deleted, R1)",
        shown,
        "leave it unset (90 days) or pass e.g. Duration.days(30)",
    )


def test_keep_launched_within_at_the_limit_renders_its_days() -> None:
    stack = make_stack()
    lifecycle(stack, keep_launched_within=cdk.Duration.days(365))
    template = Template.from_stack(stack).to_json()
    (policy,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::ImageBuilder::LifecyclePolicy"
    ]
    (detail,) = policy["Properties"]["PolicyDetails"]
    assert detail["ExclusionRules"]["Amis"]["LastLaunched"] == {"Unit": "DAYS", "Value": 365}


def test_one_recipe_instead_of_a_list_is_our_error() -> None:
    our_error(
        lambda s: SecureLifecyclePolicy(s, "Lifecycle", name="keep-recent", recipes=make_image_recipe(s)),
        "TestStack/Lifecycle",
        "recipes must be image recipes, in a list",
        "a EncryptedImageRecipe",
        "wrap it in a list: recipes=[recipe]",
    )


def test_an_execution_role_arn_is_our_error() -> None:
    our_error(
        lambda s: lifecycle(s, execution_role="arn:aws:iam::111122223333:role/lifecycle"),
        "TestStack/Lifecycle",
        "execution_role must be an iam.IRole",
        "'arn:aws:iam::111122223333:role/lifecycle'",
        "pass an iam.Role, or iam.Role.from_role_arn(...)",
    )


# --- SecureImage and the removal policies -----------------------------------------------------------


def image(stack: cdk.Stack, **props: Any) -> SecureImage:
    key = ImageBuilderKey(stack, "Key")
    return SecureImage(
        stack,
        "Image",
        recipe=make_image_recipe(stack, key=key),
        infrastructure=make_infrastructure(stack, key),
        **props,
    )


@pytest.mark.parametrize(
    ("timeout", "shown"),
    [
        (cdk.Duration.hours(36), "'1 day 12 hours'"),
        (cdk.Duration.seconds(5430), "'5430 seconds'"),
        (cdk.Duration.minutes(59), "'59 minutes'"),
    ],
)
def test_an_image_test_timeout_that_is_not_whole_minutes_in_range_is_our_error(
    timeout: cdk.Duration, shown: str
) -> None:
    our_error(
        lambda s: image(s, image_tests_timeout=timeout),
        "TestStack/Image",
        "image_tests_timeout must be 60 to 1440 minutes, whole minutes (Image Builder's limits)",
        shown,
        "leave it unset (720 minutes) or pass e.g. Duration.minutes(90)",
    )


def test_a_whole_minute_timeout_given_in_seconds_is_rendered_in_minutes() -> None:
    stack = make_stack()
    image(stack, image_tests_timeout=cdk.Duration.seconds(5400))
    Template.from_stack(stack).has_resource_properties(
        "AWS::ImageBuilder::Image",
        {"ImageTestsConfiguration": {"ImageTestsEnabled": True, "TimeoutMinutes": 90}},
    )


SNAPSHOT: dict[str, tuple[Callable[[cdk.Stack], object], str]] = {
    "SecureImage": (lambda s: image(s, removal_policy=cdk.RemovalPolicy.SNAPSHOT), "Image"),
    "SecureImagePipeline": (
        lambda s: make_pipeline(s, removal_policy=cdk.RemovalPolicy.SNAPSHOT),
        "Pipeline",
    ),
    "ImageBuilderKey": (
        lambda s: ImageBuilderKey(s, "Key", removal_policy=cdk.RemovalPolicy.SNAPSHOT),
        "Key",
    ),
    "ImageBuilderLogBucket": (
        lambda s: ImageBuilderLogBucket(
            s, "Logs", key=ImageBuilderKey(s, "Key"), removal_policy=cdk.RemovalPolicy.SNAPSHOT
        ),
        "Logs",
    ),
    "EncryptedComponent": (lambda s: component(s, removal_policy=cdk.RemovalPolicy.SNAPSHOT), "Hello"),
    "EncryptedImageRecipe": (
        lambda s: make_image_recipe(s, removal_policy=cdk.RemovalPolicy.SNAPSHOT),
        "Recipe",
    ),
}


@pytest.mark.parametrize("construct", sorted(SNAPSHOT))
def test_a_snapshot_removal_policy_is_our_error(construct: str) -> None:
    build, path = SNAPSHOT[construct]
    our_error(
        build,
        f"TestStack/{path}",
        "removal_policy must be a cdk.RemovalPolicy other than SNAPSHOT (no resource here keeps a snapshot)",
        "<RemovalPolicy.SNAPSHOT: 'SNAPSHOT'>",
        "pass cdk.RemovalPolicy.RETAIN or DESTROY",
    )


@pytest.mark.parametrize("prop", ["image_scanning", "image_tests"])
def test_a_switch_given_as_text_is_our_error(prop: str) -> None:
    our_error(
        lambda s: image(s, **{prop: "false"}),
        "TestStack/Image",
        f"{prop} must be True or False",
        "'false'",
        "pass a bool",
    )


# --- recipes: parent images and volumes ------------------------------------------------------------


def test_a_machine_image_lookup_in_an_environment_agnostic_stack_is_our_error() -> None:
    our_error(
        lambda s: make_image_recipe(s, parent_image=ec2.MachineImage.lookup(name="al2023-ami-*")),
        "TestStack/Recipe",
        "parent_image is an ec2.MachineImage.lookup, which needs a stack with an account and Region",
        "'MachineImage.lookup(...)'",
        "give the stack env=cdk.Environment(account=..., region=...), or pass an image that resolves at "
        "deploy time",
    )


def test_a_machine_image_lookup_in_a_stack_with_an_environment_is_taken() -> None:
    stack = cdk.Stack(make_app(), "TestStack", env=ACCOUNT_REGION)
    make_image_recipe(stack, parent_image=ec2.MachineImage.lookup(name="al2023-ami-*"))
    Template.from_stack(stack).has_resource_properties(
        "AWS::ImageBuilder::ImageRecipe",
        {"ParentImage": "ami-1234"},  # the CDK's offline dummy AMI
    )


@pytest.mark.parametrize("parent", [None, 42])
def test_a_parent_image_that_is_no_image_is_our_error(parent: Any) -> None:
    our_error(
        lambda s: make_image_recipe(s, parent_image=parent),
        "TestStack/Recipe",
        "parent_image must be an ec2.IMachineImage or text",
        repr(parent),
        "pass e.g. aws_managed_image(scope, 'amazon-linux-2023-x86')",
    )


def test_a_block_device_from_a_snapshot_is_our_error_not_dropped() -> None:
    volume = ec2.BlockDevice(
        device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs_from_snapshot("snap-0123456789abcdef0")
    )
    our_error(
        lambda s: make_image_recipe(s, volumes=[volume]),
        "TestStack/Recipe",
        "the volume /dev/xvda is made from a snapshot, which a recipe volume does not take",
        "'snap-0123456789abcdef0'",
        "use ec2.BlockDeviceVolume.ebs(size)",
    )


def test_a_block_device_with_another_key_is_our_error_not_dropped() -> None:
    def build(stack: cdk.Stack) -> object:
        other = ImageBuilderKey(stack, "Other")
        volume = ec2.BlockDevice(device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs(30, kms_key=other))
        return make_image_recipe(stack, volumes=[volume])

    our_error(
        build,
        "TestStack/Recipe",
        "the volume /dev/xvda names another key than the recipe's",
        "'TestStack/Other'",
        "drop kms_key from the block device, or give the recipe that key",
    )


def test_one_volume_instead_of_a_list_is_our_error() -> None:
    our_error(
        lambda s: make_image_recipe(s, volumes=RecipeVolume()),
        "TestStack/Recipe",
        "volumes must be a list",
        "RecipeVolume(device_name='/dev/xvda'",
        "wrap it in a list: volumes=[volume]",
    )


# --- document locations, workflow types, instance types --------------------------------------------


@pytest.mark.parametrize(
    ("location", "what", "shown", "fix"),
    [
        (
            s3.Location(bucket_name="s3://b", object_key="doc.yaml"),
            "the s3.Location's bucket_name is a bucket name, not a URI",
            "'s3://b'",
            "pass s3.Location(bucket_name='b', object_key=...)",
        ),
        (
            s3.Location(bucket_name="my-bucket", object_key="/doc.yaml"),
            "the s3.Location's object_key starts with '/', which makes the URI name another object",
            "'/doc.yaml'",
            "pass object_key='doc.yaml'",
        ),
        (
            "s3://my-bucket//doc.yaml",
            "the uri's object key starts with '/'",
            "'s3://my-bucket//doc.yaml'",
            "drop the leading '/' of the object key",
        ),
        (
            "s3://[/doc.yaml",
            "uri must be an S3 URI 's3://bucket/key'",
            "'s3://[/doc.yaml'",
            "upload the document to S3 and pass its s3:// URI",
        ),
        (
            "s3://s3://my-bucket/doc.yaml",
            "the uri's bucket is no S3 bucket name",
            "'s3://s3://my-bucket/doc.yaml'",
            "write the URI as s3://<bucket>/<key>",
        ),
    ],
)
def test_a_document_location_that_names_another_object_is_our_error(
    location: Any, what: str, shown: str, fix: str
) -> None:
    our_error(lambda s: component(s, data=None, uri=location), "TestStack/Hello", what, shown, fix)


def test_an_s3_location_of_a_bucket_renders_its_uri() -> None:
    stack = make_stack()
    bucket = s3.Bucket(stack, "Documents")
    component(stack, data=None, uri=s3.Location(bucket_name=bucket.bucket_name, object_key="c/hello.yaml"))
    Template.from_stack(stack).has_resource_properties(
        "AWS::ImageBuilder::Component",
        {"Uri": {"Fn::Join": ["", ["s3://", {"Ref": "Documents7E5B2978"}, "/c/hello.yaml"]]}},
    )


def test_a_misspelled_workflow_type_is_our_error() -> None:
    our_error(
        lambda s: EncryptedWorkflow(
            s,
            "Build",
            key=ImageBuilderKey(s, "Key"),
            name="build",
            version="1.0.0",
            workflow_type="Buidl",  # type: ignore[arg-type]
            data=WORKFLOW_YAML,
        ),
        "TestStack/Build",
        "workflow_type must be one of WorkflowType.BUILD, WorkflowType.TEST, WorkflowType.DISTRIBUTION",
        "'Buidl'",
        "pass e.g. workflow_type=WorkflowType.BUILD",
    )


def test_an_imported_workflow_whose_type_disagrees_with_its_arn_is_our_error() -> None:
    our_error(
        lambda s: EncryptedWorkflow.from_workflow_arn(
            s, "Smoke", WORKFLOW_ARN, workflow_type=WorkflowType.BUILD
        ),
        "TestStack/Smoke",
        "workflow_type disagrees with the ARN, which names a TEST workflow",
        "<WorkflowType.BUILD: 'BUILD'>",
        "drop workflow_type (it is read from the ARN)",
    )


def test_an_imported_workflow_of_a_parameter_takes_the_type_given() -> None:
    stack = make_stack()
    arn = cdk.CfnParameter(stack, "Arn").value_as_string
    workflow = EncryptedWorkflow.from_workflow_arn(stack, "Smoke", arn, workflow_type=WorkflowType.TEST)
    assert workflow.workflow_type == WorkflowType.TEST


@pytest.mark.parametrize("name", ["m5large", "M5.large", "m5.", ".large"])
def test_an_instance_type_without_family_and_size_is_our_error(name: str) -> None:
    our_error(
        lambda s: make_infrastructure(s, ImageBuilderKey(s, "Key"), instance_types=[ec2.InstanceType(name)]),
        "TestStack/Infrastructure",
        "instance_types must be EC2 instance types, <family>.<size>",
        repr(name),
        "write the type with its dot, e.g. ec2.InstanceType('m5.large')",
    )


@pytest.mark.parametrize("name", ["m5.large", "c7gn.16xlarge", "u7i-12tb.224xlarge", "mac2-m2pro.metal"])
def test_real_instance_types_are_taken(name: str) -> None:
    stack = make_stack()
    make_infrastructure(stack, ImageBuilderKey(stack, "Key"), instance_types=[ec2.InstanceType(name)])
    Template.from_stack(stack).has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration", {"InstanceTypes": [name]}
    )


@pytest.mark.parametrize("prefix", [None, "", "/", "/logs/"])
def test_a_log_prefix_that_is_no_prefix_is_our_error(prefix: Any) -> None:
    our_error(
        lambda s: make_infrastructure(s, ImageBuilderKey(s, "Key"), log_prefix=prefix),
        "TestStack/Infrastructure",
        "log_prefix must be a key prefix such as 'imagebuilder/' (not empty, no leading '/')",
        repr(prefix),
        "leave it unset ('imagebuilder/') or pass e.g. 'builds/images/'",
    )


# --- the testing helpers and the context keys ------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "warnings", "what", "shown", "fix"),
    [
        (
            None,
            False,
            "scope must be a construct: a stack, a stage or the app",
            "None",
            "assert_compliant(stack)",
        ),
        ("MyStack", False, "scope must be a construct", "'MyStack'", "not its name"),
        ("stack", "no", "warnings must be True or False", "'no'", "pass warnings=True"),
    ],
)
def test_assert_compliant_given_no_construct_or_no_bool_is_our_error(
    scope: Any, warnings: Any, what: str, shown: str, fix: str
) -> None:
    our_error(
        lambda s: assert_compliant(s if scope == "stack" else scope, warnings=warnings),
        "assert_compliant",
        what,
        shown,
        fix,
    )


VERSIONS_FILE = "secure-imagebuilder:versions-file"
RECORD = "secure-imagebuilder:record-versions"


@pytest.mark.parametrize(
    ("context", "what", "shown", "fix"),
    [
        (
            {VERSIONS_FILE: True},
            f"the context key {VERSIONS_FILE} must be the path of the lock file",
            "True",
            f"-c {VERSIONS_FILE}=imagebuilder.versions.json, or leave it unset to turn the lock off",
        ),
        (
            {VERSIONS_FILE: "{lock}", RECORD: "1"},
            f"the context key {RECORD} must be true or false",
            "'1'",
            f"pass -c {RECORD}=true to record new versions",
        ),
        (
            {RECORD: "true"},
            f"the context key {RECORD} asks to record versions, but {VERSIONS_FILE} names no lock file",
            "'true'",
            f"set {VERSIONS_FILE} too (e.g. in cdk.json), or drop {RECORD}",
        ),
    ],
)
def test_a_malformed_version_lock_context_is_our_error_and_writes_nothing(
    context: dict[str, Any], what: str, shown: str, fix: str, tmp_path: pathlib.Path
) -> None:
    context = {
        k: v.format(lock=tmp_path / "lock.json") if isinstance(v, str) else v for k, v in context.items()
    }
    before = pathlib.Path.cwd()
    os.chdir(tmp_path)
    try:
        our_error(component, "TestStack/Hello", what, shown, fix, stack=make_stack(make_app(context=context)))
    finally:
        os.chdir(before)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("record", [True, "TRUE", "true"])
def test_record_versions_as_bool_or_text_records(record: Any, tmp_path: pathlib.Path) -> None:
    lock = tmp_path / "lock.json"
    component(make_stack(make_app(context={VERSIONS_FILE: str(lock), RECORD: record})))
    assert lock.exists()
