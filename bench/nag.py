"""Cost of DataProtectionChecks against AwsSolutionsChecks on apps of 1, 100 and 1000 Image Builder resources.

``section(repeats)`` returns the markdown for docs/benchmarks.md. Each measurement runs in a fresh
process (``python bench/nag.py run <count> <pack>``) that builds the app, then times ``app.synth()``
in-process with ``time.perf_counter`` (app construction and jsii start-up excluded); the table shows
medians over ``repeats`` runs. The time a pack adds is its synth median minus the median without a pack.

The app: ``count`` Image Builder L1 resources, cycling through component, workflow, image recipe,
infrastructure configuration and distribution configuration, all compliant, sharing one KMS key per
stack, at most 400 resources per stack (a stack holds at most 500).

The pack also reports how many jsii messages Python sends while the pack runs: constant in the synth
path (the pack reads the synthesized templates), one per resource plus a few per stack in
``validate_scope`` (tree path).
"""

from __future__ import annotations

import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
from typing import Any

REPO = pathlib.Path(__file__).resolve().parent.parent
COUNTS = (1, 100, 300, 1000)
# Issue 8's bound: the pack adds at most half of what AwsSolutionsChecks adds, at 300 and 1000 resources.
MAX_RATIO = 0.5
PACKS = ("none", "aws-solutions", "data-protection")
PER_STACK = 400
DOC = (
    "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Hello\n"
    "        action: ExecuteBash\n        inputs:\n          commands: [echo hello]\n"
)


def build_app(count: int) -> Any:
    """An app of ``count`` compliant Image Builder resources, spread over stacks of 400."""
    import aws_cdk as cdk
    from aws_cdk import aws_imagebuilder as ib
    from aws_cdk import aws_kms as kms

    context = json.loads((REPO / "cdk.json").read_text())["context"]
    context.pop("secure-imagebuilder:versions-file", None)
    app = cdk.App(context=context, analytics_reporting=False, builtin_cloud_formation_validation=False)
    for first in range(0, count, PER_STACK):
        stack = cdk.Stack(app, f"Bench{first // PER_STACK}")
        # Findings cost report entries: the app stays compliant, with what lies outside it acknowledged.
        cdk.Validations.of(stack).acknowledge(
            cdk.Acknowledgment(id="DataProtection-AUD1", reason="org trail"),
            cdk.Acknowledgment(id="DataProtection-IB9", reason="instance profile managed by the platform"),
        )
        key = kms.Key(stack, "Key", enable_key_rotation=True).key_arn
        imds = ib.CfnInfrastructureConfiguration.InstanceMetadataOptionsProperty(http_tokens="required")
        logs = ib.CfnInfrastructureConfiguration.LoggingProperty(
            s3_logs=ib.CfnInfrastructureConfiguration.S3LogsProperty(s3_bucket_name="logs")
        )
        ami = ib.CfnDistributionConfiguration.DistributionProperty(
            region="us-west-2",
            ami_distribution_configuration={"KmsKeyId": key, "Name": "ami-{{ imagebuilder:buildDate }}"},
        )
        component = ib.CfnImageRecipe.ComponentConfigurationProperty(
            component_arn="arn:aws:imagebuilder:us-west-2:aws:component/update-linux/x.x.x"
        )
        for i in range(first, min(count, first + PER_STACK)):
            name, kind = f"resource-{i}", i % 5
            if kind == 0:
                ib.CfnComponent(
                    stack, name, name=name, platform="Linux", version="1.0.0", data=DOC, kms_key_id=key
                )
            elif kind == 1:
                ib.CfnWorkflow(
                    stack, name, name=name, version="1.0.0", type="BUILD", data=DOC, kms_key_id=key
                )
            elif kind == 2:
                ib.CfnImageRecipe(
                    stack, name, name=name, version="1.0.0", parent_image="ami-1", components=[component]
                )
            elif kind == 3:
                ib.CfnInfrastructureConfiguration(
                    stack,
                    name,
                    name=name,
                    instance_profile_name="p",
                    instance_metadata_options=imds,
                    logging=logs,
                )
            else:
                ib.CfnDistributionConfiguration(stack, name, name=name, distributions=[ami])
    return app


def count_messages() -> list[int]:
    """Patch jsii so that every message Python sends to Node is counted (a one-element counter)."""
    from jsii._kernel.providers import process

    counter = [0]
    original = process._NodeProcess.send

    def send(self: Any, request: Any, response_type: Any) -> Any:
        counter[0] += 1
        return original(self, request, response_type)

    process._NodeProcess.send = send  # type: ignore[method-assign]
    return counter


def run_once(count: int, pack: str) -> dict[str, float]:
    """Build the app, time ``app.synth()`` with ``pack`` registered (in this process)."""
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks

    from secure_imagebuilder.nag import DataProtectionChecks

    app = build_app(count)
    if pack == "aws-solutions":
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks())
    elif pack == "data-protection":
        cdk.Validations.of(app).add_plugins(DataProtectionChecks(app))
    counter = count_messages()
    start = time.perf_counter()
    app.synth()
    synth = time.perf_counter() - start
    result = {"synth": synth, "messages": float(counter[0])}
    if pack == "data-protection":
        fresh = build_app(count)
        counter[0] = 0
        start = time.perf_counter()
        DataProtectionChecks().validate_scope(fresh)
        result["tree_total"] = time.perf_counter() - start
        result["tree_messages"] = float(counter[0])
    return result


def measure(count: int, pack: str, repeats: int) -> dict[str, float]:
    """Medians over ``repeats`` fresh processes."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}
    runs = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, __file__, "run", str(count), pack],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def section(repeats: int = 5) -> str:
    """The markdown section: synth medians per pack, time added, per resource, and the ratio."""
    rows = [
        "| resources | no pack (s) | + AwsSolutionsChecks (s) | + DataProtectionChecks (s) "
        "| added by AwsSolutions (ms/resource) | added by DataProtection (ms/resource) | DataProtection / "
        "AwsSolutions "
        "| jsii messages (synth) | `validate_scope` (s, messages) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count in COUNTS:
        t = {pack: measure(count, pack, repeats) for pack in PACKS}
        base = t["none"]["synth"]
        aws, ours = t["aws-solutions"]["synth"] - base, t["data-protection"]["synth"] - base
        ratio = f"{ours / aws:.2f}" if aws > 0 else "n/a"
        dp = t["data-protection"]
        rows.append(
            f"| {count} | {base:.2f} | {t['aws-solutions']['synth']:.2f} | {dp['synth']:.2f} "
            f"| {aws / count * 1000:.2f} | {ours / count * 1000:.2f} | {ratio} "
            f"| {dp['messages'] - t['none']['messages']:.0f} | {dp['tree_total']:.2f}, "
            f"{dp['tree_messages']:.0f} |"
        )
        print(rows[-1], file=sys.stderr, flush=True)
    intro = " ".join(
        [
            "In-process `app.synth()` time (perf_counter, app construction and jsii start-up excluded),",
            f"median of {repeats} fresh processes per cell; time added = synth with the pack minus synth",
            "without a pack (the CDK's own validation-report machinery is included in both packs' numbers).",
            "The app: N compliant Image Builder L1 resources (component, workflow, image recipe,",
            "infrastructure and distribution configuration in turn), one KMS key per stack, 400 resources",
            "per stack; AUD1 (the trail) and IB9 (the instance profile) are acknowledged on each stack, so",
            "DataProtectionChecks has no finding to report. *jsii messages (synth)*: messages Python sends",
            "to Node during synth with",
            "DataProtectionChecks, minus without a pack (constant: the pack reads the synthesized",
            "templates). *validate_scope*: the unit-test entry point, which synthesizes the app itself",
            "(time and jsii messages for a freshly built app).",
            f"Bound: DataProtection / AwsSolutions <= {MAX_RATIO} at 300 and 1000 resources.",
        ]
    )
    return "## DataProtectionChecks vs AwsSolutionsChecks\n\n" + intro + "\n\n" + "\n".join(rows) + "\n"


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "run":
        print(json.dumps(run_once(int(sys.argv[2]), sys.argv[3])))
    else:
        print(section(int(os.environ.get("BENCH_REPEATS", "5"))))
