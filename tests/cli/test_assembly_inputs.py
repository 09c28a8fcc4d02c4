"""Cloud assemblies the scanner cannot trust: every one is exit 2 naming the file, never "0 template(s)".

Each case is a hand-written ``cdk.out`` in ``tmp_path`` run through the real command line (issue 21).
"""

from __future__ import annotations

import json
import os
import pathlib

import pytest
from scanning import (
    KEY_WITHOUT_ROTATION,
    refused,
    run_scan,
    stack_artifact,
    write_assembly,
    write_json,
)

TEMPLATE = {"Resources": KEY_WITHOUT_ROTATION}


# --- the manifest ------------------------------------------------------------------------------


def test_a_manifest_that_is_a_list_is_refused(tmp_path: pathlib.Path) -> None:
    outdir = tmp_path / "cdk.out"
    write_json(outdir / "manifest.json", [])
    refused(run_scan(outdir), str(outdir / "manifest.json"), "not a JSON object")


def test_a_manifest_that_is_a_directory_is_refused(tmp_path: pathlib.Path) -> None:
    outdir = tmp_path / "cdk.out"
    (outdir / "manifest.json").mkdir(parents=True)
    refused(run_scan(outdir), f"{outdir / 'manifest.json'}: cannot be read (Is a directory)")


def test_artifacts_that_are_a_string_are_refused(tmp_path: pathlib.Path) -> None:
    outdir = write_assembly(tmp_path / "cdk.out", "S")
    refused(run_scan(outdir), str(outdir / "manifest.json"), "artifacts")


def test_a_manifest_that_is_not_json_names_line_and_column(tmp_path: pathlib.Path) -> None:
    outdir = tmp_path / "cdk.out"
    outdir.mkdir()
    (outdir / "manifest.json").write_text('{\n  "artifacts": {,\n}\n')
    refused(run_scan(outdir), f"{outdir / 'manifest.json'}:2:")


def test_an_artifact_that_is_not_an_object_is_refused(tmp_path: pathlib.Path) -> None:
    outdir = write_assembly(tmp_path / "cdk.out", {"S": ["not", "an", "artifact"]})
    refused(run_scan(outdir), str(outdir / "manifest.json"), "'S'")


def test_a_stack_without_a_template_file_is_refused(tmp_path: pathlib.Path) -> None:
    outdir = write_assembly(tmp_path / "cdk.out", {"S": {"type": "aws:cloudformation:stack"}})
    refused(run_scan(outdir), str(outdir / "manifest.json"), "'S'", "templateFile")


def test_a_missing_template_file_is_refused(tmp_path: pathlib.Path) -> None:
    outdir = write_assembly(tmp_path / "cdk.out", {"S": stack_artifact("S.template.json")})
    refused(run_scan(outdir), str(outdir / "S.template.json"), "missing")


def test_a_template_that_is_a_symlink_loop_is_refused(tmp_path: pathlib.Path) -> None:
    outdir = write_assembly(tmp_path / "cdk.out", {"S": stack_artifact("S.template.json")})
    os.symlink("S.template.json", outdir / "S.template.json")
    refused(run_scan(outdir), str(outdir / "S.template.json"), "symlink loop")


def test_a_template_file_below_a_file_is_refused(tmp_path: pathlib.Path) -> None:
    outdir = write_assembly(
        tmp_path / "cdk.out",
        {"S": stack_artifact("S.template.json/inner.json")},
        {"S.template.json": TEMPLATE},
    )
    refused(
        run_scan(outdir), f"{outdir / 'S.template.json' / 'inner.json'}: cannot be read (Not a directory)"
    )


def test_an_assembly_without_stacks_is_nothing_to_scan(tmp_path: pathlib.Path) -> None:
    outdir = write_assembly(tmp_path / "cdk.out", {"Tree": {"type": "cdk:tree", "properties": {}}})
    refused(run_scan(outdir), str(outdir), "no stack")


def test_a_template_in_an_assembly_that_is_not_json_is_refused(tmp_path: pathlib.Path) -> None:
    outdir = write_assembly(tmp_path / "cdk.out", {"S": stack_artifact("S.template.json")})
    (outdir / "S.template.json").write_text('{"Resources": {"Key": }}')
    refused(run_scan(outdir), f"{outdir / 'S.template.json'}:1:")


# --- metadata of the wrong shape ----------------------------------------------------------------


def test_metadata_entries_that_are_strings_are_refused(tmp_path: pathlib.Path) -> None:
    artifact = stack_artifact("S.template.json", metadata={"/S/Key": ["aws:cdk:logicalId"]})
    outdir = write_assembly(tmp_path / "cdk.out", {"S": artifact}, {"S.template.json": TEMPLATE})
    refused(run_scan(outdir), f"{outdir / 'manifest.json'}: the metadata of '/S/Key': entry 0 is a string")


def test_metadata_that_is_a_string_is_refused(tmp_path: pathlib.Path) -> None:
    artifact = stack_artifact("S.template.json", metadata={"/S/Key": "aws:cdk:logicalId"})
    outdir = write_assembly(tmp_path / "cdk.out", {"S": artifact}, {"S.template.json": TEMPLATE})
    refused(run_scan(outdir), f"{outdir / 'manifest.json'}: the metadata of '/S/Key' is a string, not a list")


def test_an_additional_metadata_file_of_the_wrong_shape_is_refused(tmp_path: pathlib.Path) -> None:
    artifact = stack_artifact("S.template.json", additionalMetadataFile="S.metadata.json")
    outdir = write_assembly(tmp_path / "cdk.out", {"S": artifact}, {"S.template.json": TEMPLATE})
    write_json(outdir / "S.metadata.json", {"/S/Key": {"type": "aws:cdk:logicalId"}})
    refused(
        run_scan(outdir), f"{outdir / 'S.metadata.json'}: the metadata of '/S/Key' is an object, not a list"
    )


@pytest.mark.parametrize(
    ("artifact", "message"),
    [
        ({"type": "aws:cloudformation:stack", "properties": []}, "artifact 'S' is a list, not a JSON object"),
        (stack_artifact("S.template.json", metadata=[]), "metadata is a list, not a JSON object"),
        (
            stack_artifact("S.template.json", metadata={"/S": [{"data": 1}]}),
            "the metadata of '/S': entry 0 has no type",
        ),
        (stack_artifact(""), "a file name that is a string, not a relative path"),
        (stack_artifact("S.template.json", additionalMetadataFile=7), "a file name that is a number"),
        ({"type": "cdk:cloud-assembly", "properties": {}}, "a file name that is null"),
        (
            stack_artifact(
                "S.template.json",
                metadata={"/S/N": [{"type": "aws:cdk:templateFile", "data": {"f": "N.json"}}]},
            ),
            "a file name that is an object, not a relative path",
        ),
    ],
)
def test_manifest_entries_of_the_wrong_shape_are_refused(
    tmp_path: pathlib.Path, artifact: dict[str, object], message: str
) -> None:
    outdir = write_assembly(tmp_path / "cdk.out", {"S": artifact}, {"S.template.json": TEMPLATE})
    refused(run_scan(outdir), f"{outdir / 'manifest.json'}: {message}")


def test_duplicate_artifact_ids_are_refused(tmp_path: pathlib.Path) -> None:
    outdir = tmp_path / "cdk.out"
    outdir.mkdir()
    (outdir / "manifest.json").write_text(
        '{"artifacts": {"S": {"type": "cdk:tree"},\n "S": {"type": "cdk:tree"}}}'
    )
    refused(run_scan(outdir), f"{outdir / 'manifest.json'}:2:2: duplicate key 'S' on lines 1 and 2")


def test_a_manifest_that_is_not_utf8_is_refused(tmp_path: pathlib.Path) -> None:
    outdir = tmp_path / "cdk.out"
    outdir.mkdir()
    (outdir / "manifest.json").write_bytes(b'{"artifacts": "\xff"}')
    refused(run_scan(outdir), f"{outdir / 'manifest.json'}: not UTF-8 text (byte 15)")


def test_a_template_with_duplicate_keys_in_an_assembly_is_refused(tmp_path: pathlib.Path) -> None:
    outdir = write_assembly(tmp_path / "cdk.out", {"S": stack_artifact("S.template.json")})
    (outdir / "S.template.json").write_text('{"Resources": {"K": {"Type": "A"},\n"K": {"Type": "B"}}}')
    refused(run_scan(outdir), f"{outdir / 'S.template.json'}:2:1: duplicate key 'K' on lines 1 and 2")


def test_a_template_in_an_assembly_that_is_no_template_is_refused_not_skipped(tmp_path: pathlib.Path) -> None:
    outdir = write_assembly(
        tmp_path / "cdk.out", {"S": stack_artifact("S.template.json")}, {"S.template.json": []}
    )
    refused(
        run_scan(outdir),
        f"{outdir / 'S.template.json'}: not a CloudFormation template (a list, not a mapping)",
    )


# --- paths stay inside the assembly -------------------------------------------------------------


def test_a_template_file_outside_the_assembly_is_refused(tmp_path: pathlib.Path) -> None:
    write_json(tmp_path / "outside" / "creds.json", TEMPLATE)
    outdir = write_assembly(tmp_path / "cdk.out", {"S": stack_artifact("../outside/creds.json")})
    refused(run_scan(outdir), "../outside/creds.json", "outside the cloud assembly")


def test_an_absolute_template_file_is_refused(tmp_path: pathlib.Path) -> None:
    elsewhere = write_json(tmp_path / "elsewhere.json", TEMPLATE)
    outdir = write_assembly(tmp_path / "cdk.out", {"S": stack_artifact(str(elsewhere))})
    refused(run_scan(outdir), str(elsewhere), "absolute")


def test_a_template_symlinked_outside_the_assembly_is_refused(tmp_path: pathlib.Path) -> None:
    elsewhere = write_json(tmp_path / "elsewhere.json", TEMPLATE)
    outdir = write_assembly(tmp_path / "cdk.out", {"S": stack_artifact("S.template.json")})
    os.symlink(elsewhere, outdir / "S.template.json")
    refused(run_scan(outdir), str(outdir / "S.template.json"), "outside the cloud assembly")


def test_an_absolute_nested_stack_template_is_refused(tmp_path: pathlib.Path) -> None:
    elsewhere = write_json(tmp_path / "creds.json", TEMPLATE)
    nested = {"type": "aws:cdk:templateFile", "data": str(elsewhere)}
    artifact = stack_artifact("S.template.json", metadata={"/S/Nested": [nested]})
    outdir = write_assembly(tmp_path / "cdk.out", {"S": artifact}, {"S.template.json": TEMPLATE})
    refused(run_scan(outdir), str(outdir / "manifest.json"), str(elsewhere), "absolute")


def test_an_additional_metadata_file_outside_the_assembly_is_refused(tmp_path: pathlib.Path) -> None:
    write_json(tmp_path / "meta.json", {})
    artifact = stack_artifact("S.template.json", additionalMetadataFile="../meta.json")
    outdir = write_assembly(tmp_path / "cdk.out", {"S": artifact}, {"S.template.json": TEMPLATE})
    refused(run_scan(outdir), "../meta.json", "outside the cloud assembly")


# --- nested assemblies ------------------------------------------------------------------------


def nested_assembly(directory: str) -> dict[str, object]:
    return {"type": "cdk:cloud-assembly", "properties": {"directoryName": directory}}


def test_a_nested_assembly_that_is_the_assembly_itself_is_a_cycle(tmp_path: pathlib.Path) -> None:
    artifacts = {"S": stack_artifact("S.template.json"), "Stage": nested_assembly(".")}
    outdir = write_assembly(tmp_path / "cdk.out", artifacts, {"S.template.json": TEMPLATE})
    refused(run_scan(outdir), str(outdir / "manifest.json"), "cycle")


def test_nested_assemblies_that_name_each_other_are_a_cycle(tmp_path: pathlib.Path) -> None:
    outdir = write_assembly(tmp_path / "cdk.out", {"A": nested_assembly("assembly-A")})
    write_assembly(outdir / "assembly-A", {"B": nested_assembly("assembly-B")})
    os.symlink("..", outdir / "assembly-A" / "assembly-B")
    refused(run_scan(outdir), "manifest.json", "cycle")


def test_two_artifacts_naming_one_nested_assembly_are_refused(tmp_path: pathlib.Path) -> None:
    nested = nested_assembly("assembly-A")
    outdir = write_assembly(tmp_path / "cdk.out", {"A": nested, "B": nested})
    write_assembly(
        outdir / "assembly-A", {"S": stack_artifact("S.template.json")}, {"S.template.json": TEMPLATE}
    )
    refused(run_scan(outdir), f"{outdir / 'manifest.json'}: nested assembly 'B' is a cycle")


def test_a_nested_assembly_outside_the_assembly_is_refused(tmp_path: pathlib.Path) -> None:
    write_assembly(
        tmp_path / "other", {"S": stack_artifact("S.template.json")}, {"S.template.json": TEMPLATE}
    )
    outdir = write_assembly(tmp_path / "cdk.out", {"Stage": nested_assembly("../other")})
    refused(run_scan(outdir), "../other", "outside the cloud assembly")


def test_a_nested_assembly_without_a_manifest_is_refused(tmp_path: pathlib.Path) -> None:
    outdir = write_assembly(tmp_path / "cdk.out", {"Stage": nested_assembly("assembly-Stage")})
    (outdir / "assembly-Stage").mkdir()
    refused(run_scan(outdir), str(outdir / "assembly-Stage" / "manifest.json"))


# --- what still works ---------------------------------------------------------------------------


def test_a_well_formed_assembly_with_nested_stacks_and_stages_is_scanned(tmp_path: pathlib.Path) -> None:
    nested = {"type": "aws:cdk:templateFile", "data": "SNested.nested.template.json"}
    logical = {"type": "aws:cdk:logicalId", "data": "Key"}
    artifact = stack_artifact(
        "S.template.json", metadata={"/S/Nested": [nested], "/S/Nested/Key/Resource": [logical]}
    )
    outdir = write_assembly(
        tmp_path / "cdk.out",
        {"S": artifact, "Stage": nested_assembly("assembly-Stage")},
        {"S.template.json": {"Resources": {}}, "SNested.nested.template.json": TEMPLATE},
    )
    write_assembly(
        outdir / "assembly-Stage",
        {"Stage-T": stack_artifact("StageT.template.json")},
        {"StageT.template.json": TEMPLATE},
    )
    result = run_scan(outdir, "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    kms1 = {
        (f["template"].rsplit("/", 1)[-1], f["constructPath"])
        for f in report["findings"]
        if f["rule"] == "DataProtection-KMS1"
    }
    assert kms1 == {("SNested.nested.template.json", "S/Nested/Key/Resource"), ("StageT.template.json", None)}
    assert report["summary"]["templates"] == 3
