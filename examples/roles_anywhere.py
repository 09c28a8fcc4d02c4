"""On-premises build hosts get short-lived AWS credentials from their X.509 certificate (R19).

The CA certificate and CRL are public files; the hosts' private keys never leave the hosts.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from secure_imagebuilder import RolesAnywhereAccess
from secure_imagebuilder.nag import DataProtectionChecks

CERTS = Path(__file__).parent / "certs"


def build(app: cdk.App, env: cdk.Environment | None = None) -> list[cdk.Stack]:
    """Create the example stack in ``app`` and return it.

    ``env`` pins the stack's account and Region (default: environment-agnostic).
    """
    stack = cdk.Stack(app, "RolesAnywhereExample", env=env)
    access = RolesAnywhereAccess(
        stack,
        "OnPremBuildHosts",
        certificate_bundle=CERTS / "build-hosts-ca.pem",
        crl=CERTS / "build-hosts-ca.crl.pem",
        allowed_subjects={"CN": ["build-host-1", "build-host-2"]},
        session_duration=cdk.Duration.hours(1),
    )
    # What the hosts pass to aws_signing_helper credential-process.
    cdk.CfnOutput(stack, "TrustAnchorArn", value=access.trust_anchor_arn)
    cdk.CfnOutput(stack, "ProfileArn", value=access.profile_arn)
    cdk.CfnOutput(stack, "RoleArn", value=access.role.role_arn)
    return [stack]


if __name__ == "__main__":
    app = cdk.App()
    build(app)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(), DataProtectionChecks(app))
    app.synth()
