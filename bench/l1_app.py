"""The resources of ``app.py`` written as raw L1 ``CfnResource``s, for the ratio in docs/benchmarks.md.

It replays the templates that ``app.py`` synthesized into ``cdk.out/`` (run ``app.py`` first; ``bench/run.py``
does), one ``CfnResource`` per resource with the same logical id, properties and policies, and registers
the same nag packs. The difference in synth time is the cost of our constructs over hand-written L1.
"""

from __future__ import annotations

import json
import pathlib
import tempfile

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from secure_imagebuilder.nag import DataProtectionChecks

TEMPLATES = pathlib.Path(__file__).resolve().parent / "out" / "app"


def main() -> None:
    with tempfile.TemporaryDirectory() as outdir:
        app = cdk.App(outdir=outdir, analytics_reporting=False, builtin_cloud_formation_validation=True)
        for file in sorted(TEMPLATES.glob("*.template.json")):
            stack = cdk.Stack(app, file.name.removesuffix(".template.json"))
            for logical_id, resource in json.loads(file.read_text()).get("Resources", {}).items():
                if resource["Type"] == "AWS::CDK::Metadata":
                    continue
                cfn = cdk.CfnResource(
                    stack, logical_id, type=resource["Type"], properties=resource.get("Properties")
                )
                cfn.override_logical_id(logical_id)
                if "DeletionPolicy" in resource:
                    cfn.add_override("DeletionPolicy", resource["DeletionPolicy"])
                    cfn.add_override(
                        "UpdateReplacePolicy", resource.get("UpdateReplacePolicy", resource["DeletionPolicy"])
                    )
                if "DependsOn" in resource:
                    cfn.add_override("DependsOn", resource["DependsOn"])
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(), DataProtectionChecks(app))
        app.synth()


if __name__ == "__main__":
    main()
