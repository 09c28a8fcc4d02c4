"""The public API is a promise: every name users import today still imports (never renamed or removed)."""

from __future__ import annotations

import importlib

import pytest

PUBLIC_API = [
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
    "alpha.apply_secure_defaults",
    "aws_managed_component",
    "aws_managed_image",
    "nag.DataProtectionChecks",
    "nag.FIPS_CONTEXT_KEY",
    "nag.PACK_NAME",
    "nag.RULES",
    "testing.assert_compliant",
    "testing.normalized_template",
]


@pytest.mark.parametrize("name", PUBLIC_API)
def test_every_public_name_imports(name: str) -> None:
    module_name, _, attribute = f"secure_imagebuilder.{name}".rpartition(".")
    assert getattr(importlib.import_module(module_name), attribute) is not None


def test_the_package_lists_its_public_names() -> None:
    import secure_imagebuilder

    top_level = {name for name in PUBLIC_API if "." not in name}
    assert top_level <= set(secure_imagebuilder.__all__)
    assert set(secure_imagebuilder.__all__) <= set(dir(secure_imagebuilder))
