"""Secure-by-default AWS CDK constructs for EC2 Image Builder.

The public API: everything else in this package is private. R-numbers refer to the recommendations in
docs/recommendations.md. Names load lazily (PEP 562): ``import secure_imagebuilder.rules`` (the scanner)
does not import ``aws_cdk``, and an app pays only for the constructs it uses. The core package installs
only the scanner; a construct imported without the ``cdk`` extra is an ``ImportError`` that names it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from secure_imagebuilder.audit import ImageBuilderAuditTrail
    from secure_imagebuilder.component import EncryptedComponent
    from secure_imagebuilder.distribution import (
        AmiSsmParameter,
        DistributionRegion,
        SecureDistributionConfiguration,
    )
    from secure_imagebuilder.endpoints import ImageBuilderVpcEndpoints
    from secure_imagebuilder.enums import Platform, WorkflowType
    from secure_imagebuilder.image import SecureImage
    from secure_imagebuilder.infrastructure import SecureInfrastructureConfiguration
    from secure_imagebuilder.interfaces import (
        IComponent,
        IContainerRecipe,
        IDistributionConfiguration,
        IImageRecipe,
        IInfrastructureConfiguration,
        IWorkflow,
    )
    from secure_imagebuilder.key import ImageBuilderKey
    from secure_imagebuilder.lifecycle import LifecycleExecutionRole, SecureLifecyclePolicy
    from secure_imagebuilder.logs import ImageBuilderLogBucket, ImageBuilderLogGroup
    from secure_imagebuilder.notifications import ImageBuilderNotificationTopic
    from secure_imagebuilder.pipeline import SecureImagePipeline
    from secure_imagebuilder.recipe import (
        EncryptedContainerRecipe,
        EncryptedImageRecipe,
        RecipeVolume,
        aws_managed_component,
        aws_managed_image,
    )
    from secure_imagebuilder.roles import BuildInstanceRole, WorkflowExecutionRole
    from secure_imagebuilder.rolesanywhere.access import RolesAnywhereAccess
    from secure_imagebuilder.workflow import EncryptedWorkflow

# Public name -> the module that defines it.
_MODULES = {
    "AmiSsmParameter": "distribution",
    "BuildInstanceRole": "roles",
    "DistributionRegion": "distribution",
    "EncryptedComponent": "component",
    "EncryptedContainerRecipe": "recipe",
    "EncryptedImageRecipe": "recipe",
    "EncryptedWorkflow": "workflow",
    "IComponent": "interfaces",
    "IContainerRecipe": "interfaces",
    "IDistributionConfiguration": "interfaces",
    "IImageRecipe": "interfaces",
    "IInfrastructureConfiguration": "interfaces",
    "IWorkflow": "interfaces",
    "ImageBuilderAuditTrail": "audit",
    "ImageBuilderKey": "key",
    "ImageBuilderLogBucket": "logs",
    "ImageBuilderLogGroup": "logs",
    "ImageBuilderNotificationTopic": "notifications",
    "ImageBuilderVpcEndpoints": "endpoints",
    "LifecycleExecutionRole": "lifecycle",
    "Platform": "enums",
    "RecipeVolume": "recipe",
    "RolesAnywhereAccess": "rolesanywhere.access",
    "SecureDistributionConfiguration": "distribution",
    "SecureImage": "image",
    "SecureImagePipeline": "pipeline",
    "SecureInfrastructureConfiguration": "infrastructure",
    "SecureLifecyclePolicy": "lifecycle",
    "WorkflowExecutionRole": "roles",
    "WorkflowType": "enums",
    "aws_managed_component": "recipe",
    "aws_managed_image": "recipe",
}

__all__ = [
    "AmiSsmParameter",
    "BuildInstanceRole",
    "DistributionRegion",
    "EncryptedComponent",
    "EncryptedContainerRecipe",
    "EncryptedImageRecipe",
    "EncryptedWorkflow",
    "IComponent",
    "IContainerRecipe",
    "IDistributionConfiguration",
    "IImageRecipe",
    "IInfrastructureConfiguration",
    "IWorkflow",
    "ImageBuilderAuditTrail",
    "ImageBuilderKey",
    "ImageBuilderLogBucket",
    "ImageBuilderLogGroup",
    "ImageBuilderNotificationTopic",
    "ImageBuilderVpcEndpoints",
    "LifecycleExecutionRole",
    "Platform",
    "RecipeVolume",
    "RolesAnywhereAccess",
    "SecureDistributionConfiguration",
    "SecureImage",
    "SecureImagePipeline",
    "SecureInfrastructureConfiguration",
    "SecureLifecyclePolicy",
    "WorkflowExecutionRole",
    "WorkflowType",
    "aws_managed_component",
    "aws_managed_image",
]


# What the `cdk` extra installs (pyproject.toml): without it, only the scanner and the rules import.
_CDK_EXTRA_MODULES = frozenset({"aws_cdk", "constructs", "cdk_nag", "jsii", "cryptography"})


def _missing_extra(error: ModuleNotFoundError, what: str) -> ImportError | None:
    """The error to raise when ``what`` failed to import because the ``cdk`` extra is not installed.

    ``None`` when the missing module is not one the extra brings (a bug to surface as it is).
    """
    root = (error.name or "").partition(".")[0]
    if root not in _CDK_EXTRA_MODULES:
        return None
    return ImportError(
        f"{what} needs the AWS CDK, which the core package (the scanner) does not install; "
        f"install the cdk extra: pip install 'cdk-secure-imagebuilder[cdk]' (missing module: {error.name})",
        name=error.name,
    )


def __getattr__(name: str) -> Any:
    """Import the module that defines a public name on first use."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'secure_imagebuilder' has no attribute {name!r}")
    try:
        defining = importlib.import_module(f"secure_imagebuilder.{module}")
    except ModuleNotFoundError as error:
        clear = _missing_extra(error, f"secure_imagebuilder.{name}")
        if clear is None:
            raise
        raise clear from error
    value = getattr(defining, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULES))
