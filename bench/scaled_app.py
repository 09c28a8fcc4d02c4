"""A benchmark app: N encrypted Image Builder components, written with our constructs or as raw L1.

Run as ``python bench/scaled_app.py <l3|l1> <count> <nag|nonag>``; it synthesizes into a temporary
folder and exits. ``l1`` writes the same resources (a CfnKey with the same policy, CfnComponents with
the same properties) by hand and imports only ``aws_cdk`` (the packs only with ``nag``), so the
difference is the whole cost of the library, its import included.
"""

from __future__ import annotations

import sys
import tempfile

import aws_cdk as cdk
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms

PER_STACK = 400  # a stack holds at most 500 resources
DOCUMENT = """\
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecuteBash
        inputs:
          commands: [echo hello]
"""


def l3_stack(app: cdk.App, name: str, count: int) -> None:
    # Imported here: the raw L1 baseline must not pay for importing this library.
    from secure_imagebuilder import EncryptedComponent, ImageBuilderKey, Platform

    stack = cdk.Stack(app, name)
    key = ImageBuilderKey(stack, "Key")
    for i in range(count):
        EncryptedComponent(
            stack,
            f"C{i}",
            key=key,
            name=f"component-{i}",
            version="1.0.0",
            platform=Platform.LINUX,
            data=DOCUMENT,
        )


def l1_stack(app: cdk.App, name: str, count: int) -> None:
    stack = cdk.Stack(app, name)
    key = kms.CfnKey(
        stack,
        "Key",
        enable_key_rotation=True,
        pending_window_in_days=30,
        description=f"Encrypts EC2 Image Builder data of stack {name}",
        key_policy={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowAccountRootToAdministerKey",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{stack.partition}:iam::{stack.account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        },
    )
    key.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    for i in range(count):
        imagebuilder.CfnComponent(
            stack,
            f"C{i}",
            name=f"component-{i}",
            version="1.0.0",
            platform="Linux",
            data=DOCUMENT,
            kms_key_id=key.attr_arn,
        )


def main(kind: str, count: int, nag: bool) -> None:
    with tempfile.TemporaryDirectory() as outdir:
        app = cdk.App(outdir=outdir, analytics_reporting=False, builtin_cloud_formation_validation=False)
        build = l3_stack if kind == "l3" else l1_stack
        for index, start in enumerate(range(0, max(count, 1), PER_STACK)):
            build(app, f"Bench{index}", min(PER_STACK, count - start) if count else 0)
        if nag:
            from cdk_nag import AwsSolutionsChecks

            from secure_imagebuilder.nag import DataProtectionChecks

            cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(), DataProtectionChecks(app))
        app.synth()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3] == "nag")
