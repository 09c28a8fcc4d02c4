from pathlib import Path

import aws_cdk as cdk

from secure_imagebuilder import RolesAnywhereAccess

app = cdk.App()
stack = cdk.Stack(app, "BuildHosts")
access = RolesAnywhereAccess(
    stack,
    "OnPremBuildHosts",
    certificate_bundle=Path("certs/build-hosts-ca.pem"),  # the public CA certificate only
    allowed_subjects={"CN": ["build-host-1"]},
)  # access.role has no permissions yet: grant it what the hosts need
