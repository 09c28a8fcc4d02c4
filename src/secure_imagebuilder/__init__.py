"""Secure-by-default AWS CDK constructs for EC2 Image Builder.

The public API: everything else in this package is private. R-numbers refer to the recommendations of
the AWS data-protection guidance listed in the README.
"""

from secure_imagebuilder.audit import ImageBuilderAuditTrail
from secure_imagebuilder.component import EncryptedComponent
from secure_imagebuilder.distribution import DistributionRegion, SecureDistributionConfiguration
from secure_imagebuilder.endpoints import ImageBuilderVpcEndpoints
from secure_imagebuilder.image import SecureImage
from secure_imagebuilder.infrastructure import SecureInfrastructureConfiguration
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

__all__ = [
    "BuildInstanceRole",
    "DistributionRegion",
    "EncryptedComponent",
    "EncryptedContainerRecipe",
    "EncryptedImageRecipe",
    "EncryptedWorkflow",
    "ImageBuilderAuditTrail",
    "ImageBuilderKey",
    "ImageBuilderLogBucket",
    "ImageBuilderLogGroup",
    "ImageBuilderNotificationTopic",
    "ImageBuilderVpcEndpoints",
    "LifecycleExecutionRole",
    "RecipeVolume",
    "RolesAnywhereAccess",
    "SecureDistributionConfiguration",
    "SecureImage",
    "SecureImagePipeline",
    "SecureInfrastructureConfiguration",
    "SecureLifecyclePolicy",
    "WorkflowExecutionRole",
    "aws_managed_component",
    "aws_managed_image",
]
