"""The aspect: the defaults no property injector can reach, applied to the L1s at synthesis.

- ``Logging.S3Logs`` of the infrastructure configurations whose role the injector made (see
  ``InfrastructureInjector`` for why it is not the ``logging`` prop);
- AWS's ECR container-build policy on our instance role when an image or pipeline builds a container (the
  alpha adds it in ``_bind`` only to the role it created itself);
- the publish grant on our notification topic for the execution roles we made, once the image or
  pipeline and its infrastructure configuration both exist (which principal publishes when a workflow
  execution role is set is not documented; ``SecureImagePipeline`` grants it too);
- ``KmsKeyId`` (and ``Encrypted``) of the EBS mappings of image and container recipes, and ``KmsKeyId``
  of AMI distributions in the stack's Region: the alpha L2s also take these through ``addBlockDevice``,
  ``addInstanceBlockDevice`` and ``addAmiDistributions`` after construction, so only the rendered L1
  shows them all.

The alpha L2s render these properties lazily, with the TypeScript (camelCase) names outside and, for
``AmiDistributionConfiguration``, the CloudFormation names inside. The aspect resolves the rendered
value once, adds the key where none is set (camelCase in typed fields, which the L1 maps to CloudFormation
names after resolution; the exact CloudFormation name ``KmsKeyId`` in the untyped JSON one) and puts it
back as the L1 property, not as a raw override, so every reader of the L1 (our pack's ``validate_scope``
too) sees the same value as the template.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_imagebuilder_alpha as alpha
from constructs import IConstruct

from secure_imagebuilder.alpha._state import SecureDefaultsState
from secure_imagebuilder.core import keys, permissions, suppressions

ECR_CONTAINER_BUILDS = "EC2InstanceProfileForImageBuilderECRContainerBuilds"
"""AWS's managed policy for container build instances (awsdocs/ec2-image-builder-user-guide,
security-iam-awsmanpol.md), which the alpha L2 adds to its own role for container builds."""


def _get(mapping: Any, *names: str) -> Any:
    """The first of ``names`` present in ``mapping`` (camelCase or CloudFormation spelling)."""
    if not isinstance(mapping, dict):
        return None
    for name in names:
        if name in mapping:
            return mapping[name]
    return None


def _of_alpha(node: IConstruct, kind: type) -> bool:
    """The L1 is the ``Resource`` of an alpha L2 (our constructs and hand-written L1s are left alone)."""
    return isinstance(node.node.scope, kind)


@jsii.implements(cdk.IAspect)
class SecureDefaultsAspect:
    """Fills, on alpha-rendered L1s, the properties the injectors cannot set; user values win."""

    def __init__(self, state: SecureDefaultsState) -> None:
        """Apply the key and logging of ``state``."""
        self._state = state
        self._publishers: dict[str, iam.PolicyStatement] = {}
        self._granted: set[str] = set()  # images and pipelines done: a forced second synthesis visits again

    def visit(self, node: IConstruct) -> None:
        """Dispatch on the L1 type; other constructs are left alone."""
        if isinstance(node, imagebuilder.CfnInfrastructureConfiguration):
            self._logging(node)
        elif isinstance(node, imagebuilder.CfnImageRecipe) and _of_alpha(node, alpha.ImageRecipe):
            self._image_recipe(node)
        elif isinstance(node, imagebuilder.CfnContainerRecipe) and _of_alpha(node, alpha.ContainerRecipe):
            self._container_recipe(node)
        elif isinstance(node, imagebuilder.CfnDistributionConfiguration) and _of_alpha(
            node, alpha.DistributionConfiguration
        ):
            self._distributions(node)
        elif isinstance(node, (alpha.ImagePipeline, alpha.Image)):  # no jsii call for other nodes
            if node.node.path in self._granted:
                return
            self._granted.add(node.node.path)
            self._publish(node, node.infrastructure_configuration)
            self._container_build(node, node.infrastructure_configuration)

    def _container_build(self, node: IConstruct, infrastructure: alpha.IInfrastructureConfiguration) -> None:
        """Our instance role builds a container: the ECR policy the alpha gives its own role in that case."""
        role = self._state.instance_roles.get(infrastructure.node.path)
        resource = node.node.default_child
        if role is None or not isinstance(resource, imagebuilder.CfnImagePipeline | imagebuilder.CfnImage):
            return
        if resource.container_recipe_arn is None:
            return
        policy = iam.ManagedPolicy.from_aws_managed_policy_name(ECR_CONTAINER_BUILDS)
        role.add_managed_policy(policy)
        suppressions.acknowledge_value(
            role,
            "AwsSolutions-IAM4",
            "Policy",
            policy.managed_policy_arn,
            "Container builds push to and pull from ECR; AWS maintains this policy for Image Builder's "
            "container build instances (the alpha InfrastructureConfiguration attaches it too).",
        )

    def _publish(self, node: IConstruct, infrastructure: alpha.IInfrastructureConfiguration) -> None:
        """``sns:Publish`` and the topic key's use through SNS (both sides) for our execution role."""
        role = self._state.execution_roles.get(node.node.path)
        topic = self._state.topic_users.get(infrastructure.node.path)
        if role is None or topic is None or topic.master_key is None:
            return
        conditions = {"StringEquals": {"kms:ViaService": permissions.via_service(node, "sns")}}
        key = topic.master_key.key_arn
        statement = self._publishers.get(key)
        if statement is None:  # one key-policy statement per topic key: later roles join its principals
            statement = iam.PolicyStatement(
                sid="AllowSecureDefaultsExecutionRolesToPublish",
                principals=[role.grant_principal],
                actions=list(permissions.SNS_ROLE_PUBLISH_KEY_ACTIONS),
                resources=["*"],
                conditions=conditions,
            )
            self._publishers[key] = statement
            keys.add_to_key_policy(self._state.key, statement)
        else:
            statement.add_principals(role.grant_principal)
        iam.Grant.add_to_principal(
            grantee=role,
            actions=list(permissions.SNS_ROLE_PUBLISH_KEY_ACTIONS),
            resource_arns=[key],
            conditions=conditions,
        )
        iam.Grant.add_to_principal(grantee=role, actions=["sns:Publish"], resource_arns=[topic.topic_arn])

    def _logging(self, node: imagebuilder.CfnInfrastructureConfiguration) -> None:
        parent = node.node.scope
        bucket = self._state.logging_pending.get(parent.node.path) if parent is not None else None
        if bucket is None or node.logging is not None:
            return
        node.logging = imagebuilder.CfnInfrastructureConfiguration.LoggingProperty(
            s3_logs=imagebuilder.CfnInfrastructureConfiguration.S3LogsProperty(
                s3_bucket_name=bucket.bucket_name, s3_key_prefix=self._state.log_prefix
            )
        )

    def _block_devices(self, mappings: Any) -> Any:
        """The resolved mappings with the key on every EBS volume that has none (``None``: unchanged)."""
        if not isinstance(mappings, list):
            return None
        changed = False
        for mapping in mappings:
            ebs = _get(mapping, "ebs", "Ebs")
            if not isinstance(ebs, dict) or _get(ebs, "kmsKeyId", "KmsKeyId") is not None:
                continue
            if _get(ebs, "encrypted", "Encrypted") is False:
                continue  # the user turned encryption off: their choice, IB2 reports it
            ebs.pop("Encrypted", None)
            ebs.pop("KmsKeyId", None)
            ebs["encrypted"] = True
            ebs["kmsKeyId"] = self._key_arn
            changed = True
        return mappings if changed else None

    def _image_recipe(self, node: imagebuilder.CfnImageRecipe) -> None:
        patched = self._block_devices(cdk.Stack.of(node).resolve(node.block_device_mappings))
        if patched is not None:
            node.block_device_mappings = cdk.Token.as_any(patched)

    def _container_recipe(self, node: imagebuilder.CfnContainerRecipe) -> None:
        configuration = cdk.Stack.of(node).resolve(node.instance_configuration)
        mappings = _get(configuration, "blockDeviceMappings", "BlockDeviceMappings")
        if self._block_devices(mappings) is not None:
            node.instance_configuration = cdk.Token.as_any(configuration)

    def _distributions(self, node: imagebuilder.CfnDistributionConfiguration) -> None:
        stack = cdk.Stack.of(node)
        resolved = stack.resolve(node.distributions)
        if not isinstance(resolved, list):
            return
        here = stack.resolve(stack.region)
        changed = False
        for distribution in resolved:
            ami = _get(distribution, "amiDistributionConfiguration", "AmiDistributionConfiguration")
            if not isinstance(ami, dict) or _get(ami, "KmsKeyId", "kmsKeyId") is not None:
                continue
            if _get(distribution, "region", "Region") != here:
                continue  # KMS keys are regional: another Region needs its own key (IB3 reports it)
            ami["KmsKeyId"] = self._key_arn  # an untyped (JSON) field: CloudFormation names, exactly
            changed = True
        if changed:
            node.distributions = cdk.Token.as_any(resolved)

    @property
    def _key_arn(self) -> Any:
        return cdk.Stack.of(self._state.key).resolve(self._state.key.key_arn)
