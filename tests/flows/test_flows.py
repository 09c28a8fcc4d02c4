"""Every flow of the matrix, against every example's template: allowed; every near miss: denied.

Each example is synthesized once for this module. Keys the app imports are judged with the policy their
owner is asked to add (root + ``key.key_policy_statements()``); principals outside the template hold only
what AWS documents (``matrix.DOCUMENTED_*``). Requests through the S3 gateway endpoint must also pass its
endpoint policy.
"""

from __future__ import annotations

import functools
import importlib
import pathlib
from typing import Any

import pytest
from aws_cdk import aws_kms as kms
from matrix import DOCUMENTED_MANAGED_POLICIES, FLOWS, Flow, documented_identities
from render import render
from scene import Scene, scene_of

from conftest import REPO, make_app
from policy_eval import PolicyEvaluator, TemplateView
from secure_imagebuilder.core import keys
from secure_imagebuilder.rules.engine.policy import Decision, Request

EXAMPLES = sorted(p.stem for p in (REPO / "examples").glob("*.py") if p.stem != "__init__")


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
def world(name: str) -> tuple[Scene, PolicyEvaluator]:
    template, owners = synthesized(name)
    scene = scene_of(name, template)
    evaluator = PolicyEvaluator(
        template,
        managed_policies=DOCUMENTED_MANAGED_POLICIES,
        external_identities=documented_identities(scene),
        external_resource_policies=owners,
    )
    return scene, evaluator


def decide(name: str, request: Request) -> Decision:
    """The decision, including the S3 gateway endpoint's policy for the build instance's S3 requests."""
    scene, evaluator = world(name)
    decision = evaluator.decide(request)
    through_endpoint = request.action.startswith("s3:") and request.principal == scene.instance_role
    if decision and through_endpoint and scene.s3_endpoint_policy is not None:
        if not evaluator.resource_policy_allows(scene.s3_endpoint_policy, request):
            return Decision(False, "the S3 gateway endpoint's policy does not allow it")
    return decision


CASES = [(name, flow) for name in EXAMPLES for flow in FLOWS]


@pytest.mark.parametrize(("name", "flow"), CASES, ids=[f"{n}-{f.id}" for n, f in CASES])
def test_every_flow_is_allowed(name: str, flow: Flow) -> None:
    scene, _ = world(name)
    for request in flow.requests(scene):
        decision = decide(name, request)
        assert decision.allowed, f"{flow.id} in {name}: {request} -> {decision.reason}"


@pytest.mark.parametrize(("name", "flow"), CASES, ids=[f"{n}-{f.id}" for n, f in CASES])
def test_every_near_miss_is_denied(name: str, flow: Flow) -> None:
    scene, _ = world(name)
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
        assert any(list(flow.requests(world(name)[0])) for name in EXAMPLES), f"{flow.id} applies nowhere"


def test_the_pipeline_examples_have_their_parts() -> None:
    """Guards the scene finder: a flow that silently finds nothing would pass vacuously."""
    blueprint = world("blueprint")[0]
    assert blueprint.instance_role and blueprint.components and blueprint.workflows and blueprint.topic
    assert blueprint.log_bucket and blueprint.pipeline_execution_role and blueprint.distributions
    assert world("container_pipeline")[0].container_recipes
    assert world("private_vpc")[0].trail and world("private_vpc")[0].s3_endpoint_policy
    assert any(d.targets for d in world("cross_account")[0].distributions)
    assert len(world("cross_account")[0].distributions) == 2


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
