"""IB9: the build instance role reaches only what the build needs (R1)."""

from __future__ import annotations

from secure_imagebuilder.core.thresholds import BROAD_MANAGED_POLICIES
from secure_imagebuilder.rules.engine.evaluator import AWS_MANAGED
from secure_imagebuilder.rules.engine.model import (
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Undecided,
    Violation,
)
from secure_imagebuilder.rules.iam import broad
from secure_imagebuilder.rules.imagebuilder.builds import build_roles, instance_roles

OUTSIDE = "the instance profile or its role is outside the template: its permissions cannot be read here"


def build_role_scoped(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per policy (and statement) through which a build instance role reaches data of others.

    A role is a build instance role when it is in the instance profile of an infrastructure
    configuration of the template: component code, often third-party, runs with its credentials. The
    evaluator asks its policies (inline, attached, AWS managed as ``rules/imagebuilder/managed.py``
    documents them, within its permissions boundary, every alternative) for requests on resources nobody
    named (``engine.access.BROAD``): every action, ``s3:GetObject``/``s3:PutObject`` on an object of an
    unnamed bucket, ``kms:Decrypt`` with an unnamed key, ``secretsmanager:GetSecretValue`` of an unnamed
    secret. AWS managed policies of ``core.thresholds.BROAD_MANAGED_POLICIES`` (AdministratorAccess,
    PowerUserAccess, ReadOnlyAccess, AmazonS3FullAccess, AmazonS3ReadOnlyAccess, AmazonInspectorFullAccess,
    SecretsManagerReadWrite, AmazonEC2RoleforSSM) are reported by name; EC2InstanceProfileForImageBuilder,
    ...ECRContainerBuilds, AmazonSSMManagedInstanceCore and CloudWatchAgentServerPolicy reach none of
    these (each as https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ publishes it). A
    managed policy this pack does not document may: an undecided warning names it. On an
    infrastructure configuration whose instance profile or role is outside the template: undecided.
    """
    if resource.type == "AWS::ImageBuilder::InfrastructureConfiguration":
        outside = instance_roles(resource, stack).outside
        return [Undecided("", outside[0], OUTSIDE)] if outside else []
    if resource.logical_id not in build_roles(stack):
        return []
    ev = broad.evaluator(stack)
    principal = ev.arn(str(resource.logical_id))
    found = broad.broad_grants(stack, principal)
    results: dict[str, Violation | Undecided] = {}
    for source in ev.identities.get(principal, []):
        if source.label.startswith(AWS_MANAGED) and source.name in BROAD_MANAGED_POLICIES:
            reach = BROAD_MANAGED_POLICIES[source.name]
            results[source.name] = Violation(source.name, f"{source.name} allows {reach}")
    for name, whats in broad.sure(found).items():
        results.setdefault(name, Violation(name, f"{name or 'a policy'} {_joined(whats)}"))
    for name, whats in broad.maybe(found).items():
        reason = f"{name or 'a policy'} may allow what the build should not ({_joined(whats)})"
        results.setdefault(name, Undecided(name, reason=reason))
    return list(results.values())


def _joined(whats: list[str]) -> str:
    return "; ".join(whats)


RULE = Rule(
    id="IB9",
    level=Level.ERROR,
    refs=("R1",),
    info=(
        "The build instance role can read or change data of others: every bucket, every key, every "
        "secret or every action, granted by a broad AWS managed policy or a statement on '*' resources."
    ),
    explanation=(
        "R1: component code runs with the build instance role; keep EC2InstanceProfileForImageBuilder (or "
        "...ECRContainerBuilds) and AmazonSSMManagedInstanceCore, and grant what the components need on "
        "named resources (the bucket and prefix they read, the key of their documents); detach "
        "AmazonS3ReadOnlyAccess, AmazonS3FullAccess, ReadOnlyAccess and the like."
    ),
    applies_to=("AWS::IAM::Role", "AWS::ImageBuilder::InfrastructureConfiguration"),
    check=build_role_scoped,
    unknown=(
        "A managed policy this pack does not document, a permissions boundary outside the template, a "
        "policy value only known at deploy time or an instance profile outside the template is an "
        "undecided warning naming it."
    ),
)
