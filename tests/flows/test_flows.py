"""Every flow of the matrix, against every example's template: allowed; every near miss: denied.

Each example is synthesized once for this module. Keys the app imports are judged with the policy their
owner is asked to add (root + ``key.key_policy_statements()``); principals outside the template hold only
what AWS documents (``matrix.DOCUMENTED_*``). Requests through the S3 gateway endpoint must also pass its
endpoint policy (``flows.check.World``).
"""

from __future__ import annotations

import functools
import importlib
import json
import pathlib
from typing import Any

import pytest
from aws_cdk import aws_kms as kms
from render import render

from conftest import REPO, make_app
from policy_eval import TemplateView
from secure_imagebuilder.core import keys
from secure_imagebuilder.flows.check import World
from secure_imagebuilder.flows.matrix import FLOWS, Flow
from secure_imagebuilder.flows.scene import scene_of
from secure_imagebuilder.rules.engine.evaluator import as_stack
from secure_imagebuilder.rules.engine.policy import Decision, Request

EXAMPLES = sorted(p.stem for p in (REPO / "examples").glob("*.py") if p.stem != "__init__")
CLOUDWATCH_STREAMING = frozenset({"private_vpc"})
"""Examples whose build instance streams its build log to CloudWatch (``cloudwatch_logs=True``)."""


@functools.cache
def synthesized(name: str) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """One example's template and the key policies its imported keys' owners are asked to add."""
    app = make_app()
    (stack,) = importlib.import_module(f"examples.{name}").build(app)
    template: dict[str, Any] = app.synth().get_stack_artifact(stack.artifact_id).template
    resolver = TemplateView(template)
    owners: dict[str, list[dict[str, Any]]] = {}
    for node in stack.node.find_all():
        statements = [] if isinstance(node, kms.Key) else keys.key_policy_statements(node)  # type: ignore[arg-type]
        if hasattr(node, "add_to_resource_policy") and statements:  # an imported kms.IKey with grants
            root = {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{resolver.account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
            arn = str(resolver.resolve(stack.resolve(node.key_arn)))  # type: ignore[attr-defined]
            owners[arn] = [root, *resolver.resolve(statements)]
    return template, owners


@functools.cache
def world(name: str) -> World:
    template, owners = synthesized(name)
    stack = as_stack(template)
    scene = scene_of(stack, name, streams_build_log=name in CLOUDWATCH_STREAMING)
    return World(stack, scene, external_resource_policies=owners)


def decide(name: str, request: Request) -> Decision:
    """The decision, including the S3 gateway endpoint's policy for the build instance's S3 requests."""
    return world(name).decide(request)


CASES = [(name, flow) for name in EXAMPLES for flow in FLOWS]


@pytest.mark.parametrize(("name", "flow"), CASES, ids=[f"{n}-{f.id}" for n, f in CASES])
def test_every_flow_is_allowed(name: str, flow: Flow) -> None:
    scene = world(name).scene
    for request in flow.requests(scene):
        decision = decide(name, request)
        assert decision.allowed, f"{flow.id} in {name}: {request} -> {decision.reason}"


@pytest.mark.parametrize(("name", "flow"), CASES, ids=[f"{n}-{f.id}" for n, f in CASES])
def test_every_near_miss_is_denied(name: str, flow: Flow) -> None:
    scene = world(name).scene
    for request in flow.requests(scene):
        for miss in flow.near_misses:
            changed = miss(request, scene)
            assert changed != request, f"{miss.__name__} changes nothing in {flow.id}"
            decision = decide(name, changed)
            assert not decision.allowed, (
                f"{flow.id} in {name}, {miss.__name__}: {changed} -> {decision.statements}"
            )


def test_every_flow_applies_to_some_example_and_has_a_near_miss() -> None:
    for flow in FLOWS:
        assert flow.near_misses, flow.id
        assert any(list(flow.requests(world(name).scene)) for name in EXAMPLES), f"{flow.id} applies nowhere"


def test_the_pipeline_examples_have_their_parts() -> None:
    """Guards the scene finder: a flow that silently finds nothing would pass vacuously."""
    blueprint = world("blueprint").scene
    assert blueprint.instance_role and blueprint.components and blueprint.workflows and blueprint.topic
    assert blueprint.log_bucket and blueprint.pipeline_execution_role and blueprint.distributions
    assert world("container_pipeline").scene.container_recipes
    assert world("private_vpc").scene.trail and world("private_vpc").scene.s3_endpoint_policy
    assert any(d.targets for d in world("cross_account").scene.distributions)
    assert len(world("cross_account").scene.distributions) == 2


def test_docs_flows_md_is_in_sync() -> None:
    expected = render({name: world(name) for name in EXAMPLES})
    current = (REPO / "docs" / "flows.md").read_text()
    assert current == expected, "docs/flows.md is stale: run `python tests/flows/render.py`"


def test_render_writes_the_doc(tmp_path: pathlib.Path) -> None:
    text = render({name: world(name) for name in EXAMPLES})
    assert all(f"`{flow.id}`" in text for flow in FLOWS)


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_key_policy_names_a_principal_that_may_not_exist(name: str) -> None:
    """KMS rejects a key policy whose principal does not exist: in a fresh account, service-linked roles
    (and other accounts' roles) do not. Key policies name only accounts, roles of the same template, `*`
    (limited by conditions) and service principals."""
    template, _ = synthesized(name)
    resolver = TemplateView(template)
    own_roles = {resolver.arn(lid) for lid, r in resolver.resources.items() if r["Type"] == "AWS::IAM::Role"}
    for lid, key in resolver.of_type("AWS::KMS::Key").items():
        for statement in key["Properties"]["KeyPolicy"]["Statement"]:
            principal = statement.get("Principal", {})
            names = [] if principal == "*" else principal.get("AWS", [])
            for value in names if isinstance(names, list) else [names]:
                root = value.endswith(":root") or value.isdigit()
                assert value == "*" or root or value in own_roles, (
                    f"{name} {lid} {statement.get('Sid')}: {value}"
                )


def test_policies_written_as_json_strings_give_the_same_scene() -> None:
    """CloudFormation takes a trust or endpoint policy as a JSON string: the scene reads it the same."""

    def scenes(name: str) -> tuple[Any, Any]:
        template, _ = synthesized(name)
        stringified = json.loads(json.dumps(template))
        for resource in stringified["Resources"].values():
            properties = resource.get("Properties", {})
            for key in ("AssumeRolePolicyDocument", "PolicyDocument"):
                if resource["Type"] in ("AWS::IAM::Role", "AWS::EC2::VPCEndpoint") and key in properties:
                    properties[key] = json.dumps(properties[key])
        return scene_of(as_stack(template)), scene_of(as_stack(stringified))

    original, rewritten = scenes("blueprint")
    assert rewritten.execution_roles == original.execution_roles != []
    original, rewritten = scenes("private_vpc")
    assert original.s3_endpoint_policy and rewritten.s3_endpoint_policy
    assert len(rewritten.s3_endpoint_policy) == len(original.s3_endpoint_policy)
