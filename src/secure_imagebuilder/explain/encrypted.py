"""Which KMS keys a stack uses, what each encrypts, and the requests that reach that data. Pure Python.

A key is in scope when the template creates it (``AWS::KMS::Key``), a resource names it from outside
(an ARN, a parameter, an import), or an identity policy of the template names its ARN. Each resource
that names a key (components, workflows, recipes' EBS volumes, distributions' AMIs, topics, buckets, log
groups, trails, repositories, ...) gets *probes*: the requests by which AWS uses the key for that
resource's data, as the flow matrix documents them (docs/flows.md): an Image Builder document under its
``aws:imagebuilder:arn`` context, directly or through Image Builder; a log group by CloudWatch Logs under
``aws:logs:arn``; a bucket through S3 under ``aws:s3:arn``; a topic through SNS; EBS through EC2 under
``aws:ebs:id``. A principal whose probe is allowed reaches that data.

Values are read through the value model (every alternative); an alias of the template is followed to its
key; AWS managed keys (``alias/aws/...``) and absent keys are not in scope (rules IB1-IB3 report those).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from secure_imagebuilder.explain.model import Probe, Use
from secure_imagebuilder.flows.scene import imagebuilder_arn
from secure_imagebuilder.rules.common import key_problem, symbolic_arn
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Resource, Stack
from secure_imagebuilder.rules.engine.policy import ACCOUNT, PARTITION, REGION, Source

IB_CONTEXT = "kms:EncryptionContext:aws:imagebuilder:arn"
IMAGEBUILDER = "imagebuilder.amazonaws.com"
DATA = ("kms:Decrypt", "kms:GenerateDataKey")

# Resource type -> (property path, "[]" for each list, what the resource is, how its data is used).
_READS: dict[str, tuple[tuple[tuple[str, ...], str, str], ...]] = {
    "AWS::ImageBuilder::Component": ((("KmsKeyId",), "component", "imagebuilder"),),
    "AWS::ImageBuilder::Workflow": ((("KmsKeyId",), "workflow", "imagebuilder"),),
    "AWS::ImageBuilder::ContainerRecipe": (
        (("KmsKeyId",), "container recipe", "imagebuilder"),
        (("InstanceConfiguration", "BlockDeviceMappings", "[]", "Ebs", "KmsKeyId"), "EBS volumes", "ebs"),
    ),
    "AWS::ImageBuilder::ImageRecipe": (
        (("BlockDeviceMappings", "[]", "Ebs", "KmsKeyId"), "EBS volumes", "ebs"),
    ),
    "AWS::ImageBuilder::DistributionConfiguration": (
        (("Distributions", "[]", "AmiDistributionConfiguration", "KmsKeyId"), "AMI snapshots", "ebs"),
    ),
    "AWS::SNS::Topic": ((("KmsMasterKeyId",), "topic", "sns"),),
    "AWS::SQS::Queue": ((("KmsMasterKeyId",), "queue", "sqs"),),
    "AWS::Logs::LogGroup": ((("KmsKeyId",), "log group", "logs"),),
    "AWS::S3::Bucket": (
        (
            (
                "BucketEncryption",
                "ServerSideEncryptionConfiguration",
                "[]",
                "ServerSideEncryptionByDefault",
                "KMSMasterKeyID",
            ),
            "bucket",
            "s3",
        ),
    ),
    "AWS::CloudTrail::Trail": ((("KMSKeyId",), "trail", "cloudtrail"),),
    "AWS::ECR::Repository": ((("EncryptionConfiguration", "KmsKey"), "repository", "ecr"),),
    "AWS::SecretsManager::Secret": ((("KmsKeyId",), "secret", "secretsmanager"),),
}


@dataclass
class OutsideKey:
    """A key the template names but does not create: its key policy is its owner's."""

    name: str  # the ARN or alias as written, or the deploy-time value described
    arn: str  # what requests name as the resource (holes for deploy-time parts)
    uses: list[Use] = field(default_factory=list)


@dataclass
class Found:
    """The keys of one stack: the template's (by logical id) and those named from outside (by name)."""

    template: dict[str, list[Use]] = field(default_factory=dict)
    outside: dict[str, OutsideKey] = field(default_factory=dict)


def keys_in_scope(stack: Stack) -> Found:
    """Every key the stack creates or names, with the resources each encrypts."""
    found = Found()
    for resource in stack.resources:
        if (
            resource.type == "AWS::KMS::Key"
            and resource.logical_id
            and v.may_exist(resource.condition, stack)
        ):
            found.template.setdefault(resource.logical_id, [])
    for resource in stack.resources:
        reads = _READS.get(resource.type, ())
        if not resource.logical_id or not reads or not v.may_exist(resource.condition, stack):
            continue
        for path, kind, how in reads:
            for value in values_at(resource.props, path, stack):
                _add(found, stack, resource, value, kind, how, path)
    return found


_KEY_ARN = re.compile(r"^arn:[^:]+:kms:[^:]*:[^:]*:(?:key|alias)/[^*?]+$")


def add_policy_keys(found: Found, identities: Iterable[Source], template_arns: Iterable[str]) -> None:
    """Keys outside the template that identity policies name by ARN (no wildcard): in scope, using nothing."""
    known = set(template_arns) | {outside.arn for outside in found.outside.values()}
    for source in identities:
        for alternative in source.alternatives:
            for statement in alternative.statements:
                resources = v.as_list(statement.get("Resource")) if isinstance(statement, Mapping) else []
                for arn in resources:
                    if isinstance(arn, str) and _KEY_ARN.match(arn) and arn not in known:
                        known.add(arn)
                        found.outside[arn] = OutsideKey(arn, arn)


def values_at(obj: Any, path: tuple[str, ...], stack: Stack) -> Iterator[Any]:
    """Every value at ``path`` (``"[]"`` enters each item of a list), in every alternative; not ABSENT."""
    head = path[: path.index("[]")] if "[]" in path else path
    rest = path[len(head) + 1 :] if "[]" in path else None
    for found in v.reach(obj, *head, stack=stack):
        if found is v.ABSENT:
            continue
        if rest is None:
            yield found
            continue
        for item in v.as_list(found) if isinstance(found, list) else []:
            yield from values_at(item, rest, stack)


def _add(found: Found, stack: Stack, resource: Resource, value: Any, kind: str, how: str, path: Any) -> None:
    key = template_key(value, stack)
    use = _use(stack, resource, kind, how, ".".join(path).replace(".[]", "[]"))
    if key is not None:
        uses = found.template.setdefault(key, [])
        if all(u.id != use.id or u.property != use.property for u in uses):
            uses.append(use)
        return
    if key_problem(value) is not None:
        return  # absent or AWS managed: not a key anyone can be granted (IB1-IB3 report it)
    name = _name(value, stack)
    outside = found.outside.setdefault(name, OutsideKey(name, _outside_arn(value, stack)))
    if all(u.id != use.id or u.property != use.property for u in outside.uses):
        outside.uses.append(use)


def template_key(value: Any, stack: Stack) -> str | None:
    """The logical id of the template's key a value names: a Ref/GetAtt, an alias of the template, or None."""
    target = stack.target(value)
    if target is not None and target.type == "AWS::KMS::Alias":
        target = stack.target(target.props.get("TargetKeyId"))
    if target is None and isinstance(value, str) and "alias/" in value:
        wanted = "alias/" + value.split("alias/", 1)[1]
        for alias in stack.resources:
            if alias.type == "AWS::KMS::Alias" and alias.props.get("AliasName") == wanted:
                target = stack.target(alias.props.get("TargetKeyId"))
    if target is not None and target.type == "AWS::KMS::Key" and target.logical_id:
        return target.logical_id
    return None


def _symbolic(value: Any, stack: Stack) -> str | None:
    """A key named from outside as the evaluator sees it (pseudo parameters filled in), if it is one text."""
    expression = value.source if isinstance(value, v.Unknown) else value
    found = {alt.value for alt in v.resolved(expression, stack) if isinstance(alt.value, str)}
    return found.pop() if len(found) == 1 else None


def _name(value: Any, stack: Stack) -> str:
    symbolic = _symbolic(value, stack)
    if symbolic is not None:
        return symbolic
    return v.describe(value.source if isinstance(value, v.Unknown) else value, 120)


def _outside_arn(value: Any, stack: Stack) -> str:
    text = _symbolic(value, stack)
    if text is None:
        return v.HOLE  # only known at deploy time: a Resource pattern of the same value may match it
    if text.startswith("arn:"):
        return text
    if text.startswith("alias/"):
        return f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:{text}"
    return f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/{text}"


def _use(stack: Stack, resource: Resource, kind: str, how: str, where: str) -> Use:
    logical_id = str(resource.logical_id)
    arn = symbolic_arn(stack, logical_id)
    if how == "imagebuilder":
        arn = imagebuilder_arn(resource, stack) or arn
    elif how == "logs":
        arn = arn.removesuffix(":*")
    return Use(
        f"{stack.path}/resource/{logical_id}",
        logical_id,
        resource.type,
        kind,
        arn,
        where,
        _PROBES[how](arn),
    )


def _context(**pairs: str | tuple[str, ...]) -> tuple[tuple[str, str | tuple[str, ...]], ...]:
    return tuple((k.replace("__", ":"), val) for k, val in pairs.items())


def _imagebuilder(arn: str) -> tuple[Probe, ...]:
    # The build's own calls go through Image Builder (aws:CalledVia); direct calls show what else can.
    return tuple(
        Probe(action, ((IB_CONTEXT, arn), *via))
        for action in DATA
        for via in ((("aws:CalledVia", (IMAGEBUILDER,)),), ())
    )


def _via(service: str, *actions: str, **context: str) -> Callable[[str], tuple[Probe, ...]]:
    def probes(arn: str) -> tuple[Probe, ...]:
        pairs = _context(kms__ViaService=f"{service}.{REGION}.amazonaws.com")
        extra = tuple((k.replace("__", ":"), val.format(arn=arn)) for k, val in context.items())
        return tuple(Probe(action, pairs + extra) for action in actions)

    return probes


def _ebs(arn: str) -> tuple[Probe, ...]:
    via = _context(kms__ViaService=f"ec2.{REGION}.amazonaws.com")
    volume = (("kms:EncryptionContext:aws:ebs:id", "vol-0build"),)
    return (
        *(Probe(a, via + volume) for a in ("kms:GenerateDataKeyWithoutPlaintext", "kms:Decrypt")),
        Probe("kms:ReEncryptFrom", via + volume),
        Probe("kms:CreateGrant", (*via, ("kms:GrantIsForAWSResource", "true"))),
    )


def _logs(arn: str) -> tuple[Probe, ...]:
    caller = f"logs.{REGION}.amazonaws.com"
    context = (("kms:EncryptionContext:aws:logs:arn", arn),)
    return tuple(Probe(a, context, caller) for a in ("kms:Encrypt", *DATA))


def _s3(arn: str) -> tuple[Probe, ...]:
    via = (("kms:ViaService", f"s3.{REGION}.amazonaws.com"),)
    return tuple(
        Probe(action, (*via, ("kms:EncryptionContext:aws:s3:arn", target)))
        for target in (arn, f"{arn}/object")  # with and without an S3 Bucket Key
        for action in DATA
    )


def _cloudtrail(arn: str) -> tuple[Probe, ...]:
    context = (("kms:EncryptionContext:aws:cloudtrail:arn", arn),)
    return (
        Probe("kms:GenerateDataKey", (*context, ("aws:SourceArn", arn)), "cloudtrail.amazonaws.com"),
        Probe("kms:Decrypt", (*context, ("kms:ViaService", f"s3.{REGION}.amazonaws.com"))),
    )


_PROBES: dict[str, Callable[[str], tuple[Probe, ...]]] = {
    "imagebuilder": _imagebuilder,
    "ebs": _ebs,
    "sns": _via("sns", *DATA),
    "sqs": _via("sqs", *DATA),
    "ecr": _via("ecr", *DATA),
    "secretsmanager": _via("secretsmanager", *DATA, kms__EncryptionContext__SecretARN="{arn}"),
    "logs": _logs,
    "s3": _s3,
    "cloudtrail": _cloudtrail,
}
