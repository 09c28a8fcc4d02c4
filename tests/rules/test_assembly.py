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


# --- documents shipped as assets of the cloud assembly (issue 23) -------------------------------------

ASSET_HASH = "7448c13c65857095f67af35d697fa6042c93b08e517548cdaf55f5183d3a4689"
BUCKET = "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"
INSTALL = "phases:\n  - name: build\n    steps:\n      - inputs:\n          commands: ['curl -O {url}']\n"


def asset_assembly(
    outdir: pathlib.Path,
    document: str,
    *,
    uri: Any = None,
    source: Any = None,
    packaging: str = "file",
    resource_type: str = "AWS::ImageBuilder::Component",
) -> pathlib.Path:
    """A cloud assembly as `cdk synth` writes it for ``CfnComponent(uri=Asset(...).s3_object_url)``."""
    key = f"{ASSET_HASH}.yaml"
    write(outdir / f"asset.{key}", document)
    write(
        outdir / "S.assets.json",
        {
            "version": "55.0.0",
            "files": {
                ASSET_HASH: {
                    "source": {"path": source or f"asset.{key}", "packaging": packaging},
                    "destinations": {"current": {"bucketName": BUCKET, "objectKey": key}},
                }
            },
        },
    )
    prop = "DockerfileTemplateUri" if resource_type.endswith("ContainerRecipe") else "Uri"
    body = {
        "Name": "install",
        "Version": "1.0.0",
        "Platform": "Linux",
        "KmsKeyId": COMPONENT["Properties"]["KmsKeyId"],
    }
    body[prop] = uri or {"Fn::Sub": f"s3://{BUCKET}/{key}"}
    write(outdir / "S.template.json", {"Resources": {"Install": {"Type": resource_type, "Properties": body}}})
    return manifest(
        outdir,
        {
            "S.assets": {"type": "cdk:asset-manifest", "properties": {"file": "S.assets.json"}},
            "S": stack_artifact("S.template.json", dependencies=["S.assets"], displayName="S"),
        },
    )


def document_findings(stacks: list[Any]) -> set[str]:
    return {
        f.rule_id.removeprefix("DataProtection-")
        for f in evaluate(stacks)
        if f.rule.id in ("DOC1", "DOC2", "DOC3", "URL1", "URL2", "SEC1")
    }


def test_an_asset_document_is_read_like_an_inline_one(tmp_path: pathlib.Path) -> None:
    asset_assembly(tmp_path, INSTALL.format(url="http://nginx.org/download/nginx.tar.gz"))
    reader = AssemblyReader(tmp_path)
    (stack,) = reader.assembly()
    assert document_findings([stack]) == {"DOC1[Uri]"}
    assert tmp_path / f"asset.{ASSET_HASH}.yaml" in reader.files


def test_an_asset_document_over_https_is_clean(tmp_path: pathlib.Path) -> None:
    asset_assembly(tmp_path, INSTALL.format(url="https://nginx.org/download/nginx.tar.gz"))
    assert document_findings(assembly.read_assembly(tmp_path)) == set()


def test_the_plugin_path_reads_assets_too(tmp_path: pathlib.Path) -> None:
    asset_assembly(tmp_path, INSTALL.format(url="http://nginx.org/x") + "      - curl -k https://h\n")
    stacks = assembly.read_stack_artifact(tmp_path / "S.template.json")
    assert document_findings(stacks) == {"DOC1[Uri]", "DOC2[Uri]"}


def test_an_environment_stack_names_its_asset_bucket_literally(tmp_path: pathlib.Path) -> None:
    uri = f"s3://cdk-hnb659fds-assets-123456789012-eu-west-1/{ASSET_HASH}.yaml"
    asset_assembly(tmp_path, INSTALL.format(url="http://h/x"), uri=uri)
    (tmp_path / "S.assets.json").write_text(
        (tmp_path / "S.assets.json")
        .read_text()
        .replace(BUCKET, "cdk-hnb659fds-assets-123456789012-eu-west-1")
    )
    assert document_findings(assembly.read_assembly(tmp_path)) == {"DOC1[Uri]"}


def test_a_dockerfile_asset_of_a_container_recipe_is_read(tmp_path: pathlib.Path) -> None:
    dockerfile = "FROM public.ecr.aws/amazonlinux/amazonlinux:2023\nRUN curl -k https://h/x\n"
    asset_assembly(tmp_path, dockerfile, resource_type="AWS::ImageBuilder::ContainerRecipe")
    assert document_findings(assembly.read_assembly(tmp_path)) == {"DOC2[DockerfileTemplateUri]"}


def test_a_uri_outside_the_assembly_is_not_an_asset(tmp_path: pathlib.Path) -> None:
    asset_assembly(tmp_path, INSTALL.format(url="http://h/x"), uri="s3://my-bucket/components/install.yaml")
    (stack,) = assembly.read_assembly(tmp_path)
    assert stack.by_logical_id["Install"].documents == {}


def test_an_asset_that_is_a_directory_is_no_document(tmp_path: pathlib.Path) -> None:
    asset_assembly(tmp_path, INSTALL.format(url="http://h/x"), packaging="zip")
    (stack,) = assembly.read_assembly(tmp_path)
    assert stack.by_logical_id["Install"].documents == {}


def test_an_asset_path_outside_the_assembly_is_refused(tmp_path: pathlib.Path) -> None:
    outdir = tmp_path / "cdk.out"
    write(tmp_path / "secret.yaml", "curl http://h")
    asset_assembly(outdir, INSTALL.format(url="http://h/x"), source="../secret.yaml")
    with pytest.raises(AssemblyError, match=r"outside the cloud assembly"):
        assembly.read_assembly(outdir)


def test_an_asset_document_too_large_is_refused(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset_assembly(tmp_path, INSTALL.format(url="http://h/x"))
    monkeypatch.setattr(assembly, "MAX_DOCUMENT_BYTES", 10)
    with pytest.raises(AssemblyError, match=r"an asset document larger than 10 bytes"):
        assembly.read_assembly(tmp_path)


@pytest.mark.parametrize(
    "files", [[], "files", {"h": "not an object"}], ids=["a list", "a string", "an entry"]
)
def test_an_asset_manifest_of_the_wrong_shape_is_refused_or_skipped(
    tmp_path: pathlib.Path, files: Any
) -> None:
    asset_assembly(tmp_path, INSTALL.format(url="http://h/x"))
    write(tmp_path / "S.assets.json", {"version": "55.0.0", "files": files})
    if isinstance(files, dict):
        (stack,) = assembly.read_assembly(tmp_path)
        assert stack.by_logical_id["Install"].documents == {}
        return
    with pytest.raises(AssemblyError, match=r"S\.assets\.json: files is"):
        assembly.read_assembly(tmp_path)
