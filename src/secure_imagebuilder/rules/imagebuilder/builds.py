"""What a build needs, read from a template, and the key requests Image Builder makes for it.

For each pipeline or image: its workflows, components and container recipe with the keys that encrypt
them, its execution role and its build instance role; the requests are evaluated with ``rules.policy``.

The requests are those of the flow matrix (docs/flows.md): ``kms:GenerateDataKey`` and ``kms:Decrypt``
by the execution role on each workflow key under the workflow's ``aws:imagebuilder:arn`` context, called
via Image Builder (CreateWorkflow, GetWorkflow; R13, R14, R16), and ``kms:Decrypt`` by the build
instance role on each component and container-recipe key under the component's context (R10).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from secure_imagebuilder.rules.engine import policy as p
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Resource, Stack
from secure_imagebuilder.rules.imagebuilder import managed

IMAGEBUILDER = "imagebuilder.amazonaws.com"
CONTEXT_KEY = "kms:EncryptionContext:aws:imagebuilder:arn"
WORKFLOW_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
_ALLOW_ALL = p.policy("any identity policy", [{"Effect": "Allow", "Action": "*", "Resource": "*"}])


@dataclass
class Encrypted:
    """A workflow, component or container recipe of the template and the key value that encrypts it."""

    logical_id: str
    key: Any  # the KmsKeyId value as written


@dataclass
class Build:
    """One pipeline or image and what it runs."""

    resource: Resource
    execution_role: Any = None  # the ExecutionRole value as written
    workflows: list[Encrypted] = field(default_factory=list)
    documents: list[Encrypted] = field(default_factory=list)  # components and the container recipe
    instance_role: str | None = None  # logical id of the build instance role


def builds(stack: Stack) -> Iterator[Build]:
    """Every pipeline and image of the stack, followed to what it runs."""
    for resource in stack.resources:
        if resource.type in ("AWS::ImageBuilder::ImagePipeline", "AWS::ImageBuilder::Image"):
            yield _build(resource, stack)


def _build(resource: Resource, stack: Stack) -> Build:
    build = Build(resource, execution_role=v.get(resource.props, "ExecutionRole"))
    for workflow in v.as_list(v.get(resource.props, "Workflows")):
        target = stack.target(v.get(workflow, "WorkflowArn"))
        if target is not None and target.type == "AWS::ImageBuilder::Workflow" and target.logical_id:
            build.workflows.append(Encrypted(target.logical_id, v.get(target.props, "KmsKeyId")))
    recipe = stack.target(
        v.get(resource.props, "ImageRecipeArn") or v.get(resource.props, "ContainerRecipeArn")
    )
    if recipe is not None:
        if recipe.type == "AWS::ImageBuilder::ContainerRecipe" and recipe.logical_id:
            build.documents.append(Encrypted(recipe.logical_id, v.get(recipe.props, "KmsKeyId")))
        for entry in v.as_list(v.get(recipe.props, "Components")):
            component = stack.target(v.get(entry, "ComponentArn"))
            if (
                component is not None
                and component.type == "AWS::ImageBuilder::Component"
                and component.logical_id
            ):
                build.documents.append(Encrypted(component.logical_id, v.get(component.props, "KmsKeyId")))
    build.instance_role = _instance_role(stack, v.get(resource.props, "InfrastructureConfigurationArn"))
    return build


def _instance_role(stack: Stack, infrastructure_arn: Any) -> str | None:
    infrastructure = stack.target(infrastructure_arn)
    if infrastructure is None:
        return None
    profile = stack.target(v.get(infrastructure.props, "InstanceProfileName"))
    if profile is None or profile.type != "AWS::IAM::InstanceProfile":
        return None
    for role in v.as_list(v.get(profile.props, "Roles")):
        target = stack.target(role)
        if target is not None and target.type == "AWS::IAM::Role":
            return target.logical_id
    return None


class Grants:
    """The policy evaluator over one stack's template, and the two sides of a key grant."""

    def __init__(self, stack: Stack) -> None:
        """Resolve the stack's policies once; ``usable`` is False when the template cannot be evaluated."""
        self.stack = stack
        template = {
            "Parameters": dict(stack.parameters),
            "Resources": {
                r.logical_id: {"Type": r.type, "Properties": dict(r.props)}
                for r in stack.resources
                if r.logical_id
            },
        }
        try:
            self.evaluator: p.PolicyEvaluator | None = p.PolicyEvaluator(
                template, managed_policies=managed.DOCUMENTED
            )
        except (NotImplementedError, KeyError, TypeError, ValueError, IndexError):
            self.evaluator = None  # an intrinsic or shape the evaluator does not read: not judged

    def key_logical_ids(self, key: Any) -> list[str]:
        """The keys of this template that a KmsKeyId value can point at (every ``Fn::If`` branch)."""
        found = []
        for value in v.alternatives(key, self.stack.parameters):
            target = self.stack.target(value)
            if target is not None and target.type == "AWS::KMS::Key" and target.logical_id:
                found.append(target.logical_id)
        return found

    def outside_keys(self, key: Any) -> list[Any]:
        """The values of a KmsKeyId that name a key outside the template (not AWS managed, not absent)."""
        found = []
        for value in v.alternatives(key, self.stack.parameters):
            text = v.render(value)
            if value is None or (text is not None and "alias/aws/" in text):
                continue
            target = self.stack.target(value)
            if target is None or target.type != "AWS::KMS::Key":
                found.append(value)
        return found

    def arn(self, logical_id: str) -> str:
        """The ARN of a resource of the template (symbolic account and Region)."""
        assert self.evaluator is not None
        return self.evaluator.resolver.arn(logical_id)

    def role_arn(self, value: Any) -> str | None:
        """The ARN of the role an ``ExecutionRole`` value names, when it can be read."""
        target = self.stack.target(value)
        if target is not None and target.type == "AWS::IAM::Role" and target.logical_id:
            return self.arn(target.logical_id)
        return value if isinstance(value, str) and value.startswith("arn:") else None

    def key_policy_allows(self, key: str, request: p.Request) -> bool:
        """R13: the key policy allows the request itself, or delegates it to the account's IAM."""
        assert self.evaluator is not None
        statements = self.evaluator.resolver.resolve(v.get(self.stack.by_logical_id[key].props, "KeyPolicy"))
        key_policy = p.policy("key policy", v.as_list(v.get(statements, "Statement")), resource_based=True)
        arn = self.arn(key)
        request = p.Request(request.action, request.principal, arn, request.context)
        return p.evaluate(
            request, identity=[_ALLOW_ALL], resource=key_policy, resource_account=p.ACCOUNT, kms_key=True
        ).allowed

    def identity_allows(self, request: p.Request, key: str) -> bool:
        """R14: the principal's own policies allow the request on the key."""
        assert self.evaluator is not None
        return self.evaluator.identity_allows(
            p.Request(request.action, request.principal, self.arn(key), request.context)
        )

    def identity_is_modelled(self, role_logical_id: str | None) -> bool:
        """Whether every managed policy of the role is one whose KMS statements we know."""
        if role_logical_id is None or role_logical_id not in self.stack.by_logical_id:
            return False
        arns = v.as_list(v.get(self.stack.by_logical_id[role_logical_id].props, "ManagedPolicyArns"))
        names = {v.render(arn).rsplit("/", 1)[-1] for arn in arns if v.render(arn)}  # type: ignore[union-attr]
        return not names & managed.UNMODELLED


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
