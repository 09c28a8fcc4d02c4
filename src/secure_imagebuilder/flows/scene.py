"""What a template holds for the flow matrix: roles, keys and resources, found by structure. Pure Python.

The matrix names parts of a pipeline ("the build instance role", "the topic's key"); this module finds
them in a template by following the references AWS follows (pipeline -> infrastructure configuration ->
instance profile -> role), never by logical-id prefix, and reads them through the value model's symbolic
view (``rules.engine.values.resolved``: one account, one Region; the first alternative of each value).

Any template may be read: a part whose value has an unexpected shape, or is only known at deploy time,
is left out of the scene, and the flows that need it do not apply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from secure_imagebuilder.rules.common import symbolic_arn
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Resource, Stack
from secure_imagebuilder.rules.engine.policy import ACCOUNT, PARTITION, REGION, parsed_document


@dataclass(frozen=True)
class Distribution:
    """One Region of a distribution configuration."""

    region: str
    key_arn: str
    targets: tuple[str, ...]
    launchers: tuple[str, ...]


@dataclass
class Scene:
    """The parts of one template the flows need (``None``/empty where the template has none).

    ``streams_build_log``: the build instance streams its log to CloudWatch, which the template does not
    say (only the grant that allows it would): the caller tells.
    """

    example: str
    account: str = ACCOUNT
    region: str = REGION
    partition: str = PARTITION
    streams_build_log: bool = False
    instance_role: str | None = None
    execution_roles: list[str] = field(default_factory=list)
    pipeline_execution_role: str | None = None
    components: list[tuple[str, str]] = field(default_factory=list)  # (build ARN, key ARN)
    aws_components: list[str] = field(default_factory=list)
    workflows: list[tuple[str, str]] = field(default_factory=list)
    container_recipes: list[tuple[str, str]] = field(default_factory=list)
    ebs_keys: list[str] = field(default_factory=list)
    repository: str | None = None
    topic: tuple[str, str] | None = None  # (topic ARN, key ARN)
    log_bucket: tuple[str, str, str] | None = None  # (bucket ARN, prefix, key ARN)
    log_groups: list[tuple[str, str]] = field(default_factory=list)  # (log group ARN, key ARN)
    image_log_group: str | None = None
    trail: tuple[str, str, str] | None = None  # (trail ARN, bucket ARN, key ARN)
    distributions: list[Distribution] = field(default_factory=list)
    s3_endpoint_policy: list[Any] | None = None


def resolve(value: Any, stack: Stack) -> Any:
    """The first fully resolved alternative of ``value`` in the symbolic view, or ``None``."""
    found = v.resolved(value, stack)
    return found[0].value if found else None


def _text(value: Any, stack: Stack) -> str | None:
    found = resolve(value, stack)
    return found if isinstance(found, str) else None


def _of(stack: Stack, kind: str) -> list[Resource]:
    return [r for r in stack.resources if r.type == kind and r.logical_id]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def imagebuilder_arn(resource: Resource, stack: Stack) -> str | None:
    """The ARN of a component, workflow or container recipe's first build, as its encryption context holds.

    A ``1.0.x`` container recipe is created as 1.0.0 (Image Builder auto-versioning); a component or a
    workflow's build version is ``/1``. ``None`` when its name or version is only known at deploy time.
    """
    props = resource.props
    name, version = _text(props.get("Name"), stack), _text(props.get("Version"), stack)
    if name is None or version is None:
        return None
    base = f"arn:{PARTITION}:imagebuilder:{REGION}:{ACCOUNT}"
    if resource.type == "AWS::ImageBuilder::Component":
        return f"{base}:component/{name}/{version}/1".lower()
    if resource.type == "AWS::ImageBuilder::Workflow":
        kind = _text(props.get("Type"), stack)
        return f"{base}:workflow/{kind}/{name}/{version}/1".lower() if kind else None
    if resource.type == "AWS::ImageBuilder::ContainerRecipe":
        first = re.sub(r"\.x$", ".0", version)
        return f"{base}:container-recipe/{name}/{first}".lower()
    return None


def _instance_role(stack: Stack) -> str | None:
    for config in _of(stack, "AWS::ImageBuilder::InfrastructureConfiguration"):
        profile = stack.target(config.props.get("InstanceProfileName"))
        if profile is None:
            continue
        roles = [stack.target(role) for role in _list(profile.props.get("Roles"))]
        if len(roles) == 1 and roles[0] is not None and roles[0].logical_id:
            return symbolic_arn(stack, roles[0].logical_id)
    return None


def _trusted_by(stack: Stack, service: str) -> list[str]:
    found = []
    for role in _of(stack, "AWS::IAM::Role"):
        document = _mapping(parsed_document(resolve(role.props.get("AssumeRolePolicyDocument"), stack)))
        statements = [s for s in _list(document.get("Statement")) if isinstance(s, Mapping)]
        if any(service in str(s.get("Principal", {})) for s in statements):
            found.append(symbolic_arn(stack, str(role.logical_id)))
    return found


def _documents(stack: Stack, scene: Scene) -> None:
    for kind, parts in (
        ("AWS::ImageBuilder::Component", scene.components),
        ("AWS::ImageBuilder::Workflow", scene.workflows),
        ("AWS::ImageBuilder::ContainerRecipe", scene.container_recipes),
    ):
        for resource in _of(stack, kind):
            arn, key = imagebuilder_arn(resource, stack), _text(resource.props.get("KmsKeyId"), stack)
            if arn is not None and key is not None:
                parts.append((arn, key))
    for recipe in _of(stack, "AWS::ImageBuilder::ContainerRecipe"):
        configuration = _mapping(resolve(recipe.props.get("InstanceConfiguration"), stack))
        scene.ebs_keys += _ebs_keys(configuration.get("BlockDeviceMappings"))


def _ebs_keys(mappings: Any) -> list[str]:
    keys = [_mapping(_mapping(m).get("Ebs")).get("KmsKeyId") for m in _list(mappings)]
    return [key for key in keys if isinstance(key, str)]


def _recipes_and_pipelines(stack: Stack, scene: Scene) -> None:
    for recipe in _of(stack, "AWS::ImageBuilder::ImageRecipe"):
        props = _mapping(resolve(dict(recipe.props), stack))
        scene.ebs_keys += _ebs_keys(props.get("BlockDeviceMappings"))
        arns = [_mapping(c).get("ComponentArn") for c in _list(props.get("Components"))]
        managed = [arn for arn in arns if isinstance(arn, str) and ":aws:component/" in arn]
        scene.aws_components += [arn.replace("x.x.x", "1.0.0/1") for arn in managed]
    for pipeline in _of(stack, "AWS::ImageBuilder::ImagePipeline"):
        role = _text(pipeline.props.get("ExecutionRole"), stack)
        scene.pipeline_execution_role = role
        logging = _mapping(resolve(pipeline.props.get("LoggingConfiguration"), stack))
        name = logging.get("ImageLogGroupName")
        if isinstance(name, str):
            scene.image_log_group = f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:{name}"


def _notifications_and_logs(stack: Stack, scene: Scene) -> None:
    for config in _of(stack, "AWS::ImageBuilder::InfrastructureConfiguration"):
        topic = stack.target(config.props.get("SnsTopicArn"))
        topic_arn = _text(config.props.get("SnsTopicArn"), stack)
        key = _text(topic.props.get("KmsMasterKeyId"), stack) if topic is not None else None
        if topic_arn and key:
            scene.topic = (topic_arn, key)
        s3 = _mapping(v.get(config.props, "Logging", "S3Logs"))
        bucket = stack.target(s3.get("S3BucketName"))
        name, prefix = _text(s3.get("S3BucketName"), stack), _text(s3.get("S3KeyPrefix"), stack)
        if bucket is not None and name is not None and prefix is not None:
            encryption = _mapping(resolve(bucket.props.get("BucketEncryption"), stack))
            rules = _list(encryption.get("ServerSideEncryptionConfiguration"))
            default = _mapping(_mapping(rules[0] if rules else {}).get("ServerSideEncryptionByDefault"))
            bucket_key = default.get("KMSMasterKeyID")
            if isinstance(bucket_key, str):
                scene.log_bucket = (f"arn:{PARTITION}:s3:::{name}", prefix, bucket_key)
    for group in _of(stack, "AWS::Logs::LogGroup"):
        name, key = _text(group.props.get("LogGroupName"), stack), _text(group.props.get("KmsKeyId"), stack)
        if name is not None and key is not None:
            scene.log_groups.append((f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:{name}", key))


def _trail_and_network(stack: Stack, scene: Scene) -> None:
    for trail in _of(stack, "AWS::CloudTrail::Trail"):
        bucket, key = _text(trail.props.get("S3BucketName"), stack), _text(trail.props.get("KMSKeyId"), stack)
        if bucket is not None and key is not None:
            scene.trail = (symbolic_arn(stack, str(trail.logical_id)), f"arn:{PARTITION}:s3:::{bucket}", key)
    for repository in _of(stack, "AWS::ECR::Repository"):
        scene.repository = symbolic_arn(stack, str(repository.logical_id))
    for endpoint in _of(stack, "AWS::EC2::VPCEndpoint"):
        gateway = endpoint.props.get("VpcEndpointType", "Gateway") == "Gateway"
        document = _mapping(parsed_document(resolve(endpoint.props.get("PolicyDocument"), stack)))
        if gateway and "Statement" in document:
            scene.s3_endpoint_policy = _list(document["Statement"])


def _distributions(stack: Stack, scene: Scene) -> None:
    for config in _of(stack, "AWS::ImageBuilder::DistributionConfiguration"):
        for item in _list(resolve(config.props.get("Distributions"), stack)):
            ami = _mapping(_mapping(item).get("AmiDistributionConfiguration"))
            region, key = _mapping(item).get("Region"), ami.get("KmsKeyId")
            if not (isinstance(region, str) and isinstance(key, str)):
                continue
            launchers = _mapping(ami.get("LaunchPermissionConfiguration")).get("UserIds")
            targets = [str(t) for t in _list(ami.get("TargetAccountIds"))]
            scene.distributions.append(
                Distribution(region, key, tuple(targets), tuple(str(u) for u in _list(launchers)))
            )


def scene_of(stack: Stack, example: str = "", *, streams_build_log: bool = False) -> Scene:
    """Everything the flows need from one template (``example`` names it in messages)."""
    scene = Scene(example or stack.path, streams_build_log=streams_build_log)
    scene.instance_role = _instance_role(stack)
    scene.execution_roles = _trusted_by(stack, "imagebuilder.amazonaws.com")
    _documents(stack, scene)
    _recipes_and_pipelines(stack, scene)
    _notifications_and_logs(stack, scene)
    _trail_and_network(stack, scene)
    _distributions(stack, scene)
    return scene
