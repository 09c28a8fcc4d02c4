"""What a build needs, read from a template, and the key requests Image Builder makes for it.

For each pipeline or image: its workflows, components and container recipe with the keys that encrypt
them, its execution role and its build instance roles, every ``Fn::If`` branch and parameter value
included (the value model). The requests are those of the flow matrix (docs/flows.md):
``kms:GenerateDataKey`` and ``kms:Decrypt`` by the execution role on each workflow key under the
workflow's ``aws:imagebuilder:arn`` context, called via Image Builder (CreateWorkflow, GetWorkflow; R13,
R14, R16), and ``kms:Decrypt`` by the build instance role on each component and container-recipe key
under the component's context (R10). They are *requirements*: each must be allowed in every alternative
of the template; an alternative that cannot be decided is an undecided finding, never a pass.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from secure_imagebuilder.rules.common import key_problem, symbolic_arn
from secure_imagebuilder.rules.engine import policy as p
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.evaluator import PolicyEvaluator
from secure_imagebuilder.rules.engine.model import Resource, Stack, Undecided
from secure_imagebuilder.rules.imagebuilder import managed

IMAGEBUILDER = "imagebuilder.amazonaws.com"
CONTEXT_KEY = "kms:EncryptionContext:aws:imagebuilder:arn"
WORKFLOW_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
_ALLOW_ALL = p.policy("any identity policy", [{"Effect": "Allow", "Action": "*", "Resource": "*"}])


@dataclass
class Encrypted:
    """A workflow, component or container recipe of the template and the key values that encrypt it."""

    logical_id: str
    keys: list[Any]  # every value KmsKeyId can take


@dataclass
class Build:
    """One pipeline or image and what it runs."""

    resource: Resource
    execution_roles: list[Any] = field(default_factory=list)  # every value ExecutionRole can take
    workflows: list[Encrypted] = field(default_factory=list)
    documents: list[Encrypted] = field(default_factory=list)  # components and the container recipe
    instance_roles: list[str] = field(default_factory=list)  # logical ids of the build instance roles


def builds(stack: Stack) -> Iterator[Build]:
    """Every pipeline and image of the stack, followed to what it runs."""
    for resource in stack.resources:
        if resource.type in ("AWS::ImageBuilder::ImagePipeline", "AWS::ImageBuilder::Image"):
            yield _build(resource, stack)


def _targets(value: Any, stack: Stack, kind: str) -> list[Resource]:
    """The resources of ``kind`` that a value (in any of its alternatives) points at."""
    found = []
    for alternative in v.alternatives(value, stack):
        target = stack.target(alternative)
        if target is not None and target.type == kind and target.logical_id and target not in found:
            found.append(target)
    return found


def _encrypted(resource: Resource, stack: Stack) -> Encrypted:
    return Encrypted(str(resource.logical_id), v.reach(resource.props, "KmsKeyId", stack=stack))


def _build(resource: Resource, stack: Stack) -> Build:
    roles = [r for r in v.reach(resource.props, "ExecutionRole", stack=stack) if r is not v.ABSENT]
    build = Build(resource, execution_roles=roles)
    for workflows in v.reach(resource.props, "Workflows", stack=stack):
        for entry in v.as_list(workflows):
            for arn in v.reach(entry, "WorkflowArn", stack=stack):
                for workflow in _targets(arn, stack, "AWS::ImageBuilder::Workflow"):
                    build.workflows.append(_encrypted(workflow, stack))
    for prop, kind in (
        ("ImageRecipeArn", "AWS::ImageBuilder::ImageRecipe"),
        ("ContainerRecipeArn", "AWS::ImageBuilder::ContainerRecipe"),
    ):
        for recipe in _targets(v.get(resource.props, prop), stack, kind):
            if kind == "AWS::ImageBuilder::ContainerRecipe":
                build.documents.append(_encrypted(recipe, stack))
            for components in v.reach(recipe.props, "Components", stack=stack):
                for entry in v.as_list(components):
                    for arn in v.reach(entry, "ComponentArn", stack=stack):
                        for component in _targets(arn, stack, "AWS::ImageBuilder::Component"):
                            build.documents.append(_encrypted(component, stack))
    for infrastructure in _targets(
        v.get(resource.props, "InfrastructureConfigurationArn"),
        stack,
        "AWS::ImageBuilder::InfrastructureConfiguration",
    ):
        for profile in _targets(
            v.get(infrastructure.props, "InstanceProfileName"), stack, "AWS::IAM::InstanceProfile"
        ):
            for roles_value in v.reach(profile.props, "Roles", stack=stack):
                for role in v.as_list(roles_value):
                    build.instance_roles += [
                        str(r.logical_id) for r in _targets(role, stack, "AWS::IAM::Role")
                    ]
    return build


@dataclass
class InstanceRoles:
    """The roles of one infrastructure configuration's instance profile, and what names one elsewhere."""

    roles: list[Resource] = field(default_factory=list)
    outside: list[Any] = field(default_factory=list)  # a profile or role outside the template


def instance_roles(infrastructure: Resource, stack: Stack) -> InstanceRoles:
    """The build instance roles of an infrastructure configuration, in every alternative.

    ``InstanceProfileName`` names a profile of the template by ``Ref`` or by its ``InstanceProfileName``;
    the profile's ``Roles`` name roles by ``Ref`` or by ``RoleName``. A name of neither (an existing
    profile or role, a parameter, an import) is outside the template.
    """
    found = InstanceRoles()
    for value in v.reach(infrastructure.props, "InstanceProfileName", stack=stack):
        if value is v.ABSENT:
            continue
        profile = _named(value, stack, "AWS::IAM::InstanceProfile", "InstanceProfileName")
        if profile is None:
            found.outside.append(value)
            continue
        for roles in v.reach(profile.props, "Roles", stack=stack):
            for item in v.as_list(roles):
                for role_value in v.alternatives(item, stack):
                    role = _named(role_value, stack, "AWS::IAM::Role", "RoleName")
                    if role is None:
                        found.outside.append(role_value)
                    elif role not in found.roles:
                        found.roles.append(role)
    return found


def _named(value: Any, stack: Stack, kind: str, name_property: str) -> Resource | None:
    """The resource of ``kind`` that a reference or a physical name points at, if it is in the template."""
    target = stack.target(value)
    if target is not None:
        return target if target.type == kind else None
    if not isinstance(value, str):
        return None
    for resource in stack.resources:
        if resource.type == kind and value in v.reach(resource.props, name_property, stack=stack):
            return resource
    return None


_BUILD_ROLES: weakref.WeakKeyDictionary[Stack, dict[str, list[str]]] = weakref.WeakKeyDictionary()


def build_roles(stack: Stack) -> dict[str, list[str]]:
    """Logical id of each build instance role -> the infrastructure configurations that use it."""
    if stack not in _BUILD_ROLES:
        found: dict[str, list[str]] = {}
        for resource in stack.resources:
            if resource.type == "AWS::ImageBuilder::InfrastructureConfiguration" and resource.logical_id:
                for role in instance_roles(resource, stack).roles:
                    found.setdefault(str(role.logical_id), []).append(resource.logical_id)
        _BUILD_ROLES[stack] = found
    return _BUILD_ROLES[stack]


class Grants:
    """The policy evaluator over one stack's template, and the requirements of its builds."""

    def __init__(self, stack: Stack) -> None:
        """Read the stack's policies once (every alternative, through the value model)."""
        self.stack = stack
        self.evaluator = PolicyEvaluator(stack, managed_policies=managed.DOCUMENTED)

    def key_logical_ids(self, keys: list[Any]) -> list[str]:
        """The keys of this template that a KmsKeyId can point at (every alternative)."""
        found = []
        for value in keys:
            target = self.stack.target(value)
            if target is not None and target.type == "AWS::KMS::Key" and target.logical_id:
                found.append(target.logical_id)
        return found

    def outside_keys(self, keys: list[Any]) -> list[Any]:
        """The values of a KmsKeyId that name a key outside the template (not AWS managed, not absent)."""
        found = []
        for value in keys:
            if key_problem(value) is not None:
                continue
            target = self.stack.target(value)
            if target is None or target.type != "AWS::KMS::Key":
                found.append(value)
        return found

    def arn(self, logical_id: str) -> str:
        """The ARN of a resource of the template (symbolic account and Region)."""
        return symbolic_arn(self.stack, logical_id)

    def role_arns(self, values: list[Any]) -> list[str | v.Unknown]:
        """The ARN of the role each ``ExecutionRole`` value names, or the Unknown it is."""
        found: list[str | v.Unknown] = []
        for value in values:
            target = self.stack.target(value)
            if target is not None and target.type == "AWS::IAM::Role" and target.logical_id:
                found.append(self.arn(target.logical_id))
            elif isinstance(value, str) and value.startswith("arn:"):
                found.append(value)
            elif isinstance(value, str):
                found.append(f"arn:{p.PARTITION}:iam::{p.ACCOUNT}:role/{value}")
            elif isinstance(value, v.Unknown):
                found.append(value)
        return found

    def key_policy_allows(self, key: str, request: p.Request) -> p.Tri:
        """R13: the key policy allows the request itself, or delegates it to the account's IAM."""
        found = self.evaluator.resource_policies.get(self.arn(key))
        if found is None:
            return None
        request = p.Request(request.action, request.principal, self.arn(key), request.context)
        return required(
            p.evaluate(
                request, identity=[_ALLOW_ALL], resource=policy, resource_account=p.ACCOUNT, kms_key=True
            )
            for policy in found[0].alternatives
        )

    def identity_allows(self, request: p.Request, key: str) -> p.Tri:
        """R14: the principal's own policies (capped by its boundary) allow the request on the key."""
        request = p.Request(request.action, request.principal, self.arn(key), request.context)
        return required(self.evaluator.identity_outcomes(request))

    def allows(self, request: p.Request, key: str) -> p.Tri:
        """Both sides together, as KMS decides."""
        request = p.Request(request.action, request.principal, self.arn(key), request.context)
        return required(self.evaluator.outcomes(request))


def required(decisions: Any) -> p.Tri:
    """A requirement over every alternative: ``False`` if one denies, ``None`` if one is undecided."""
    result: p.Tri = True
    for decision in decisions:
        if decision.allowed is False:
            return False
        if decision.allowed is None:
            result = None
    return result


def required_all(values: Iterable[p.Tri]) -> p.Tri:
    """Several requirements together: ``False`` if one fails, ``None`` if one is undecided."""
    return p.all_of(values)


def verdict(logical_id: str, allowed: p.Tri, found: dict[str, str | Undecided]) -> None:
    """Record a requirement's outcome for one workflow or document: a violation, or undecided."""
    if allowed is False:
        found[logical_id] = logical_id
    elif allowed is None and logical_id not in found:
        found[logical_id] = Undecided(
            logical_id, reason="the grant depends on a value only known at deploy time"
        )


_CACHE: weakref.WeakKeyDictionary[Stack, Grants] = weakref.WeakKeyDictionary()


def grants(stack: Stack) -> Grants:
    """The stack's evaluator, built once per stack."""
    if stack not in _CACHE:
        _CACHE[stack] = Grants(stack)
    return _CACHE[stack]


def workflow_requests(role_arn: str, workflow_arn: str) -> list[p.Request]:
    """CreateWorkflow and GetWorkflow's key calls by the execution role (R16)."""
    context: Mapping[str, Any] = {CONTEXT_KEY: workflow_arn, "aws:CalledVia": [IMAGEBUILDER]}
    return [p.Request(action, role_arn, "", context) for action in WORKFLOW_ACTIONS]


def document_request(role_arn: str, document_arn: str) -> p.Request:
    """The build instance's GetComponent/GetContainerRecipe decrypt, through Image Builder (R10)."""
    return p.Request(
        "kms:Decrypt", role_arn, "", {CONTEXT_KEY: document_arn, "aws:CalledVia": [IMAGEBUILDER]}
    )
