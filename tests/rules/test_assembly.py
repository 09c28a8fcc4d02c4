"""Cloud assemblies and templates as stacks (rules.engine.assembly): read in process, as both front ends do.

The refusals through the command line are in tests/cli/test_assembly_inputs.py; these check what the
reader hands the rules: lines, the files it opened, acknowledgements written in the template itself.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from secure_imagebuilder.rules.engine import assembly
from secure_imagebuilder.rules.engine.assembly import AssemblyError, AssemblyReader
from secure_imagebuilder.rules.engine.run import evaluate

COMPONENT = {
    "Type": "AWS::ImageBuilder::Component",
    "Properties": {
        "Name": "hello",
        "Version": "1.0.0",
        "Platform": "Linux",
        "KmsKeyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "Data": "schemaVersion: 1.0",
    },
}


def write(path: pathlib.Path, value: Any) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value if isinstance(value, str) else json.dumps(value, indent=1))
    return path


def stack_artifact(template_file: str, **extra: Any) -> dict[str, Any]:
    return {"type": "aws:cloudformation:stack", "properties": {"templateFile": template_file}, **extra}


def manifest(outdir: pathlib.Path, artifacts: Any) -> pathlib.Path:
    return write(outdir / "manifest.json", {"version": "36.0.0", "artifacts": artifacts})


def test_the_reader_keeps_lines_and_the_files_it_opened(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "S.template.json", {"Resources": {"Other": {"Type": "AWS::SNS::Topic"}, "C": COMPONENT}})
    write(tmp_path / "S.metadata.json", {"/S/C/Resource": [{"type": "aws:cdk:logicalId", "data": "C"}]})
    manifest(tmp_path, {"S": stack_artifact("S.template.json", additionalMetadataFile="S.metadata.json")})
    reader = AssemblyReader(tmp_path)
    (stack,) = reader.assembly()
    assert reader.lines == {str(tmp_path / "S.template.json"): {"Other": 3, "C": 6}}
    assert reader.files == {
        tmp_path / name for name in ("manifest.json", "S.template.json", "S.metadata.json")
    }
    assert stack.by_logical_id["C"].path == "S/C/Resource"


def test_a_stack_template_without_a_manifest_is_read_as_before(tmp_path: pathlib.Path) -> None:
    template = write(tmp_path / "Solo.template.json", {"Resources": {"C": COMPONENT}})
    (stack,) = assembly.read_stack_artifact(template)
    assert stack.path == "Solo"
    assert [r.logical_id for r in stack.resources] == ["C"]


def test_an_empty_cdk_stack_has_no_resources_and_is_read(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "S.template.json", {"Parameters": {"BootstrapVersion": {"Type": "String"}}})
    manifest(tmp_path, {"S": stack_artifact("S.template.json")})
    (stack,) = assembly.read_assembly(tmp_path)
    assert stack.resources == []


def test_a_manifest_too_large_is_refused(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest(tmp_path, {"S": stack_artifact("S.template.json")})
    monkeypatch.setattr(assembly, "MAX_JSON_BYTES", 10)
    with pytest.raises(AssemblyError, match=r"manifest\.json: larger than 10 bytes"):
        assembly.read_assembly(tmp_path)


def test_a_missing_assembly_directory_is_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(AssemblyError, match="nowhere: missing"):
        assembly.read_assembly(tmp_path / "nowhere")


# --- acknowledgements written in the template itself ---------------------------------------------


def template_with_stack_acks(rules: list[dict[str, str]]) -> dict[str, Any]:
    return {"Metadata": {"cdk_nag": {"rules_to_suppress": rules}}, "Resources": {"C": COMPONENT}}


def test_the_templates_top_level_metadata_acknowledges_stack_wide_findings() -> None:
    template = template_with_stack_acks([{"id": "DataProtection-AUD1", "reason": "the trail is in the org"}])
    stack = assembly.stack_from_template(template, path="t.yaml")
    (aud1,) = [f for f in evaluate([stack]) if f.rule.id == "AUD1"]
    assert aud1.acknowledged == "the trail is in the org"
    assert stack.ack_sources == {"DataProtection-AUD1": {"t.yaml"}}


def test_without_top_level_metadata_stack_wide_findings_stay() -> None:
    stack = assembly.stack_from_template({"Resources": {"C": COMPONENT}}, path="t.yaml")
    (aud1,) = [f for f in evaluate([stack]) if f.rule.id == "AUD1"]
    assert aud1.acknowledged is None
    assert stack.ack_sources == {}


def test_template_acknowledgements_are_read_in_an_assembly_too(tmp_path: pathlib.Path) -> None:
    ack = {"id": "DataProtection-AUD1", "reason": "written by the app"}
    write(tmp_path / "S.template.json", template_with_stack_acks([ack]))
    manifest(tmp_path, {"S": stack_artifact("S.template.json", displayName="S")})
    (stack,) = assembly.read_assembly(tmp_path)
    assert stack.acks == {"DataProtection-AUD1": "written by the app"}
    assert stack.ack_sources == {"DataProtection-AUD1": {"S"}}
