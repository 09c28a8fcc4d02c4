"""Secure-by-default AWS CDK constructs for EC2 Image Builder.

The public API: everything else in this package is private. R-numbers refer to the recommendations of
the AWS data-protection guidance listed in the README.
"""

from secure_imagebuilder.component import EncryptedComponent
from secure_imagebuilder.key import ImageBuilderKey
from secure_imagebuilder.roles import WorkflowExecutionRole
from secure_imagebuilder.roles_anywhere import RolesAnywhereAccess
from secure_imagebuilder.workflow import EncryptedWorkflow

__all__ = [
    "EncryptedComponent",
    "EncryptedWorkflow",
    "ImageBuilderKey",
    "RolesAnywhereAccess",
    "WorkflowExecutionRole",
]
