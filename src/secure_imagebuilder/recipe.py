"""Image and container recipes whose every EBS volume is encrypted with the customer key (R5, R10)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from constructs import Construct, IConstruct

from secure_imagebuilder.core import cdk_types, checks, defaults, documents, keys, tokens
from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.core.versioned import (
    ContainerRecipeAttributes,
    Created,
    ImageRecipeAttributes,
    ImportedContainerRecipe,
    ImportedImageRecipe,
    arn_of,
)
from secure_imagebuilder.interfaces import IComponent

if TYPE_CHECKING:
    from aws_cdk import aws_ec2 as ec2

Component = IComponent | str
"""A component of a recipe: an ``IComponent`` (ours, R10, an imported one or an alpha one), or the ARN of
an AWS-managed one (``aws_managed_component``)."""

_AWS_MANAGED_COMPONENT = re.compile(r"^arn:aws[a-z-]*:imagebuilder:[a-z0-9-]*:aws:component/[^/]+/[^/]+")


@dataclass(frozen=True)
class RecipeVolume:
    """One EBS volume of the build instance, always encrypted with the recipe's key (R5).

    :param device_name: the device, e.g. ``/dev/xvda`` (Amazon Linux root) or ``/dev/sda1``.
    :param size_gib: the size in GiB. Default: - 30.
    :param volume_type: ``gp3``, ``gp2``, ``io1``, ``io2``, ``st1`` or ``sc1``. Default: - ``gp3``.
    :param iops: provisioned IOPS. Default: - the volume type's baseline.
    :param throughput: gp3 throughput in MiB/s. Default: - the volume type's baseline.
    """

    device_name: str = defaults.ROOT_DEVICE_NAME
    size_gib: int = defaults.ROOT_VOLUME_SIZE_GIB
    volume_type: str = defaults.VOLUME_TYPE
    iops: int | None = None
    throughput: int | None = None


# CDK's EBS volume types by enum member name (jsii enums carry names, not CloudFormation values).
_VOLUME_TYPE_ALIASES = {
    "MAGNETIC": "standard",
    "GENERAL_PURPOSE_SSD": "gp2",
    "GENERAL_PURPOSE_SSD_GP3": "gp3",
    "PROVISIONED_IOPS_SSD": "io1",
    "PROVISIONED_IOPS_SSD_IO2": "io2",
    "THROUGHPUT_OPTIMIZED_HDD": "st1",
    "COLD_HDD": "sc1",
}


def recipe_volumes(
    problems: ValidationProblems, volumes: Sequence[RecipeVolume | ec2.BlockDevice] | None, key: kms.IKey
) -> list[RecipeVolume] | None:
    """``volumes`` as ``RecipeVolume`` s: an EBS ``ec2.BlockDevice`` is read into one (``key``, always).

    What a ``RecipeVolume`` cannot carry is our error rather than dropped: a volume from a snapshot
    (recipes build their volumes empty or from the parent image) and another key than the recipe's.
    """
    if volumes is None:
        return None
    if isinstance(volumes, str) or not isinstance(volumes, Sequence):
        problems.add("volumes must be a list", volumes, "wrap it in a list: volumes=[volume]")
        return None
    found = []
    for volume in volumes:
        if isinstance(volume, RecipeVolume):
            found.append(volume)
            continue
        ebs = volume.volume.ebs_device if checks.is_a(volume, "aws_cdk.aws_ec2", "BlockDevice") else None
        if ebs is None:
            problems.add(
                "volumes must be RecipeVolume or EBS ec2.BlockDevice objects (encrypted with the key, R5)",
                volume,
                "pass ec2.BlockDevice(device_name='/dev/xvda', volume=ec2.BlockDeviceVolume.ebs(30))",
            )
            continue
        _dropped(problems, volume.device_name, ebs, key)
        kind = ebs.volume_type.name if ebs.volume_type is not None else None
        found.append(
            RecipeVolume(
                device_name=volume.device_name,
                size_gib=int(ebs.volume_size or defaults.ROOT_VOLUME_SIZE_GIB),
                volume_type=_VOLUME_TYPE_ALIASES.get(kind, kind.lower()) if kind else defaults.VOLUME_TYPE,
                iops=int(ebs.iops) if ebs.iops is not None else None,
                throughput=int(ebs.throughput) if ebs.throughput is not None else None,
            )
        )
    return found


def _dropped(problems: ValidationProblems, device: str, ebs: Any, key: kms.IKey) -> None:
    """Our error for what an ``ec2.BlockDevice`` asks that a recipe volume would silently leave out."""
    snapshot = getattr(ebs, "snapshot_id", None)
    if snapshot is not None:
        problems.add(
            f"the volume {device} is made from a snapshot, which a recipe volume does not take",
            snapshot,
            "use ec2.BlockDeviceVolume.ebs(size) (the volume starts empty, encrypted with the recipe's "
            "key) and copy the data in a component",
        )
    volume_key = getattr(ebs, "kms_key", None)
    if volume_key is not None and volume_key is not key and volume_key.node.path != key.node.path:
        problems.add(
            f"the volume {device} names another key than the recipe's; every volume is encrypted with the "
            "recipe's key (R5)",
            volume_key.node.path,
            "drop kms_key from the block device, or give the recipe that key",
        )


def aws_managed_component(scope: IConstruct, name: str, version: str = "x.x.x") -> str:
    """The ARN of an AWS-managed component in the stack's Region, e.g. ``update-linux``."""
    stack = cdk.Stack.of(scope)
    return f"arn:{stack.partition}:imagebuilder:{stack.region}:aws:component/{name}/{version}"


def aws_managed_image(scope: IConstruct, name: str, version: str = "x.x.x") -> str:
    """The ARN of an AWS-managed parent image in the stack's Region, e.g. ``amazon-linux-2023-x86``."""
    stack = cdk.Stack.of(scope)
    return f"arn:{stack.partition}:imagebuilder:{stack.region}:aws:image/{name}/{version}"


def _ebs(key: kms.IKey, volume: RecipeVolume) -> dict[str, Any]:
    """The EBS specification of one volume: always encrypted with the key, deleted with the instance."""
    return {
        "encrypted": True,
        "kms_key_id": keys.arn(key),
        "delete_on_termination": True,
        "volume_size": volume.size_gib,
        "volume_type": volume.volume_type,
        "iops": volume.iops,
        "throughput": volume.throughput,
    }


def _validate_recipe(
    problems: ValidationProblems,
    *,
    name: str,
    version: str,
    components: Sequence[Component],
    volumes: Sequence[RecipeVolume] | None,
    description: str | None,
) -> list[str]:
    """Check the recipe's props; the components' ARNs (a wrong component is recorded, not returned)."""
    documents.validate_name(problems, name)
    documents.validate_version(problems, version, recipe=True)
    if isinstance(name, str):  # validate_name reported anything else
        checks.validate_free_text(problems, "name", name)
    checks.validate_free_text(problems, "description", description)
    if isinstance(components, str):
        problems.add(
            "components must be a list, not one string", components, f"wrap it in a list: [{components!r}]"
        )
        components = [components]
    if not components:
        problems.add(
            "a recipe needs at least one component", [], "add an EncryptedComponent or an AWS-managed one"
        )
    arns = []
    for component in components:
        if not isinstance(component, str):
            arn = arn_of(problems, "components", component, "component")
            arns += [arn] if arn is not None else []
            continue
        arns.append(component)
        if not tokens.is_unresolved(component) and not _AWS_MANAGED_COMPONENT.match(component):
            problems.add(
                "components given by ARN must be AWS-managed; your own are EncryptedComponents (R10)",
                component,
                "wrap the document in EncryptedComponent, import yours with "
                "EncryptedComponent.from_component_arn(scope, id, arn), or use aws_managed_component",
            )
    devices = [volume.device_name for volume in volumes or []]
    if len(devices) != len(set(devices)):
        problems.add(
            "each volume needs its own device name", devices, "give every RecipeVolume a distinct device_name"
        )
    return arns


class EncryptedImageRecipe(ImageRecipeAttributes, Created, imagebuilder.CfnImageRecipe):
    """An ``AWS::ImageBuilder::ImageRecipe`` whose EBS volumes are all encrypted with the customer key.

    It is the ``CfnImageRecipe`` itself, with the attributes of
    :class:`~secure_imagebuilder.interfaces.IImageRecipe`, ``grant`` and ``grant_read``. Every
    block-device mapping is ``Encrypted`` with ``KmsKeyId`` = the key and deleted on termination (R5).
    Components are ``IComponent`` s (ours, R10, imported or alpha ones) or AWS-managed ones by ARN (see
    :func:`aws_managed_component`); the ARN of someone else's component is a synth-time error.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: kms.IKey,
        name: str,
        version: str,
        parent_image: ec2.IMachineImage | str,
        components: Sequence[Component],
        volumes: Sequence[RecipeVolume | ec2.BlockDevice] | None = None,
        description: str | None = None,
        working_directory: str | None = None,
        removal_policy: cdk.RemovalPolicy | None = None,
    ) -> None:
        """Create the recipe.

        :param key: the customer managed key of every EBS volume (R5).
        :param name: the recipe name (no sensitive data, R8).
        :param version: ``major.minor.x`` (Image Builder numbers each new recipe, so a recipe replaced
            because a component changed deploys as is) or an exact ``major.minor.patch``.
        :param parent_image: an ``ec2.IMachineImage`` (``ec2.MachineImage.latest_amazon_linux2023()``),
            an image ARN (:func:`aws_managed_image`), an AMI id or an SSM parameter (``ssm:/...``).
        :param components: the components, in the order they run.
        :param volumes: the instance's volumes. Default: - a 30 GiB gp3 root volume ``/dev/xvda``.
        :param description: a description (no sensitive data, R8). Default: - none.
        :param working_directory: where components run. Default: - ``/tmp``.
        :param removal_policy: what happens to this version when it leaves the stack. Default: -
            ``RemovalPolicy.DESTROY``: the recipe lives in your app, and a newer version replaces it.
        """
        key = keys.checked(scope, key, child_id=id)
        problems = ValidationProblems(scope, id)
        checks.require_kinds(problems, removal_policy=(removal_policy, "removal_policy"))
        checked_volumes = recipe_volumes(problems, volumes, key)
        arns = _validate_recipe(
            problems,
            name=name,
            version=version,
            components=components,
            volumes=checked_volumes,
            description=description,
        )
        problems.raise_if_any()
        parent = cdk_types.image_id(problems, scope, parent_image)
        problems.raise_if_any()
        recipe = imagebuilder.CfnImageRecipe
        super().__init__(
            scope,
            id,
            name=name,
            version=version,
            parent_image=parent,
            components=[recipe.ComponentConfigurationProperty(component_arn=arn) for arn in arns],
            block_device_mappings=[
                recipe.InstanceBlockDeviceMappingProperty(
                    device_name=volume.device_name,
                    ebs=recipe.EbsInstanceBlockDeviceSpecificationProperty(**_ebs(key, volume)),
                )
                for volume in checked_volumes or [RecipeVolume()]
            ],
            description=description,
            working_directory=working_directory,
        )
        self._created(key=key, name=name, version=version, removal_policy=removal_policy)

    @classmethod
    def from_image_recipe_arn(cls, scope: Construct, id: str, image_recipe_arn: str) -> ImportedImageRecipe:
        """An image recipe this app does not create, for pipelines and images (ours or the alpha ones)."""
        return ImportedImageRecipe(scope, id, arn=image_recipe_arn)


class EncryptedContainerRecipe(ContainerRecipeAttributes, Created, imagebuilder.CfnContainerRecipe):
    """An ``AWS::ImageBuilder::ContainerRecipe`` encrypted with the customer key (R5, R10).

    It is the ``CfnContainerRecipe`` itself, with the attributes of
    :class:`~secure_imagebuilder.interfaces.IContainerRecipe`. ``KmsKeyId`` is the key (it encrypts the
    Dockerfile template and the image Image Builder keeps), and every EBS volume of the build instance is
    encrypted with it. Images go to ``repository``; by default ``[<id>Repository]``, a new ECR repository
    encrypted with the key, with immutable tags and scan on push, retained (R5).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: kms.IKey,
        name: str,
        version: str,
        parent_image: str,
        components: Sequence[Component],
        repository: ecr.IRepository | None = None,
        dockerfile_template_data: str = defaults.DOCKERFILE_TEMPLATE,
        volumes: Sequence[RecipeVolume | ec2.BlockDevice] | None = None,
        instance_image: str | None = None,
        description: str | None = None,
        working_directory: str | None = None,
        removal_policy: cdk.RemovalPolicy | None = None,
    ) -> None:
        """Create the recipe.

        :param key: the customer managed key of the recipe and every EBS volume (R5).
        :param name: the recipe name (no sensitive data, R8).
        :param version: ``major.minor.x`` (Image Builder numbers each new recipe, so a recipe replaced
            because a component changed deploys as is) or an exact ``major.minor.patch``.
        :param parent_image: the base Docker image, e.g. ``public.ecr.aws/amazonlinux/amazonlinux:2023``.
        :param components: the components, in the order they run.
        :param repository: the ECR repository the image is pushed to. Default: - a new repository
            ``<id>Repository`` beside the recipe: KMS-encrypted with ``key``, immutable tags, scan on push,
            ``RemovalPolicy.RETAIN``.
        :param dockerfile_template_data: the Dockerfile template. Default: - parent image, environments
            and components, nothing else.
        :param volumes: the build instance's volumes. Default: - a 30 GiB gp3 root volume ``/dev/xvda``.
        :param instance_image: the AMI the build instance runs. Default: - Image Builder's ECS-optimized AMI.
        :param description: a description (no sensitive data, R8). Default: - none.
        :param working_directory: where components run. Default: - ``/tmp``.
        :param removal_policy: what happens to this version when it leaves the stack. Default: -
            ``RemovalPolicy.DESTROY``.
        """
        key = keys.checked(scope, key, child_id=id)
        problems = ValidationProblems(scope, id)
        checks.require_kinds(problems, repository=(repository, "repository"))
        if not isinstance(parent_image, str):
            problems.add(
                "a container recipe's parent_image is a Docker image, not a machine image",
                parent_image,
                "pass e.g. 'public.ecr.aws/amazonlinux/amazonlinux:2023'",
            )
        checks.require_kinds(problems, removal_policy=(removal_policy, "removal_policy"))
        checked_volumes = recipe_volumes(problems, volumes, key)
        arns = _validate_recipe(
            problems,
            name=name,
            version=version,
            components=components,
            volumes=checked_volumes,
            description=description,
        )
        problems.raise_if_any()
        self.repository = repository or _secure_repository(scope, f"{id}Repository", key)
        recipe = imagebuilder.CfnContainerRecipe
        mappings = [
            recipe.InstanceBlockDeviceMappingProperty(
                device_name=volume.device_name,
                ebs=recipe.EbsInstanceBlockDeviceSpecificationProperty(**_ebs(key, volume)),
            )
            for volume in checked_volumes or [RecipeVolume()]
        ]
        super().__init__(
            scope,
            id,
            name=name,
            version=version,
            container_type="DOCKER",
            parent_image=parent_image,
            components=[recipe.ComponentConfigurationProperty(component_arn=arn) for arn in arns],
            target_repository=recipe.TargetContainerRepositoryProperty(
                repository_name=self.repository.repository_name, service="ECR"
            ),
            dockerfile_template_data=dockerfile_template_data,
            kms_key_id=keys.arn(key),
            instance_configuration=recipe.InstanceConfigurationProperty(
                block_device_mappings=mappings, image=instance_image
            ),
            description=description,
            working_directory=working_directory,
        )
        self._created(key=key, name=name, version=version, removal_policy=removal_policy)

    @classmethod
    def from_container_recipe_arn(
        cls, scope: Construct, id: str, container_recipe_arn: str
    ) -> ImportedContainerRecipe:
        """A container recipe this app does not create, for pipelines and images."""
        return ImportedContainerRecipe(scope, id, arn=container_recipe_arn)


def _secure_repository(scope: Construct, id: str, key: kms.IKey) -> ecr.Repository:
    """An ECR repository for container images: encrypted with the key, immutable tags, scanned, retained."""
    return ecr.Repository(
        scope,
        id,
        encryption=ecr.RepositoryEncryption.KMS,
        encryption_key=key,
        image_scan_on_push=True,
        image_tag_mutability=ecr.TagMutability.IMMUTABLE,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
