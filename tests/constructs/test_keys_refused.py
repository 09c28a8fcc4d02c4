"""A key known by alias, found by lookup, or managed by AWS is refused wherever a customer managed key is
required, with the fix: import the key by its key ARN (issue 21, "Keys").

KMS authorizes key use on the key ARN, so grants and key-policy conditions on an alias never match;
``Key.from_lookup`` resolves an alias once, with AWS credentials, and caches the answer; an AWS managed
key's policy belongs to AWS and cannot grant Image Builder's roles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_imagebuilder_alpha as alpha
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template
from test_documents import COMPONENT

from conftest import ACCOUNT_REGION, make_app, make_image_recipe, make_infrastructure, our_error
from secure_imagebuilder import (
    DistributionRegion,
    EncryptedComponent,
    ImageBuilderKey,
    ImageBuilderLogGroup,
    Platform,
    SecureDistributionConfiguration,
    SecureImage,
    SecureImagePipeline,
    WorkflowExecutionRole,
)
from secure_imagebuilder.alpha import apply_secure_defaults

LOOKED_UP = "0a1b2c3d-1111-2222-3333-444455556666"
MANAGED = "9f8e7d6c-1111-2222-3333-444455556666"
CONTEXT = {
    "key-provider:account=111122223333:aliasName=alias/builds:region=us-west-2": {"keyId": LOOKED_UP},
    "key-provider:account=111122223333:aliasName=alias/aws/imagebuilder:region=us-west-2": {"keyId": MANAGED},
}
DOCUMENT = {"schemaVersion": "1.0", "phases": [{"name": "build", "steps": []}]}
ALIAS = "is a KMS alias, not a key: KMS authorizes key use on the key ARN"
AWS_MANAGED = "is an AWS managed key, whose key policy AWS owns"
LOOKUP = "is a key found by Key.from_lookup: the alias is resolved once with AWS credentials"
FIX = "import one by its key ARN with ImageBuilderKey.from_key_arn(scope, id, 'arn:<partition>:kms:"

KEYS: dict[str, tuple[Callable[[cdk.Stack], Any], str, str]] = {
    "alias ARN": (
        lambda s: kms.Key.from_key_arn(s, "Imported", "arn:aws:kms:us-west-2:111122223333:alias/builds"),
        ALIAS,
        "'arn:aws:kms:us-west-2:111122223333:alias/builds'",
    ),
    "alias name": (
        lambda s: kms.Alias.from_alias_name(s, "Imported", "alias/builds"),
        ALIAS,
        "'alias/builds'",
    ),
    "alias of a key of this app": (
        lambda s: ImageBuilderKey(s, "Own").add_alias("alias/builds"),
        ALIAS,
        "'TestStack/Own/Alias'",
    ),
    "AWS managed by name": (
        lambda s: kms.Alias.from_alias_name(s, "Imported", "alias/aws/imagebuilder"),
        AWS_MANAGED,
        "'alias/aws/imagebuilder'",
    ),
    "AWS managed by ARN": (
        lambda s: kms.Key.from_key_arn(
            s, "Imported", "arn:aws:kms:us-west-2:111122223333:alias/aws/imagebuilder"
        ),
        AWS_MANAGED,
        "'arn:aws:kms:us-west-2:111122223333:alias/aws/imagebuilder'",
    ),
    "lookup": (
        lambda s: kms.Key.from_lookup(s, "Imported", alias_name="alias/builds"),
        LOOKUP,
        "\"Key.from_lookup(alias_name='alias/builds')\"",
    ),
    "lookup of an AWS managed key": (
        lambda s: kms.Key.from_lookup(s, "Imported", alias_name="alias/aws/imagebuilder"),
        AWS_MANAGED,
        "\"Key.from_lookup(alias_name='alias/aws/imagebuilder')\"",
    ),
}

# Each construct that requires a customer managed key, given ``key``: (build, path, prop).
USERS: dict[str, tuple[Callable[[cdk.Stack, Any], object], str, str]] = {
    "WorkflowExecutionRole": (lambda s, k: WorkflowExecutionRole(s, "Role", key=k), "Role", "key"),
    "EncryptedComponent": (
        lambda s, k: EncryptedComponent(
            s, "Hello", key=k, name="hello", version="1.0.0", platform=Platform.LINUX, data=COMPONENT
        ),
        "Hello",
        "key",
    ),
    "ImageBuilderLogGroup": (
        lambda s, k: ImageBuilderLogGroup(s, "Logs", key=k, log_group_name="/aws/imagebuilder/x"),
        "Logs",
        "key",
    ),
    "SecureDistributionConfiguration": (
        lambda s, k: SecureDistributionConfiguration(s, "Distribution", key=k, name="images"),
        "Distribution",
        "key",
    ),
    "DistributionRegion": (
        lambda s, k: SecureDistributionConfiguration(
            s,
            "Distribution",
            key=ImageBuilderKey(s, "Home"),
            name="images",
            regions=[DistributionRegion("us-west-2"), DistributionRegion("eu-west-1", key=k)],
        ),
        "TestStack",
        "DistributionRegion.key",
    ),
    "SecureImagePipeline": (
        lambda s, k: SecureImagePipeline(
            s,
            "Pipeline",
            name="images",
            key=k,
            recipe=make_image_recipe(s),
            infrastructure=make_infrastructure(s, ImageBuilderKey(s, "BuildKey")),
        ),
        "Pipeline",
        "key",
    ),
    "SecureImage": (
        lambda s, k: SecureImage(
            s,
            "Image",
            key=k,
            recipe=make_image_recipe(s),
            infrastructure=make_infrastructure(s, ImageBuilderKey(s, "BuildKey")),
        ),
        "Image",
        "key",
    ),
    "apply_secure_defaults": (lambda s, k: apply_secure_defaults(s, key=k), "", "key"),
    "alpha Component kms_key": (
        lambda s, k: (
            apply_secure_defaults(s, key=ImageBuilderKey(s, "Defaults")),
            alpha.Component(
                s,
                "Component",
                platform=alpha.Platform.LINUX,
                data=alpha.ComponentData.from_json_object(DOCUMENT),
                kms_key=k,
            ),
        ),
        "Component",
        "kms_key",
    ),
}


def _stack() -> cdk.Stack:
    return cdk.Stack(make_app(context=CONTEXT), "TestStack", env=ACCOUNT_REGION)


@pytest.mark.parametrize("user", sorted(USERS))
@pytest.mark.parametrize("kind", sorted(KEYS))
def test_a_key_by_alias_lookup_or_aws_managed_is_refused_with_the_fix(kind: str, user: str) -> None:
    make_key, what, value = KEYS[kind]
    build, path, prop = USERS[user]
    stack = _stack()
    key = make_key(stack)
    prefix = "TestStack" if path in ("", "TestStack") else f"TestStack/{path}"
    # An alpha constructor runs our injector from Node: jsii hands our ValueError back as a RuntimeError.
    error = RuntimeError if user.startswith("alpha") else ValueError
    our_error(lambda s: build(s, key), prefix, f"{prop} {what}", value, FIX, stack=stack, error=error)


def test_a_key_imported_by_its_key_arn_is_still_taken() -> None:
    stack = _stack()
    key = ImageBuilderKey.from_key_arn(
        stack, "Imported", "arn:aws:kms:us-west-2:111122223333:key/0a1b2c3d-9999-2222-3333-444455556666"
    )
    WorkflowExecutionRole(stack, "Role", key=key)
    Template.from_stack(stack).resource_count_is("AWS::IAM::Role", 1)


def test_a_lookup_not_done_yet_is_refused_by_its_placeholder_id() -> None:
    """Without an environment's feature flags the lookup's ARN has a partition token and the dummy id."""
    app = cdk.App()
    stack = cdk.Stack(app, "TestStack", env=ACCOUNT_REGION)
    key = kms.Key.from_lookup(stack, "Imported", alias_name="alias/builds")
    our_error(
        lambda s: WorkflowExecutionRole(s, "Role", key=key),
        "TestStack/Role",
        f"key {LOOKUP}",
        "'1234abcd-12ab-34cd-56ef-1234567890ab (a lookup not done yet)'",
        FIX,
        stack=stack,
    )
