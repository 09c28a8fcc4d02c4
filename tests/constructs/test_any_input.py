"""Whatever a user passes as names, versions, URIs and documents, the library either synthesizes or raises
our error (a ValueError naming the construct path): never another exception (issue 9). The same for the
surfaces added since (issue 21): ``apply_secure_defaults``, ``SecureImage``, ``SecureLifecyclePolicy``, the
CDK-typed props and the version-lock context keys.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_app, make_stack
from secure_imagebuilder import EncryptedComponent, EncryptedWorkflow, ImageBuilderKey, Platform, WorkflowType

TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["hello", "1.0.0", "1.0.0\n", "a b", "x" * 200, "arn:aws:kms:x", "s3://b/k", ""]),
    st.integers(),
    st.none(),
)
DOCUMENT = st.one_of(
    st.text(max_size=200),
    st.dictionaries(
        st.one_of(st.text(max_size=10), st.integers()),
        st.one_of(st.text(max_size=10), st.lists(st.text(max_size=5), max_size=3)),
        max_size=4,
    ),
    st.sampled_from(
        [
            "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: a, action: ExecuteBash}]}]\n",
            "a: &a [1]\nb: *a\n",
            "[]",
            "{",
        ]
    ),
)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _our_error_or_success(build: Any) -> None:
    try:
        build()
    except ValueError as error:
        assert str(error).startswith("TestStack/"), str(error)[:200]


@SETTINGS
@given(name=TEXT, version=TEXT, data=DOCUMENT)
def test_components_synthesize_or_raise_our_error(name: Any, version: Any, data: Any) -> None:
    app = make_app()
    stack = make_stack(app)
    key = ImageBuilderKey(stack, "Key")
    _our_error_or_success(
        lambda: EncryptedComponent(
            stack, "C", key=key, name=name, version=version, platform=Platform.LINUX, data=data
        )
    )


@SETTINGS
@given(name=TEXT, uri=TEXT, workflow_type=st.sampled_from(["BUILD", "TEST", "DISTRIBUTION", "build", ""]))
def test_workflows_from_uris_synthesize_or_raise_our_error(name: Any, uri: Any, workflow_type: str) -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    _our_error_or_success(
        lambda: EncryptedWorkflow(
            stack, "W", key=key, name=name, version="1.0.0", workflow_type=workflow_type, uri=uri
        )
    )


# --- the surfaces issue 21 found open: alpha defaults, SecureImage, SecureLifecyclePolicy, typed props,
# context keys. Each draws good and bad values alike; the answer is a template or our error.

ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5000),
    st.text(max_size=12),
    st.sampled_from(["false", "true", "1", "", "/", "imagebuilder/", "/logs/", "alias/aws/imagebuilder"]),
    st.lists(st.text(max_size=5), max_size=2),
)
DURATION = st.one_of(
    st.builds(cdk.Duration.seconds, st.integers(0, 200_000)),
    st.builds(cdk.Duration.minutes, st.integers(0, 2000)),
    st.builds(cdk.Duration.hours, st.integers(0, 40)),
    st.builds(cdk.Duration.days, st.integers(0, 4000)),
    ANYTHING,
)
REMOVAL = st.one_of(st.sampled_from(list(cdk.RemovalPolicy)), ANYTHING)


def _error_of_ours(build: Any, *prefixes: str) -> None:
    try:
        build()
    except ValueError as error:
        assert str(error).startswith(prefixes or ("TestStack",)), str(error)[:300]


@SETTINGS
@given(
    key=st.sampled_from(["ours", "alias", "managed", "text", None]),
    log_bucket=st.sampled_from(["none", "ours", "unencrypted", "text"]),
    log_prefix=ANYTHING,
    notifications=ANYTHING,
    scope=st.sampled_from(["stack", "construct", "app", None, "text"]),
    twice=st.booleans(),
)
def test_apply_secure_defaults_secures_or_raises_our_error(
    key: Any, log_bucket: str, log_prefix: Any, notifications: Any, scope: Any, twice: bool
) -> None:
    from aws_cdk import aws_imagebuilder_alpha as alpha
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_s3 as s3
    from constructs import Construct

    from secure_imagebuilder import ImageBuilderLogBucket
    from secure_imagebuilder.alpha import apply_secure_defaults

    stack = make_stack()
    keys = {
        "ours": ImageBuilderKey(stack, "Key"),
        "alias": kms.Alias.from_alias_name(stack, "Alias", "alias/builds"),
        "managed": kms.Alias.from_alias_name(stack, "Managed", "alias/aws/imagebuilder"),
        "text": "alias/builds",
        None: None,
    }
    buckets = {
        "none": None,
        "ours": ImageBuilderLogBucket(stack, "Logs", key=ImageBuilderKey(stack, "LogKey")),
        "unencrypted": s3.Bucket(stack, "Plain"),
        "text": "build-logs",
    }
    scopes = {"stack": stack, "construct": Construct(stack, "Images"), "app": stack.node.root, None: None}
    target = scopes.get(scope, scope)
    props = {
        "key": keys[key],
        "log_bucket": buckets[log_bucket],
        "log_prefix": log_prefix,
        "notifications": notifications,
    }

    def build() -> None:
        apply_secure_defaults(target, **props)
        if twice:
            apply_secure_defaults(target, **{**props, "log_prefix": "other/"})
        alpha.InfrastructureConfiguration(stack, "Infrastructure")
        cdk.assertions.Template.from_stack(stack)

    _error_of_ours(build, "TestStack", "apply_secure_defaults")


@SETTINGS
@given(
    timeout=DURATION,
    removal=REMOVAL,
    image_tests=ANYTHING,
    image_scanning=ANYTHING,
    retention=st.one_of(st.none(), ANYTHING),
    tags=st.one_of(
        st.none(), st.dictionaries(st.text(max_size=8), st.text(max_size=12), max_size=2), ANYTHING
    ),
)
def test_secure_image_synthesizes_or_raises_our_error(
    timeout: Any, removal: Any, image_tests: Any, image_scanning: Any, retention: Any, tags: Any
) -> None:
    from conftest import make_image_recipe, make_infrastructure
    from secure_imagebuilder import SecureImage

    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    props = {
        "image_tests_timeout": timeout,
        "removal_policy": removal,
        "image_tests": image_tests,
        "image_scanning": image_scanning,
        "tags": tags,
        **({"log_retention": retention} if retention is not None else {}),
    }

    def build() -> None:
        SecureImage(
            stack,
            "Image",
            recipe=make_image_recipe(stack, key=key),
            infrastructure=make_infrastructure(stack, key),
            **props,
        )
        cdk.assertions.Template.from_stack(stack)

    _error_of_ours(build)


@SETTINGS
@given(
    keep=ANYTHING,
    launched=DURATION,
    recipes=st.sampled_from(["list", "one", "text", "empty", None]),
    shared=st.one_of(
        st.none(), st.lists(st.sampled_from(["111122223333", "1234", "all", ""]), max_size=2), ANYTHING
    ),
    name=TEXT,
)
def test_lifecycle_policies_synthesize_or_raise_our_error(
    keep: Any, launched: Any, recipes: Any, shared: Any, name: Any
) -> None:
    from conftest import make_image_recipe
    from secure_imagebuilder import SecureLifecyclePolicy

    stack = make_stack()
    recipe = make_image_recipe(stack)
    chosen = {"list": [recipe], "one": recipe, "text": "recipe", "empty": [], None: None}[recipes]

    def build() -> None:
        SecureLifecyclePolicy(
            stack,
            "Lifecycle",
            name=name,
            recipes=chosen,
            resource_tags=None if chosen else {"Team": "images"},
            keep=keep,
            keep_launched_within=launched,
            shared_account_ids=shared,
        )
        cdk.assertions.Template.from_stack(stack)

    _error_of_ours(build)


@SETTINGS
@given(
    instance_type=st.one_of(
        st.text(max_size=12), st.sampled_from(["m5.large", "m5large", "c7gn.16xlarge", ""])
    ),
    workflow_type=st.one_of(st.sampled_from(list(WorkflowType)), ANYTHING),
    platform=st.one_of(st.sampled_from(list(Platform)), ANYTHING),
    bucket=st.one_of(st.sampled_from(["my-bucket", "s3://b", "b", "My_Bucket", ""]), st.text(max_size=10)),
    object_key=st.one_of(st.sampled_from(["doc.yaml", "/doc.yaml", "", "a//b"]), st.text(max_size=10)),
)
def test_typed_props_synthesize_or_raise_our_error(
    instance_type: str, workflow_type: Any, platform: Any, bucket: str, object_key: str
) -> None:
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_s3 as s3

    from conftest import make_infrastructure

    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    location = s3.Location(bucket_name=bucket, object_key=object_key)
    _error_of_ours(lambda: make_infrastructure(stack, key, instance_types=[ec2.InstanceType(instance_type)]))
    _error_of_ours(
        lambda: EncryptedWorkflow(
            stack, "W", key=key, name="wf", version="1.0.0", workflow_type=workflow_type, uri=location
        )
    )
    _error_of_ours(
        lambda: EncryptedComponent(
            stack, "C", key=key, name="comp", version="1.0.0", platform=platform, uri=location
        )
    )


@SETTINGS
@given(versions_file=ANYTHING, record=ANYTHING)
def test_version_lock_context_is_read_or_refused_with_our_error(
    versions_file: Any, record: Any, tmp_path_factory: Any
) -> None:
    import os

    folder = tmp_path_factory.mktemp("lock")
    context = {
        **({"secure-imagebuilder:versions-file": versions_file} if versions_file is not None else {}),
        **({"secure-imagebuilder:record-versions": record} if record is not None else {}),
    }
    before = os.getcwd()
    os.chdir(folder)
    try:
        stack = make_stack(make_app(context=context))
        key = ImageBuilderKey(stack, "Key")
        _error_of_ours(
            lambda: EncryptedComponent(
                stack,
                "C",
                key=key,
                name="comp",
                version="1.0.0",
                platform=Platform.LINUX,
                data="schemaVersion: 1.0\nphases: [{name: build, steps: [{name: a, action: ExecuteBash}]}]\n",
            )
        )
    finally:
        os.chdir(before)
    # a lock file is only ever written where a text path names it
    written = [p.name for p in folder.iterdir()]
    assert written in ([], [str(versions_file)]) or not isinstance(versions_file, str), written
