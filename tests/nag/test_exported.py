"""A template copied out of ``cdk.out`` keeps the app's acknowledgements (issue 24 item 6).

With ``secure-imagebuilder:write-acknowledgements`` true, ``cdk synth`` writes the acknowledgements made
with ``Validations.of(...).acknowledge`` into the templates, and re-keys the rewritten templates as assets
so that what the CDK deploys is what it names. A scan of the exported template then agrees with a scan of
the cloud assembly; without the key, the templates are the CDK's, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import shutil
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms

from conftest import CDK_CONTEXT
from secure_imagebuilder import EncryptedComponent, ImageBuilderKey, Platform, WorkflowExecutionRole
from secure_imagebuilder.cli.main import main as scan_main
from secure_imagebuilder.nag import DataProtectionChecks
from secure_imagebuilder.nag.exported import (
    WRITE_ACKNOWLEDGEMENTS_CONTEXT_KEY,
    acknowledge_in_template,
    edited,
    write_acknowledgements,
)
from secure_imagebuilder.rules.engine import assembly

KEY = WRITE_ACKNOWLEDGEMENTS_CONTEXT_KEY
DOC = {
    "schemaVersion": 1.0,
    "phases": [
        {"name": "build", "steps": [{"name": "Hi", "action": "ExecuteBash", "inputs": {"commands": ["hi"]}}]}
    ],
}


def build(app: cdk.App) -> None:
    """A stack and a nested stack, acknowledgements on the app, the stack, a construct and a resource."""
    stack = cdk.Stack(app, "Images")
    key = ImageBuilderKey(stack, "Key")
    WorkflowExecutionRole(stack, "ExecRole", key=key)
    EncryptedComponent(
        stack, "Hello", key=key, name="hello", version="1.0.0", platform=Platform.LINUX, data=DOC
    )
    loose = kms.Key(stack, "Loose", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.DESTROY)
    nested = cdk.NestedStack(stack, "Logs")
    nested_key = kms.Key(nested, "NestedKey", removal_policy=cdk.RemovalPolicy.DESTROY)
    ack = cdk.Validations.of
    ack(app).acknowledge(cdk.Acknowledgment(id="DataProtection-SD1", reason="app-wide, for the test"))
    ack(stack).acknowledge(cdk.Acknowledgment(id="DataProtection-AUD1", reason="organization trail"))
    ack(loose).acknowledge(cdk.Acknowledgment(id="DataProtection-KMS2", reason="scratch key"))
    ack(nested_key).acknowledge(cdk.Acknowledgment(id="DataProtection-KMS1", reason="rotated by hand"))
    ack(nested_key).acknowledge(cdk.Acknowledgment(id="DataProtection-KMS2", reason="scratch key"))
    ack(stack).acknowledge(cdk.Acknowledgment(id="AwsSolutions-IAM5", reason="not this pack's"))


def synthesize(outdir: pathlib.Path, *, write: object = None) -> pathlib.Path:
    context = {**CDK_CONTEXT, **({} if write is None else {KEY: write})}
    app = cdk.App(
        context=context,
        outdir=str(outdir),
        analytics_reporting=False,
        builtin_cloud_formation_validation=False,
    )
    build(app)
    cdk.Validations.of(app).add_plugins(DataProtectionChecks(app))
    app.synth()
    return outdir


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pathlib.Path]:
    root = tmp_path_factory.mktemp("assemblies")
    return {
        "written": synthesize(root / "written", write=True),
        "plain": synthesize(root / "plain"),
    }


def template(outdir: pathlib.Path, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((outdir / name).read_text())
    return loaded


def nested_name(outdir: pathlib.Path) -> str:
    (name,) = [p.name for p in outdir.glob("*.nested.template.json")]
    return name


def suppress(metadata: dict[str, Any]) -> dict[str, str]:
    return {e["id"]: e["reason"] for e in metadata.get("cdk_nag", {}).get("rules_to_suppress", [])}


def logical_id(body: dict[str, Any], prefix: str, kind: str = "") -> str:
    (found,) = [k for k, r in body["Resources"].items() if k.startswith(prefix) and kind in r["Type"]]
    return found


def test_stack_wide_acknowledgements_go_to_the_top_level_metadata(
    assemblies: dict[str, pathlib.Path],
) -> None:
    body = template(assemblies["written"], "Images.template.json")
    assert suppress(body["Metadata"]) == {
        "DataProtection-AUD1": "organization trail",
        "DataProtection-SD1": "app-wide, for the test",
    }  # the pack's own ids only: AwsSolutions-IAM5 is not written
    nested = template(assemblies["written"], nested_name(assemblies["written"]))
    assert suppress(nested["Metadata"]) == suppress(body["Metadata"])


def test_a_constructs_acknowledgements_go_to_its_resources(assemblies: dict[str, pathlib.Path]) -> None:
    body = template(assemblies["written"], "Images.template.json")
    loose = body["Resources"][logical_id(body, "Loose")]
    assert suppress(loose["Metadata"]) == {"DataProtection-KMS2": "scratch key"}
    nested = template(assemblies["written"], nested_name(assemblies["written"]))
    key = nested["Resources"][logical_id(nested, "NestedKey")]
    assert suppress(key["Metadata"]) == {
        "DataProtection-KMS1": "rotated by hand",
        "DataProtection-KMS2": "scratch key",
    }
    # what our constructs wrote stays as it was, and the stack-wide ones are not repeated on it
    role = body["Resources"][logical_id(body, "ExecRole", "IAM::Role")]
    plain = template(assemblies["plain"], "Images.template.json")
    assert "AwsSolutions-IAM4" in str(role["Metadata"]["cdk_nag"])
    assert role["Metadata"] == plain["Resources"][logical_id(plain, "ExecRole", "IAM::Role")]["Metadata"]


def test_without_the_context_key_the_templates_are_the_cdks(assemblies: dict[str, pathlib.Path]) -> None:
    body = template(assemblies["plain"], "Images.template.json")
    assert "cdk_nag" not in body.get("Metadata", {})
    loose = body["Resources"][logical_id(body, "Loose")]
    assert "cdk_nag" not in loose.get("Metadata", {})


def scan_json(path: pathlib.Path, report: pathlib.Path) -> list[tuple[str, str, bool]]:
    scan_main(["scan", str(path), "--format", "json", "--output", str(report)])
    findings = json.loads(report.read_text())["findings"]
    return sorted((f["id"], f["logicalId"] or "<stack>", f["suppressed"]) for f in findings)


@pytest.mark.parametrize("which", ["written", "plain"])
def test_a_scan_of_the_exported_templates_agrees_with_the_assembly(
    assemblies: dict[str, pathlib.Path], which: str, tmp_path: pathlib.Path
) -> None:
    outdir = assemblies[which]
    exported = tmp_path / "exported"
    exported.mkdir()
    for name in ("Images.template.json", nested_name(outdir)):
        shutil.copy(outdir / name, exported / name)
    in_assembly = scan_json(outdir, tmp_path / "assembly.json")
    copied = scan_json(exported, tmp_path / "copied.json")
    assert ("DataProtection-AUD1", "<stack>", True) in in_assembly
    if which == "written":
        # Outside the assembly a nested stack's TemplateURL names an asset the scanner cannot follow: it
        # scans the nested template as its own file, and says so on the parent's nested stack (CFN2).
        parent = json.loads((outdir / "Images.template.json").read_text())["Resources"]
        (nested,) = [name for name, r in parent.items() if r["Type"] == "AWS::CloudFormation::Stack"]
        unread = ("DataProtection-CFN2[Resources." + nested + "]", "<stack>", False)
        assert copied == sorted([*in_assembly, unread])
    else:  # why the key exists: the copy lost the app's acknowledgements
        assert ("DataProtection-AUD1", "<stack>", False) in copied


def asset_entries(outdir: pathlib.Path) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = json.loads((outdir / "Images.assets.json").read_text())["files"]
    return {entry["source"]["path"]: {"key": key, **entry} for key, entry in files.items()}


def test_rewritten_templates_are_published_under_their_new_content_hash(
    assemblies: dict[str, pathlib.Path],
) -> None:
    outdir = assemblies["written"]
    entries = asset_entries(outdir)
    nested = nested_name(outdir)
    for name in ("Images.template.json", nested):
        key = entries[name]["key"]
        assert key == hashlib.sha256((outdir / name).read_bytes()).hexdigest(), name
        for destination in entries[name]["destinations"].values():
            assert destination["objectKey"] == f"{key}.json"
    # the parent names the nested template by its new key; the stack artifact names its template's
    assert f"{entries[nested]['key']}.json" in (outdir / "Images.template.json").read_text()
    manifest = json.loads((outdir / "manifest.json").read_text())
    url = manifest["artifacts"]["Images"]["properties"]["stackTemplateAssetObjectUrl"]
    assert url.endswith(f"/{entries['Images.template.json']['key']}.json")
    # no file still names a key the CDK gave a template before it was rewritten
    old_keys = {entry["key"] for entry in asset_entries(assemblies["plain"]).values()}
    for path in outdir.iterdir():
        if path.is_file():
            text = path.read_text()
            assert not [k for k in old_keys if k in text], path.name


def test_writing_again_changes_nothing(assemblies: dict[str, pathlib.Path]) -> None:
    outdir = assemblies["written"]
    stacks = assembly.read_stack_artifact(outdir / "Images.template.json")
    assert write_acknowledgements(stacks) == []


@pytest.mark.parametrize("value", ["1", "yes", 1])
def test_a_context_value_that_is_not_true_or_false_fails_synthesis(
    value: object, tmp_path: pathlib.Path
) -> None:
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        synthesize(tmp_path / "bad", write=value)


def is_subsequence(part: list[str], whole: list[str]) -> bool:
    remaining = iter(whole)
    return all(line in remaining for line in part)


@pytest.mark.parametrize("layout", ["cdk", "compact"])
def test_only_the_metadata_is_written_again_in_the_cdks_layout(
    assemblies: dict[str, pathlib.Path], layout: str
) -> None:
    outdir = assemblies["plain"]
    (stack, _nested) = assembly.read_stack_artifact(outdir / "Images.template.json")
    text = (outdir / "Images.template.json").read_text()
    if layout == "compact":
        text = json.dumps(json.loads(text), separators=(",", ":"))
    body = json.loads(text)
    changed = acknowledge_in_template(body, stack)
    assert changed == [None, logical_id(body, "Loose")]
    result = edited(text, body, changed)
    assert json.loads(result) == body
    if layout == "cdk":  # every line the CDK wrote is still there, in order: the edit only inserted
        assert is_subsequence(text.split("\n"), result.split("\n"))
        assert len(result.split("\n")) > len(text.split("\n"))
    else:  # another layout: the template is written whole, in the CDK's
        assert result == json.dumps(body, indent=1, ensure_ascii=False)


def test_its_cost_is_measured_in_docs_nag_md_and_the_write_step_is_a_small_share() -> None:
    """The section bench/exported.py writes: a row per size, and the write step's share of AwsSolutions'."""
    from conftest import REPO

    text = (REPO / "docs" / "nag.md").read_text()
    section = text[
        text.index("<!-- begin: generated by bench/exported.py -->") : text.index("<!-- end: generated")
    ]
    rows = [
        line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| ") and "---" not in line
    ]
    column = [cell.strip() for cell in rows[0]].index("write step / AwsSolutions")
    sizes = {row[0].strip(): float(row[column]) for row in rows[1:]}
    assert set(sizes) == {"300", "1000"}, "docs/nag.md: run `python bench/exported.py`"
    assert all(share <= 0.5 for share in sizes.values()), sizes


def test_a_key_named_in_another_assembly_is_re_keyed_there_too(tmp_path: pathlib.Path) -> None:
    """A CDK Pipelines stack names its stages' assets in its own template: it follows, and is re-keyed."""
    app = cdk.App(
        context=CDK_CONTEXT,
        outdir=str(tmp_path),
        analytics_reporting=False,
        builtin_cloud_formation_validation=False,
    )
    stage = cdk.Stage(app, "Prod")
    images = cdk.Stack(stage, "Images")
    loose = kms.Key(images, "Loose", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.DESTROY)
    cdk.Validations.of(loose).acknowledge(cdk.Acknowledgment(id="DataProtection-KMS2", reason="scratch key"))
    pipeline = cdk.Stack(app, "Pipeline")
    cdk.CfnResource(pipeline, "Publish", type="AWS::SNS::Topic", properties={"TopicName": "STAGE-KEY"})
    app.synth()
    stage_dir = tmp_path / "assembly-Prod"
    stage_template = next(stage_dir.glob("*.template.json"))
    stage_key = next(
        k for k, e in json.loads(next(stage_dir.glob("*.assets.json")).read_text())["files"].items()
    )
    root_template = tmp_path / "Pipeline.template.json"
    root_template.write_text(root_template.read_text().replace("STAGE-KEY", f"hash:{stage_key}"))
    pipeline_key = _key_of(tmp_path / "Pipeline.assets.json", "Pipeline.template.json")

    stacks = [
        *assembly.read_stack_artifact(stage_template),
        *assembly.read_stack_artifact(root_template),
    ]
    write_acknowledgements(stacks)

    new_stage_key = _key_of(next(stage_dir.glob("*.assets.json")), stage_template.name)
    assert new_stage_key == hashlib.sha256(stage_template.read_bytes()).hexdigest() != stage_key
    assert f"hash:{new_stage_key}" in root_template.read_text()
    new_pipeline_key = _key_of(tmp_path / "Pipeline.assets.json", "Pipeline.template.json")
    assert new_pipeline_key == hashlib.sha256(root_template.read_bytes()).hexdigest() != pipeline_key
    url = json.loads((tmp_path / "manifest.json").read_text())["artifacts"]["Pipeline"]["properties"]
    assert url["stackTemplateAssetObjectUrl"].endswith(f"/{new_pipeline_key}.json")
    for path in tmp_path.rglob("*.json"):
        assert stage_key not in path.read_text() and pipeline_key not in path.read_text(), path


def _key_of(asset_manifest: pathlib.Path, template_name: str) -> str:
    files = json.loads(asset_manifest.read_text())["files"]
    (key,) = [k for k, entry in files.items() if entry["source"]["path"] == template_name]
    return str(key)
