"""Which flows of the matrix a stack's policies allow, and whether their near misses are denied.

The evaluator holds the template's policies, the AWS managed policies as documented
(``rules.imagebuilder.managed``) and the identities AWS documents for principals outside the template
(``matrix.documented_identities``). A key outside the template has an unknown key policy: its requests are
denied here unless its owner's statements are given (``external_resource_policies``). Requests the build
instance makes to S3 also pass the S3 gateway endpoint's policy, where the template has one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from secure_imagebuilder.flows.matrix import FLOWS, Flow, documented_identities
from secure_imagebuilder.flows.scene import Scene, scene_of
from secure_imagebuilder.rules.engine.evaluator import PolicyEvaluator
from secure_imagebuilder.rules.engine.model import Stack
from secure_imagebuilder.rules.engine.policy import Decision, Request, Statement
from secure_imagebuilder.rules.imagebuilder import managed


class World:
    """A stack's scene and the evaluator over its policies and the documented outside identities."""

    def __init__(
        self,
        stack: Stack,
        scene: Scene,
        *,
        external_resource_policies: Mapping[str, Sequence[Statement]] | None = None,
    ) -> None:
        """Read the stack's policies once."""
        self.scene = scene
        self.evaluator = PolicyEvaluator(
            stack,
            managed_policies=managed.DOCUMENTED,
            external_identities=documented_identities(scene),
            external_resource_policies=external_resource_policies,
        )

    def decide(self, request: Request) -> Decision:
        """The decision, including the S3 gateway endpoint's policy for the build instance's S3 requests."""
        decision = self.evaluator.decide(request)
        through_endpoint = request.action.startswith("s3:") and request.principal == self.scene.instance_role
        endpoint = self.scene.s3_endpoint_policy
        if decision and through_endpoint and endpoint is not None:
            if not self.evaluator.resource_policy_allows(endpoint, request):
                return Decision(False, "the S3 gateway endpoint's policy does not allow it")
        return decision


@dataclass(frozen=True)
class Outcome:
    """One flow on one stack: each request with its decision, and each near miss with its decision."""

    flow: Flow
    requests: tuple[tuple[Request, Decision], ...]
    near_misses: tuple[tuple[str, Request, Decision], ...]

    @property
    def applies(self) -> bool:
        """Whether the stack has the parts the flow needs."""
        return bool(self.requests)

    @property
    def allowed(self) -> bool | None:
        """Every request allowed (``True``), one denied (``False``), else undecided (``None``)."""
        answers = [decision.allowed for _, decision in self.requests]
        if False in answers:
            return False
        return None if None in answers else True

    @property
    def near_misses_denied(self) -> bool:
        """Every near miss of every request is denied."""
        return all(decision.allowed is False for _, _, decision in self.near_misses)


def outcome(world: World, flow: Flow) -> Outcome:
    """Decide one flow's requests and their near misses."""
    requests = tuple(flow.requests(world.scene))
    misses = tuple(
        (miss.__name__.replace("_", " "), changed, world.decide(changed))
        for request in requests
        for miss in flow.near_misses
        for changed in [miss(request, world.scene)]
    )
    return Outcome(flow, tuple((r, world.decide(r)) for r in requests), misses)


def check(stack: Stack, *, streams_build_log: bool = False) -> list[Outcome]:
    """Every flow of the matrix on one stack (those that do not apply have no requests)."""
    world = World(stack, scene_of(stack, streams_build_log=streams_build_log))
    return [outcome(world, flow) for flow in FLOWS]
