"""What a synthesized template holds for the flow matrix: roles, keys and resources, found by structure.

The matrix names parts of a pipeline ("the build instance role", "the topic's key"); this module finds
them in a template by following the references AWS follows (pipeline -> infrastructure configuration ->
instance profile -> role), never by logical-id prefix, and resolves them with the library's evaluator
(``secure_imagebuilder.rules.engine.policy``) to ARNs in the fixed test account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from policy_eval import TemplateView
from secure_imagebuilder.rules.engine.policy import ACCOUNT, PARTITION, REGION


@dataclass(frozen=True)
class Distribution:
    """One Region of a distribution configuration."""

    region: str
    key_arn: str
    targets: tuple[str, ...]
    launchers: tuple[str, ...]


@dataclass
class Scene:
    """The parts of one template the flows need (``None``/empty where the template has none)."""

    example: str
    account: str = ACCOUNT
    region: str = REGION
    partition: str = PARTITION
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
    s3_endpoint_policy: list[dict[str, Any]] | None = None


def _of(resolver: TemplateView, kind: str) -> dict[str, dict[str, Any]]:
    return {lid: r for lid, r in resolver.resources.items() if r["Type"] == kind}


def _ref_target(value: Any) -> str | None:
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    return None


def _instance_role(resolver: TemplateView) -> str | None:
    for config in _of(resolver, "AWS::ImageBuilder::InfrastructureConfiguration").values():
        profile = _ref_target(config["Properties"]["InstanceProfileName"])
        if profile is None:
            continue
        (role,) = resolver.resources[profile]["Properties"]["Roles"]
        return resolver.arn(str(_ref_target(role)))
    return None


def _trusted_by(resolver: TemplateView, service: str) -> list[str]:
    found = []
    for lid, role in _of(resolver, "AWS::IAM::Role").items():
        statements = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        if any(service in str(s.get("Principal", {})) for s in statements):
            found.append(resolver.arn(lid))
    return found


def _imagebuilder_resources(resolver: TemplateView, scene: Scene) -> None:
    base = f"arn:{scene.partition}:imagebuilder:{scene.region}:{scene.account}"
    for component in _of(resolver, "AWS::ImageBuilder::Component").values():
        props = resolver.resolve(component["Properties"])
        if "KmsKeyId" in props:
            build = f"{base}:component/{props['Name']}/{props['Version']}/1".lower()
            scene.components.append((build, props["KmsKeyId"]))
    for workflow in _of(resolver, "AWS::ImageBuilder::Workflow").values():
        props = resolver.resolve(workflow["Properties"])
        kind = props["Type"].lower()
        arn = f"{base}:workflow/{kind}/{props['Name']}/{props['Version']}/1".lower()
        scene.workflows.append((arn, props["KmsKeyId"]))
    for recipe in _of(resolver, "AWS::ImageBuilder::ContainerRecipe").values():
        props = resolver.resolve(recipe["Properties"])
        # A "1.0.x" recipe is created as 1.0.0, then 1.0.1, ... (Image Builder auto-versioning).
        version = re.sub(r"\.x$", ".0", props["Version"])
        arn = f"{base}:container-recipe/{props['Name']}/{version}".lower()
        scene.container_recipes.append((arn, props["KmsKeyId"]))
        volumes = props.get("InstanceConfiguration", {}).get("BlockDeviceMappings", [])
        scene.ebs_keys += [v["Ebs"]["KmsKeyId"] for v in volumes if "Ebs" in v]
    for recipe in _of(resolver, "AWS::ImageBuilder::ImageRecipe").values():
        props = resolver.resolve(recipe["Properties"])
        scene.ebs_keys += [v["Ebs"]["KmsKeyId"] for v in props.get("BlockDeviceMappings", []) if "Ebs" in v]
        scene.aws_components += [
            c["ComponentArn"].replace("x.x.x", "1.0.0/1")
            for c in props.get("Components", [])
            if ":aws:component/" in c["ComponentArn"]
        ]
    for pipeline in _of(resolver, "AWS::ImageBuilder::ImagePipeline").values():
        props = resolver.resolve(pipeline["Properties"])
        scene.pipeline_execution_role = props.get("ExecutionRole")
        name = props.get("LoggingConfiguration", {}).get("ImageLogGroupName")
        if name:
            scene.image_log_group = (
                f"arn:{scene.partition}:logs:{scene.region}:{scene.account}:log-group:{name}"
            )


def _delivery(resolver: TemplateView, scene: Scene) -> None:
    for config in _of(resolver, "AWS::ImageBuilder::InfrastructureConfiguration").values():
        props = resolver.resolve(config["Properties"])
        if "SnsTopicArn" in props:
            topic_id = _ref_target(config["Properties"]["SnsTopicArn"])
            key = resolver.resolve(resolver.resources[str(topic_id)]["Properties"]["KmsMasterKeyId"])
            scene.topic = (props["SnsTopicArn"], str(key))
        s3 = props.get("Logging", {}).get("S3Logs")
        if s3:
            bucket_id = str(_ref_target(config["Properties"]["Logging"]["S3Logs"]["S3BucketName"]))
            encryption = resolver.resolve(resolver.resources[bucket_id]["Properties"]["BucketEncryption"])
            key = encryption["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
            bucket = f"arn:{scene.partition}:s3:::{s3['S3BucketName']}"
            scene.log_bucket = (bucket, s3["S3KeyPrefix"], key["KMSMasterKeyID"])
    for group in _of(resolver, "AWS::Logs::LogGroup").values():
        props = resolver.resolve(group["Properties"])
        if "KmsKeyId" in props:
            arn = (
                f"arn:{scene.partition}:logs:{scene.region}:{scene.account}:log-group:{props['LogGroupName']}"
            )
            scene.log_groups.append((arn, props["KmsKeyId"]))
    for lid, trail in _of(resolver, "AWS::CloudTrail::Trail").items():
        props = resolver.resolve(trail["Properties"])
        bucket = f"arn:{scene.partition}:s3:::{props['S3BucketName']}"
        scene.trail = (resolver.arn(lid), bucket, props["KMSKeyId"])
    for lid in _of(resolver, "AWS::ECR::Repository"):
        scene.repository = resolver.arn(lid)
    for endpoint in _of(resolver, "AWS::EC2::VPCEndpoint").values():
        props = endpoint["Properties"]
        if props.get("VpcEndpointType", "Gateway") == "Gateway" and "PolicyDocument" in props:
            scene.s3_endpoint_policy = resolver.resolve(props["PolicyDocument"])["Statement"]


def _distributions(resolver: TemplateView, scene: Scene) -> None:
    for config in _of(resolver, "AWS::ImageBuilder::DistributionConfiguration").values():
        for item in resolver.resolve(config["Properties"])["Distributions"]:
            ami = item["AmiDistributionConfiguration"]
            launchers = ami.get("LaunchPermissionConfiguration", {}).get("UserIds", [])
            scene.distributions.append(
                Distribution(
                    item["Region"], ami["KmsKeyId"], tuple(ami.get("TargetAccountIds", [])), tuple(launchers)
                )
            )


def scene_of(example: str, template: dict[str, Any]) -> Scene:
    """Everything the flows need from one template."""
    resolver = TemplateView(template)
    scene = Scene(example)
    scene.instance_role = _instance_role(resolver)
    scene.execution_roles = _trusted_by(resolver, "imagebuilder.amazonaws.com")
    _imagebuilder_resources(resolver, scene)
    _delivery(resolver, scene)
    _distributions(resolver, scene)
    return scene
