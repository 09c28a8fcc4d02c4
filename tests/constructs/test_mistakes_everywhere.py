"""Ordinary mistakes on every public construct end in our error: the construct path, the value (shortened,
redacted, an object shown by its type) and the fix; tokens of every kind pass through unchanged (issue 9).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template
from test_documents import COMPONENT, WORKFLOW_YAML

from conftest import make_image_recipe, make_infrastructure, make_pipeline, make_stack
from secure_imagebuilder import (
    BuildInstanceRole,
    EncryptedComponent,
    EncryptedImageRecipe,
    EncryptedWorkflow,
    ImageBuilderAuditTrail,
    ImageBuilderKey,
    ImageBuilderLogBucket,
    ImageBuilderLogGroup,
    ImageBuilderNotificationTopic,
    ImageBuilderVpcEndpoints,
    Platform,
    RolesAnywhereAccess,
    SecureDistributionConfiguration,
    SecureImage,
    SecureImagePipeline,
    SecureInfrastructureConfiguration,
    WorkflowExecutionRole,
    WorkflowType,
    aws_managed_component,
    aws_managed_image,
)

Build = Callable[[cdk.Stack, Any], object]


def our_error(build: Callable[[cdk.Stack], object], path: str, what: str, value: str, fix: str) -> None:
    """``build`` raises our ValueError: ``<path>: <what>: got <value>; <fix>``."""
    with pytest.raises(ValueError) as raised:
        build(make_stack())
    message = str(raised.value)
    assert message.startswith(f"TestStack/{path}: "), message
    assert what in message and f"got {value}" in message and fix in message, message


# --- a key that is not a key, on every construct that takes one -------------------------------------

KEYED: dict[str, Build] = {
    "Component": lambda s, key: EncryptedComponent(
        s, "Component", key=key, name="hello", version="1.0.0", platform=Platform.LINUX, data=COMPONENT
    ),
    "Workflow": lambda s, key: EncryptedWorkflow(
        s,
        "Workflow",
        key=key,
        name="wf",
        version="1.0.0",
        workflow_type=WorkflowType.BUILD,
        data=WORKFLOW_YAML,
    ),
    "Recipe": lambda s, key: EncryptedImageRecipe(
        s,
        "Recipe",
        key=key,
        name="mine",
        version="1.0.x",
        parent_image=aws_managed_image(s, "amazon-linux-2023-x86"),
        components=[aws_managed_component(s, "update-linux")],
    ),
    "Infrastructure": lambda s, key: SecureInfrastructureConfiguration(
        s, "Infrastructure", key=key, name="infra", vpc=ec2.Vpc(s, "Vpc")
    ),
    "Distribution": lambda s, key: SecureDistributionConfiguration(s, "Distribution", key=key, name="dist"),
    "Topic": lambda s, key: ImageBuilderNotificationTopic(s, "Topic", key=key),
    "Bucket": lambda s, key: ImageBuilderLogBucket(s, "Bucket", key=key),
    "LogGroup": lambda s, key: ImageBuilderLogGroup(s, "LogGroup", key=key, log_group_name="/ib/logs"),
    "Trail": lambda s, key: ImageBuilderAuditTrail(s, "Trail", key=key),
    "Pipeline": lambda s, key: make_pipeline(
        s, key=key, recipe=_recipe(s), infrastructure=make_infrastructure(s, ImageBuilderKey(s, "K"))
    ),
    "ExecutionRole": lambda s, key: WorkflowExecutionRole(s, "ExecutionRole", key=key),
    "InstanceRole": lambda s, key: BuildInstanceRole(s, "InstanceRole", key=key),
}


@pytest.mark.parametrize("construct", sorted(KEYED))
@pytest.mark.parametrize(
    ("key", "shown"),
    [("alias/imagebuilder", "'alias/imagebuilder'"), (None, "None")],
)
def test_a_key_that_is_not_a_key_is_our_error(construct: str, key: Any, shown: str) -> None:
    if key is None and construct in ("Pipeline", "ExecutionRole"):
        pytest.skip("the key is optional here")
    our_error(
        lambda s: KEYED[construct](s, key),
        construct,
        "key must be a KMS key",
        shown,
        "your own kms.Key, or ImageBuilderKey.from_key_arn(scope, id, arn)",
    )


def test_a_principal_given_as_key_shows_its_type_not_its_address() -> None:
    our_error(
        lambda s: WorkflowExecutionRole(s, "Role", key=iam.AccountRootPrincipal()),
        "Role",
        "key must be a KMS key",
        "a AccountRootPrincipal",
        "pass an ImageBuilderKey",
    )


# --- IAM's own limits on the roles, checked before CDK's (whose errors name no construct) ------------


@pytest.mark.parametrize(
    ("props", "what", "value"),
    [
        ({"role_name": "r" * 65}, "role_name must be 1-64", "'rrrrrrrrrr"),
        ({"role_name": "has space"}, "role_name must be 1-64", "'has space'"),
        (
            {"max_session_duration": cdk.Duration.hours(13)},
            "max_session_duration must be 1 to 12 hours",
            "'13 hours'",
        ),
        (
            {"max_session_duration": cdk.Duration.minutes(30)},
            "max_session_duration must be 1 to 12 hours",
            "'30 minutes'",
        ),
        ({"max_session_duration": 3600}, "max_session_duration must be a Duration", "3600"),
        ({"description": "d" * 1001}, "description must be text of at most 1000", "'dddd"),
    ],
)
def test_workflow_execution_role_props_are_checked_first(
    props: dict[str, Any], what: str, value: str
) -> None:
    our_error(lambda s: WorkflowExecutionRole(s, "Role", **props), "Role", what, value, "")


def test_build_instance_role_name_is_checked_first() -> None:
    our_error(
        lambda s: BuildInstanceRole(s, "Role", key=ImageBuilderKey(s, "Key"), role_name="x" * 70),
        "Role",
        "role_name must be 1-64",
        "'xxxx",
        "leave it unset for a generated name",
    )


def test_a_role_name_token_passes_through() -> None:
    stack = make_stack()
    name = cdk.CfnParameter(stack, "RoleName").value_as_string
    WorkflowExecutionRole(stack, "Role", role_name=name)
    Template.from_stack(stack).has_resource_properties("AWS::IAM::Role", {"RoleName": {"Ref": "RoleName"}})


# --- the key's own props and grants ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("admins", "value"),
    [
        (iam.AccountRootPrincipal(), "a AccountRootPrincipal"),
        ("arn:aws:iam::111122223333:role/admin", "'arn:aws:iam::111122223333:role/admin'"),
        (["arn:aws:iam::111122223333:role/admin"], "['arn:aws:iam::111122223333:role/admin']"),
    ],
)
def test_admins_must_be_a_list_of_principals(admins: Any, value: str) -> None:
    our_error(
        lambda s: ImageBuilderKey(s, "Key", admins=admins),
        "Key",
        "admins must be a list of principals",
        value,
        "wrap it in a list",
    )


@pytest.mark.parametrize("grantee", [None, "arn:aws:iam::111122223333:role/builder"])
def test_a_grant_to_something_that_is_not_a_principal_is_our_error(grantee: Any) -> None:
    our_error(
        lambda s: ImageBuilderKey(s, "Key").grant_workflow_execution(grantee),
        "Key",
        "a grant needs a role or other grantable principal",
        repr(grantee),
        "pass the role",
    )


def test_a_pending_window_from_a_number_parameter_is_rendered_unchanged() -> None:
    stack = make_stack()
    days = cdk.CfnParameter(stack, "Days", type="Number", default=30).value_as_number
    ImageBuilderKey(stack, "Key", pending_window=cdk.Duration.days(days))
    Template.from_stack(stack).has_resource_properties(
        "AWS::KMS::Key", {"PendingWindowInDays": {"Ref": "Days"}}
    )


def test_list_tokens_pass_through_as_lists() -> None:
    stack = make_stack()
    types = cdk.CfnParameter(stack, "Types", type="List<String>").value_as_list
    SecureInfrastructureConfiguration(
        stack,
        "Infra",
        key=ImageBuilderKey(stack, "Key"),
        name="infra",
        vpc=ec2.Vpc(stack, "Vpc"),
        instance_types=types,
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration", {"InstanceTypes": {"Ref": "Types"}}
    )


def test_an_object_is_shown_by_its_type_and_never_by_its_memory_address() -> None:
    with pytest.raises(ValueError) as raised:
        ImageBuilderKey(make_stack(), "Key", admins=iam.AccountRootPrincipal())  # type: ignore[arg-type]
    assert not re.search(r"0x[0-9a-f]+", str(raised.value))


# --- RolesAnywhereAccess: props of the wrong kind, before any other check reads them ----------------


@pytest.mark.parametrize(
    ("props", "what", "value"),
    [
        ({"session_duration": 3600}, "session_duration must be a Duration", "3600"),
        ({"expiry_notification_threshold": 30}, "expiry_notification_threshold must be a Duration", "30"),
        ({"allowed_subjects": "CN=build"}, "allowed_subjects must map certificate name fields", "'CN=build'"),
        ({"allowed_issuers": ["CN=ca"]}, "allowed_issuers must map certificate name fields", "['CN=ca']"),
        (
            {"session_policy": {"Statement": []}},
            "session_policy must be an iam.PolicyDocument",
            "{'Statement': []}",
        ),
        (
            {"role": "arn:aws:iam::111122223333:role/x"},
            "role must be an IAM role",
            "'arn:aws:iam::111122223333:role/x'",
        ),
    ],
)
def test_roles_anywhere_props_of_the_wrong_kind_are_our_error(
    props: dict[str, Any], what: str, value: str
) -> None:
    our_error(
        lambda s: RolesAnywhereAccess(s, "Access", certificate_bundle="pem", **props),
        "Access",
        what,
        value,
        "",
    )


# --- CDK-typed props given something else: our error before jsii's (which names no construct) -----


def _recipe(s: cdk.Stack) -> EncryptedImageRecipe:
    return make_image_recipe(s)


def _pipeline(s: cdk.Stack, **props: Any) -> SecureImagePipeline:
    pipeline: SecureImagePipeline = make_pipeline(s, **props)
    return pipeline


WRONG_KINDS: list[tuple[str, Callable[[cdk.Stack], object], str, str, str]] = [
    (
        "key removal",
        lambda s: ImageBuilderKey(s, "Key", removal_policy="retain"),
        "Key",
        "removal_policy must be a cdk.RemovalPolicy",
        "'retain'",
    ),
    (
        "key rotation",
        lambda s: ImageBuilderKey(s, "Key", enable_key_rotation="yes"),
        "Key",
        "enable_key_rotation must be True or False",
        "'yes'",
    ),
    (
        "bucket removal",
        lambda s: ImageBuilderLogBucket(s, "Bucket", key=ImageBuilderKey(s, "K"), removal_policy="retain"),
        "Bucket",
        "removal_policy must be a cdk.RemovalPolicy",
        "'retain'",
    ),
    (
        "group retention",
        lambda s: ImageBuilderLogGroup(
            s, "Group", key=ImageBuilderKey(s, "K"), log_group_name="/ib/x", retention=30
        ),
        "Group",
        "retention must be a logs.RetentionDays",
        "30",
    ),
    (
        "infra vpc",
        lambda s: SecureInfrastructureConfiguration(
            s, "Infra", key=ImageBuilderKey(s, "K"), name="infra", vpc="vpc-1"
        ),
        "Infra",
        "vpc must be an ec2.IVpc",
        "'vpc-1'",
    ),
    (
        "infra log bucket",
        lambda s: SecureInfrastructureConfiguration(
            s,
            "Infra",
            key=ImageBuilderKey(s, "K"),
            name="infra",
            vpc=ec2.Vpc(s, "V", max_azs=1),
            log_bucket="logs",
        ),
        "Infra",
        "log_bucket must be an s3.IBucket",
        "'logs'",
    ),
    (
        "infra egress",
        lambda s: SecureInfrastructureConfiguration(
            s,
            "Infra",
            key=ImageBuilderKey(s, "K"),
            name="infra",
            vpc=ec2.Vpc(s, "V", max_azs=1),
            egress_peer="0.0.0.0/0",
        ),
        "Infra",
        "egress_peer must be an ec2.IPeer",
        "'0.0.0.0/0'",
    ),
    (
        "endpoints vpc",
        lambda s: ImageBuilderVpcEndpoints(s, "Endpoints", vpc="vpc-1"),
        "Endpoints",
        "vpc must be an ec2.IVpc",
        "'vpc-1'",
    ),
    (
        "endpoints clients",
        lambda s: ImageBuilderVpcEndpoints(s, "Endpoints", vpc=ec2.Vpc(s, "V", max_azs=1), clients="sg-1"),
        "Endpoints",
        "clients must be a list of ec2.IConnectable",
        "'sg-1'",
    ),
    (
        "distribution regions",
        lambda s: SecureDistributionConfiguration(
            s, "Dist", key=ImageBuilderKey(s, "K"), name="dist", regions="eu-west-1"
        ),
        "Dist",
        "regions must be a list of DistributionRegion",
        "'eu-west-1'",
    ),
    (
        "pipeline infrastructure",
        lambda s: _pipeline(s, infrastructure="vpc-1"),
        "Pipeline",
        "infrastructure must be an IInfrastructureConfiguration",
        "'vpc-1'",
    ),
    (
        "pipeline description",
        lambda s: _pipeline(s, description=42),
        "Pipeline",
        "description must be text",
        "42",
    ),
    (
        "pipeline tags",
        lambda s: _pipeline(s, tags=["project"]),
        "Pipeline",
        "tags must be a mapping",
        "['project']",
    ),
    (
        "pipeline retention",
        lambda s: _pipeline(s, log_retention=30),
        "Pipeline",
        "log_retention must be a logs.RetentionDays",
        "30",
    ),
    (
        "image timeout",
        lambda s: SecureImage(
            s,
            "Image",
            recipe=_recipe(s),
            infrastructure=SecureInfrastructureConfiguration(
                s, "Infra", key=ImageBuilderKey(s, "K"), name="infra", vpc=ec2.Vpc(s, "V", max_azs=1)
            ),
            image_tests_timeout=90,
        ),
        "Image",
        "image_tests_timeout must be a cdk.Duration",
        "90",
    ),
    (
        "image recipe arn",
        lambda s: SecureImage(
            s,
            "Image",
            recipe="arn:aws:imagebuilder:us-east-1:111122223333:image-recipe/x/1.0.0",
            infrastructure=SecureInfrastructureConfiguration(
                s, "Infra", key=ImageBuilderKey(s, "K"), name="infra", vpc=ec2.Vpc(s, "V", max_azs=1)
            ),
        ),
        "Image",
        "recipe must be an IImageRecipe or IContainerRecipe",
        "'arn:aws:imagebuilder",
    ),
]


@pytest.mark.parametrize(
    ("case", "build", "path", "what", "value"), WRONG_KINDS, ids=[c[0] for c in WRONG_KINDS]
)
def test_a_cdk_typed_prop_given_something_else_is_our_error(
    case: str, build: Callable[[cdk.Stack], object], path: str, what: str, value: str
) -> None:
    our_error(build, path, what, value, "")


LIFECYCLE: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "recipes",
        {"recipes": "arn:aws:imagebuilder:us-east-1:111122223333:image-recipe/x/1.0.0"},
        "recipes must be image recipes",
        "'arn:aws:imagebuilder",
    ),
    ("keep", {"resource_tags": {"a": "b"}, "keep": "5"}, "keep must be a whole number", "'5'"),
    (
        "launched",
        {"resource_tags": {"a": "b"}, "keep_launched_within": 90},
        "keep_launched_within must be a cdk.Duration",
        "90",
    ),
    (
        "role",
        {"resource_tags": {"a": "b"}, "execution_role": "arn:aws:iam::111122223333:role/x"},
        "execution_role must be an iam.IRole",
        "'arn:aws:iam",
    ),
]


@pytest.mark.parametrize(("case", "props", "what", "value"), LIFECYCLE, ids=[c[0] for c in LIFECYCLE])
def test_lifecycle_props_of_the_wrong_kind_are_our_error(
    case: str, props: dict[str, Any], what: str, value: str
) -> None:
    from secure_imagebuilder import SecureLifecyclePolicy

    our_error(
        lambda s: SecureLifecyclePolicy(s, "Lifecycle", name="lifecycle", **props),
        "Lifecycle",
        what,
        value,
        "",
    )


def test_a_number_parameter_for_keep_passes_through() -> None:
    from secure_imagebuilder import SecureLifecyclePolicy

    stack = make_stack()
    keep = cdk.CfnParameter(stack, "Keep", type="Number", default=5).value_as_number
    SecureLifecyclePolicy(stack, "Lifecycle", name="lifecycle", resource_tags={"a": "b"}, keep=keep)
