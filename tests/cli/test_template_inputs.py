"""Template files through the real command line: read as CloudFormation reads them, or refused with exit 2
naming the file, line and column (issue 21); resources carry their line in every format (issue 24).
"""

from __future__ import annotations

import json
import pathlib

import pytest
from scanning import KEY_WITHOUT_ROTATION, refused, run_scan, run_scan_process, write_json

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
# A process starts, imports and exits in about 0.2 s; a refusal must come well within a second more.
QUICK = 3.0


def write(path: pathlib.Path, text: str) -> pathlib.Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- limits: alias bombs, nesting, size -----------------------------------------------------------


def test_a_yaml_alias_bomb_is_refused_within_a_second() -> None:
    result = run_scan_process(FIXTURES / "alias_bomb.yaml", timeout=30)
    refused(result, f"{FIXTURES / 'alias_bomb.yaml'}:8:16: YAML aliases expand to more than 250000 nodes")
    assert result.seconds < QUICK


def test_an_alias_bomb_is_refused_even_in_a_file_that_is_no_template(tmp_path: pathlib.Path) -> None:
    text = (FIXTURES / "alias_bomb.yaml").read_text().split("Resources:")[0].replace("AWSTemplate", "X")
    result = run_scan_process(write(tmp_path / "lol.yaml", text), timeout=30)
    refused(result, str(tmp_path / "lol.yaml"), "alias bomb")


def test_yaml_nested_5000_deep_is_refused_within_a_second(tmp_path: pathlib.Path) -> None:
    text = "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties:\n      P: " + "[" * 5000 + "]" * 5000
    result = run_scan_process(write(tmp_path / "deep.yaml", text), timeout=30)
    refused(result, f"{tmp_path / 'deep.yaml'}:5:", "nested deeper than 100 levels")
    assert result.seconds < QUICK


def test_json_nested_100000_deep_is_refused_within_a_second(tmp_path: pathlib.Path) -> None:
    text = '{"Resources": {"R": {"Type": "AWS::SNS::Topic", "Properties": {"P": '
    text += "[" * 100_000 + "]" * 100_000 + "}}}}"
    result = run_scan_process(write(tmp_path / "deep.json", text), timeout=30)
    refused(result, f"{tmp_path / 'deep.json'}:1:", "nested deeper than 100 levels")
    assert "RecursionError" not in result.stderr
    assert result.seconds < QUICK


def test_a_5_mb_json_array_is_skipped_without_a_yaml_parse(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "data.json", json.dumps(["x" * 60] * 80_000))
    assert path.stat().st_size > 5_000_000
    result = run_scan_process(path, timeout=30)
    assert result.returncode == 0, result.stderr
    assert f"skipped {path}: not a CloudFormation template (a list, not a mapping)" in result.stdout
    assert result.seconds < QUICK


def test_a_template_over_5_mb_is_refused(tmp_path: pathlib.Path) -> None:
    big = {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "x" * 6_000_000}}}}
    path = write_json(tmp_path / "big.json", big)
    refused(run_scan(path), str(path), "larger than 5242880 bytes")


# --- duplicate keys ---------------------------------------------------------------------------------

TWO_KEYS_YAML = """\
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties: {EnableKeyRotation: true}
  Other:
    Type: AWS::SNS::Topic
  Key:
    Type: AWS::KMS::Key
"""
TWO_ROTATIONS_YAML = """\
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      EnableKeyRotation: false
"""
TWO_KEYS_JSON = """\
{
  "Resources": {
    "Key": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": true}},
    "Key": {"Type": "AWS::KMS::Key"}
  }
}
"""
TWO_ROTATIONS_JSON = """\
{"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {
  "EnableKeyRotation": true,
  "EnableKeyRotation": false}}}}
"""


@pytest.mark.parametrize(
    ("name", "text", "where", "key", "lines"),
    [
        ("keys.yaml", TWO_KEYS_YAML, ":7:3:", "'Key'", "lines 2 and 7"),
        ("rotations.yaml", TWO_ROTATIONS_YAML, ":6:7:", "'EnableKeyRotation'", "lines 5 and 6"),
        ("keys.json", TWO_KEYS_JSON, ":4:5:", "'Key'", "lines 3 and 4"),
        ("rotations.json", TWO_ROTATIONS_JSON, ":3:3:", "'EnableKeyRotation'", "lines 2 and 3"),
    ],
)
def test_duplicate_keys_are_refused_naming_the_key_and_both_lines(
    tmp_path: pathlib.Path, name: str, text: str, where: str, key: str, lines: str
) -> None:
    path = write(tmp_path / name, text)
    refused(run_scan(path), f"{path}{where} duplicate key {key} on {lines}")


# --- CloudFormation's YAML: short forms, tabs, tags ------------------------------------------------


def test_every_short_form_is_read(tmp_path: pathlib.Path) -> None:
    result = run_scan(FIXTURES / "short_forms.yaml", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["templates"] == 1
    # The Fn::ForEach loop expands to TopicA and TopicB, each found on the loop's line.
    assert [(f["logicalId"], f["line"]) for f in report["findings"]] == [
        ("Topic", 23),
        ("TopicA", 51),
        ("TopicB", 51),
    ]


def test_a_tab_before_a_comment_is_read(tmp_path: pathlib.Path) -> None:
    text = (
        "Resources:\n  Volume:\n    Type: AWS::EC2::Volume\n    Properties:\n"
        "      AvailabilityZone: us-east-1a\n      Size: 8\n      Encrypted: true\t# note\n"
    )
    result = run_scan(write(tmp_path / "tab.yaml", text), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert not [f for f in json.loads(result.stdout)["findings"] if f["logicalId"] == "Volume"]


def test_an_unknown_tag_is_refused_with_its_line(tmp_path: pathlib.Path) -> None:
    text = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Bogus x\n"
    path = write(tmp_path / "tag.yaml", text)
    refused(run_scan(path), f"{path}:5:18: unknown tag !Bogus")


def test_a_second_yaml_document_is_refused(tmp_path: pathlib.Path) -> None:
    text = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n---\nResources: {}\n"
    path = write(tmp_path / "two.yaml", text)
    refused(run_scan(path), f"{path}:4:1: more than one YAML document")


@pytest.mark.parametrize(
    ("yaml_value", "message"),
    [
        ("!Bogus [x]", ":5:18: unknown tag !Bogus"),
        ("!!binary aGk=", ":5:18: unknown tag tag:yaml.org,2002:binary"),
        ("!!int x", ":5:18: 'x' is not a tag:yaml.org,2002:int"),
        ("*nothing", ":5:18: alias *nothing names no anchor"),
        ("{!Ref a: b}", ":5:19: a !Ref key"),
        ("{[a]: b}", ":5:19: a mapping key that is not text"),
        ("{<<: a}", ":5:23: a << merge key needs mappings"),
    ],
)
def test_yaml_no_template_holds_is_refused_with_line_and_column(
    tmp_path: pathlib.Path, yaml_value: str, message: str
) -> None:
    text = f"Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: {yaml_value}\n"
    path = write(tmp_path / "t.yaml", text)
    refused(run_scan(path), f"{path}{message}")


def test_a_template_that_is_not_utf8_is_refused(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_bytes(b"Resources:\n  T: {Type: '\xff'}\n")
    refused(run_scan(path), f"{path}: not UTF-8 text (byte 24)")


# --- parse errors name line and column ---------------------------------------------------------------


def test_a_yaml_error_names_line_and_column(tmp_path: pathlib.Path) -> None:
    text = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: [a, }\n"
    path = write(tmp_path / "bad.yaml", text)
    refused(run_scan(path), f"{path}:4:33: not valid YAML: did not find expected node content")


def test_a_json_error_names_line_and_column(tmp_path: pathlib.Path) -> None:
    path = write(
        tmp_path / "bad.json", '{\n  "Resources": {\n    "T": {"Type": "AWS::SNS::Topic",}\n  }\n}\n'
    )
    refused(run_scan(path), f"{path}:3:37: not valid JSON: Expecting property name")


def test_json_is_never_read_as_yaml(tmp_path: pathlib.Path) -> None:
    # Valid YAML (a flow mapping), but not JSON: the first character decides, as the brief of issue 21 says.
    path = write(tmp_path / "flow.json", "{Resources: {T: {Type: AWS::SNS::Topic}}}\n")
    refused(run_scan(path), f"{path}:1:2: not valid JSON")


# --- resources of the wrong shape --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "problem"),
    [
        ("Key: AWS::KMS::Key", "resource 'Key' is a string, not a mapping with a Type"),
        ("Key:\n    Properties: {EnableKeyRotation: true}", "resource 'Key' has no Type"),
        ("Key:\n    Type: [AWS::KMS::Key]", "resource 'Key' has a Type that is a list"),
        (
            "Key:\n    Type: AWS::KMS::Key\n    Properties: [EnableKeyRotation]",
            "resource 'Key' has Properties",
        ),
    ],
)
def test_a_malformed_resource_is_refused_naming_its_logical_id(
    tmp_path: pathlib.Path, resource: str, problem: str
) -> None:
    path = write(tmp_path / "t.yaml", f"Resources:\n  Other:\n    Type: AWS::SNS::Topic\n  {resource}\n")
    refused(run_scan(path), f"{path}:4: {problem}")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("AWSTemplateFormatVersion: '2010-09-09'\n", "no Resources section"),
        ("Resources: {}\n", "Resources is empty"),
        ("Resources: [Key]\n", "Resources is a list"),
    ],
)
def test_a_template_without_resources_is_refused(tmp_path: pathlib.Path, text: str, problem: str) -> None:
    path = write(tmp_path / "t.yaml", text)
    refused(run_scan(path), f"{path}: {problem}")


# --- --output may not name an input -----------------------------------------------------------------


def test_output_naming_an_input_is_refused_before_anything_is_written(tmp_path: pathlib.Path) -> None:
    path = write_json(tmp_path / "t.json", {"Resources": KEY_WITHOUT_ROTATION})
    before = path.read_bytes()
    refused(run_scan(path, "--output", path), f"--output {path}", "overwrite")
    assert path.read_bytes() == before


def test_output_naming_an_input_through_another_spelling_is_refused(tmp_path: pathlib.Path) -> None:
    path = write_json(tmp_path / "t.json", {"Resources": KEY_WITHOUT_ROTATION})
    before = path.read_bytes()
    other = tmp_path / "sub" / ".." / "t.json"
    (tmp_path / "sub").mkdir()
    refused(run_scan(tmp_path, "--format", "json", "--output", other), str(other), "overwrite")
    assert path.read_bytes() == before


# --- lines in every format ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("t.yaml", "# a comment\nResources:\n\n  Key:\n    Type: AWS::KMS::Key\n", 4),
        ("t.json", '{\n "Resources": {\n  "Other": {"Type": "AWS::SNS::Topic"},\n  "Key": {\n'
         '   "Type": "AWS::KMS::Key"}}}\n', 4),
    ],
)  # fmt: skip
def test_text_and_json_findings_carry_the_resource_line(
    tmp_path: pathlib.Path, name: str, text: str, line: int
) -> None:
    path = write(tmp_path / name, text)
    report = json.loads(run_scan(path, "--format", "json").stdout)
    assert {f["line"] for f in report["findings"] if f["logicalId"] == "Key"} == {line}
    assert f"{path}:{line}: ERROR DataProtection-KMS1 Key: " in run_scan(path).stdout
