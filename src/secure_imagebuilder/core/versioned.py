"""What every encrypted, versioned Image Builder resource of this library has in common.

Components, workflows and recipes are published as immutable ``name``/``version`` pairs encrypted with
the customer key; each construct wraps one L1 (``resource``, construct id ``"Resource"``).
"""

from __future__ import annotations

from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct


class VersionedResource(Construct):
    """Base of the constructs that publish one encrypted Image Builder resource version."""

    def _adopt(
        self,
        resource: cdk.CfnResource,
        *,
        key: kms.IKey,
        name: str,
        version: str,
        removal_policy: cdk.RemovalPolicy | None,
    ) -> None:
        """Record the L1 and the attributes every such construct exposes."""
        if removal_policy is not None:
            resource.apply_removal_policy(removal_policy)
        self.key = key
        self.name = name
        self.version = version
        self._l1 = resource
        self._arn: str | None = None

    @property
    def arn(self) -> str:
        """The ARN of this version (read from the L1 on first use: one jsii call fewer per construct)."""
        if self._arn is None:
            self._arn = str(cast(Any, self._l1).attr_arn)
        return self._arn
