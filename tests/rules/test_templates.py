"""The template reader (rules.engine.templates): what it reads as CloudFormation does, what it refuses,
what it skips as no template at all, and the line of every resource from the one parse.
"""

from __future__ import annotations

import json
import pathlib
import time

import pytest

from secure_imagebuilder.rules.engine import templates
from secure_imagebuilder.rules.engine.templates import LimitError, NotATemplateError, TemplateError

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "cli" / "fixtures"


def body(text: str) -> dict[str, object]:
    return templates.parse(text, "t.yaml").body


def properties(yaml_value: str) -> object:
    text = f"Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties:\n      P: {yaml_value}\n"
    resources = body(text)["Resources"]
    assert isinstance(resources, dict)
    return resources["R"]["Properties"]["P"]


# --- short forms --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yaml_value", "long_form"),
    [
        ("!Ref X", {"Ref": "X"}),
        ("!Condition C", {"Condition": "C"}),
        ("!GetAtt A.B.C", {"Fn::GetAtt": ["A", "B.C"]}),
        ("!GetAtt [A, B]", {"Fn::GetAtt": ["A", "B"]}),
        ("!Sub 'a-${X}'", {"Fn::Sub": "a-${X}"}),
        ("!Sub ['a-${X}', {X: !Ref Y}]", {"Fn::Sub": ["a-${X}", {"X": {"Ref": "Y"}}]}),
        ("!GetAZs ''", {"Fn::GetAZs": ""}),
        ("!Cidr [10.0.0.0/16, 4, 8]", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
        ("!Contains [[a], !Ref X]", {"Fn::Contains": [["a"], {"Ref": "X"}]}),
        ("!ValueOf [P, VpcId]", {"Fn::ValueOf": ["P", "VpcId"]}),
        ("!ValueOfAll [T, VpcId]", {"Fn::ValueOfAll": ["T", "VpcId"]}),
        ("!RefAll AWS::EC2::VPC::Id", {"Fn::RefAll": "AWS::EC2::VPC::Id"}),
        ("!EachMemberEquals [[a], a]", {"Fn::EachMemberEquals": [["a"], "a"]}),
        ("!EachMemberIn [[a], [a, b]]", {"Fn::EachMemberIn": [["a"], ["a", "b"]]}),
        ("!Length [a, b]", {"Fn::Length": ["a", "b"]}),
        ("!ToJsonString {a: 1}", {"Fn::ToJsonString": {"a": 1}}),
        ("!ForEach [x, [a], !Sub '${x}']", {"Fn::ForEach": ["x", ["a"], {"Fn::Sub": "${x}"}]}),
        ("!If [C, !Ref 'AWS::NoValue', 1]", {"Fn::If": ["C", {"Ref": "AWS::NoValue"}, 1]}),
        ("!Transform {Name: AWS::Include}", {"Fn::Transform": {"Name": "AWS::Include"}}),
    ],
)
def test_every_short_form_is_read_as_its_long_form(yaml_value: str, long_form: object) -> None:
    assert properties(yaml_value) == long_form


def test_every_short_form_of_cloudformation_is_known() -> None:
    functions = (
        "And Base64 Cidr Contains EachMemberEquals EachMemberIn Equals FindInMap ForEach GetAtt GetAZs If "
        "ImportValue Join Length Not Or RefAll Select Split Sub ToJsonString Transform ValueOf ValueOfAll"
    )
    expected = {"!Ref": "Ref", "!Condition": "Condition"} | {f"!{f}": f"Fn::{f}" for f in functions.split()}
    assert templates.SHORT_FORMS == expected


# --- scalars as CloudFormation reads them --------------------------------------------------------


@pytest.mark.parametrize(
    ("yaml_value", "value"),
    [
        ("2012-10-17", "2012-10-17"),
        ("true\t# a tab before the comment", True),
        ("yes", True),
        ("0x1F", 31),
        ("1.5", 1.5),
        ("~", None),
        ("''", ""),
        ("!!str 7", "7"),
        ("'true'", "true"),
        ("!Ref\t'X'", {"Ref": "X"}),
        ("<<", "<<"),
        ("=", "="),
    ],
)
def test_scalars(yaml_value: str, value: object) -> None:
    assert properties(yaml_value) == value


def test_keys_are_their_text_so_quoted_and_plain_spellings_are_one_key() -> None:
    with pytest.raises(TemplateError, match="duplicate key 'Key' on lines 2 and 4"):
        body("Resources:\n  Key: {Type: AWS::SNS::Topic}\n\n  'Key': {Type: AWS::SNS::Topic}\n")
    assert properties("{1: a, yes: b}") == {"1": "a", "yes": "b"}


def test_aliases_and_merge_keys_are_resolved() -> None:
    text = (
        "Mappings: {M: &m {a: {b: c}}}\nResources:\n  A: &a {Type: AWS::SNS::Topic, Properties: {X: *m}}\n"
        "  B:\n    <<: *a\n    Properties: {X: 1}\n"
    )
    resources = body(text)["Resources"]
    assert resources == {
        "A": {"Type": "AWS::SNS::Topic", "Properties": {"X": {"a": {"b": "c"}}}},
        "B": {"Properties": {"X": 1}, "Type": "AWS::SNS::Topic"},
    }


# --- limits ------------------------------------------------------------------------------------------


@pytest.mark.timing
def test_an_alias_bomb_is_refused_within_a_second() -> None:
    start = time.perf_counter()
    with pytest.raises(LimitError, match=r":8:16: YAML aliases expand to more than 250000 nodes"):
        templates.read(FIXTURES / "alias_bomb.yaml")
    assert time.perf_counter() - start < 1


def test_aliases_under_the_node_cap_are_read() -> None:
    text = "Metadata:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n  b: [" + ", ".join(["*a"] * 1000) + "]\n"
    parsed = body(text + "Resources: {T: {Type: AWS::SNS::Topic}}\n")
    assert len(parsed["Metadata"]["b"]) == 1000  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: " + "[" * 5000 + "]" * 5000, "t.yaml:1:103: nested deeper than 100 levels"),
        ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "t.yaml:1:106: nested deeper than 100 levels"),
        ("a:\n" + "".join("  " * i + "- \n" for i in range(120)), "t.yaml:101:199:"),
    ],
)
@pytest.mark.timing
def test_nesting_is_capped_within_a_second_whatever_the_file(text: str, where: str) -> None:
    start = time.perf_counter()
    with pytest.raises(LimitError, match=f"^{where}"):
        templates.parse(text, "t.yaml")
    assert time.perf_counter() - start < 1


def test_nesting_up_to_the_cap_is_read() -> None:
    depth = templates.MAX_DEPTH - 4  # the root, Resources, the resource and Properties
    value = properties("[" * depth + "]" * depth)
    for _ in range(depth - 1):
        assert isinstance(value, list)
        value = value[0]
    assert value == []


@pytest.mark.timing
def test_a_json_array_is_no_template_and_is_not_parsed() -> None:
    start = time.perf_counter()
    with pytest.raises(NotATemplateError, match="a list, not a mapping"):
        templates.parse("[" + "1," * 3_000_000 + "1", "t.json")  # not even valid: never parsed
    assert time.perf_counter() - start < 1


# --- JSON -------------------------------------------------------------------------------------------


def test_json_keys_are_compared_as_json_reads_them() -> None:
    text = '{"Resources": {"Key": {"Type": "A"},\n"K\\u0065y": {"Type": "B"}}}'
    with pytest.raises(TemplateError, match=r"^t.json:2:1: duplicate key 'Key' on lines 1 and 2"):
        templates.parse(text, "t.json")


def test_json_brackets_and_colons_inside_strings_are_text() -> None:
    text = '{"Resources": {"A": {"Type": "X", "Properties": {"P": "[{\\"Key\\": 1}", "Q": ":"}},\n'
    text += '"Key": {"Type": "Y"}}}'
    parsed = templates.parse(text, "t.json")
    assert parsed.lines == {"A": 1, "Key": 2}


def test_json_the_cdk_just_wrote_is_read_without_the_scan_and_without_lines() -> None:
    text = '{"Resources": {"A": {"Type": "X"},\n"B": {"Type": "Y"}}}'
    scanned, plain = templates.parse(text, "t.json"), templates.parse(text, "t.json", written_by_cdk=True)
    assert plain.body == scanned.body
    assert (scanned.lines, plain.lines) == ({"A": 1, "B": 2}, {})
    with pytest.raises(TemplateError, match=r"^t\.json:1:15: not valid JSON"):
        templates.parse('{"Resources": ]', "t.json", written_by_cdk=True)


def test_a_json_number_python_cannot_read_is_an_error_with_the_file() -> None:
    with pytest.raises(TemplateError, match=r"^t\.json: not valid JSON: Exceeds the limit"):
        templates.parse(
            '{"Resources": {"T": {"Type": "X", "Properties": {"N": 1' + "0" * 5000 + "}}}}", "t.json"
        )


def test_more_than_ten_duplicates_are_counted() -> None:
    text = "Resources:\n  T: {Type: X}\n" + "".join(f"K{i}: 1\nK{i}: 2\n" for i in range(12))
    with pytest.raises(TemplateError, match=r"'K9' on lines 21 and 22 and 2 more \(CloudFormation rejects"):
        templates.parse(text, "t.yaml")


def test_every_duplicate_is_listed() -> None:
    text = json.dumps({"Resources": {"T": {"Type": "X"}}}).replace(
        "}}}", '}, "T": {"Type": "Y"}}, "Resources": 1}'
    )
    with pytest.raises(TemplateError, match="'T' on lines 1 and 1; 'Resources' on lines 1 and 1"):
        templates.parse(text, "t.json")


# --- what is a template ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("name: ci\non: push\njobs: {}\n", "no Resources section"),
        ('{"name": "x", "version": "1.0.0"}', "no Resources section"),
        ("", "an empty file"),
        ("just text\n", "a string, not a mapping"),
        ("- a\n- b\n", "a list, not a mapping"),
        ("apiVersion: v1\n---\nkind: Pod\n", "more than one YAML document"),
        ("a: [unclosed\n", "not valid YAML"),
        ('{"a": 1,}', "not valid JSON"),
        ("on: push\non: pull_request\n", "duplicate key 'on'"),
    ],
)
def test_files_that_are_no_template_are_told_apart(text: str, reason: str) -> None:
    with pytest.raises(NotATemplateError, match=f"^f: not a CloudFormation template \\(.*{reason}"):
        templates.parse(text, "f")


@pytest.mark.parametrize(
    "text",
    [
        "AWSTemplateFormatVersion: '2010-09-09'\nResources: [unclosed\n",
        '{"Resources": {"T": {"Type": "X"},}}',
        "Resources:\n  T: {Type: X}\n  T: {Type: Y}\n",
    ],
)
def test_a_file_that_names_resources_but_cannot_be_read_is_an_error_not_a_skip(text: str) -> None:
    with pytest.raises(TemplateError) as raised:
        templates.parse(text, "f")
    assert not isinstance(raised.value, NotATemplateError)


def test_a_template_in_an_assembly_may_have_no_resources_but_must_be_a_mapping() -> None:
    assert templates.parse('{"Parameters": {}}', "s.json", in_assembly=True).body == {"Parameters": {}}
    assert templates.parse('{"Resources": {}}', "s.json", in_assembly=True).body == {"Resources": {}}
    with pytest.raises(TemplateError, match="a list, not a mapping") as raised:
        templates.parse("[]", "s.json", in_assembly=True)
    assert not isinstance(raised.value, NotATemplateError)
    with pytest.raises(TemplateError, match="resource 'K' has no Type"):
        templates.parse('{"Resources": {"K": {}}}', "s.json", in_assembly=True)


def test_a_language_extensions_loop_in_resources_is_not_a_malformed_resource() -> None:
    text = "Resources:\n  T: {Type: X}\n  Fn::ForEach::Topics: [N, [a], {'T${N}': {Type: X}}]\n"
    assert list(body(text)["Resources"]) == ["T", "Fn::ForEach::Topics"]  # type: ignore[call-overload]


# --- files ----------------------------------------------------------------------------------------


def test_files_over_the_size_limit(tmp_path: pathlib.Path) -> None:
    data = tmp_path / "data.json"
    data.write_text(json.dumps({"values": ["x" * 100] * 60_000}))
    with pytest.raises(NotATemplateError, match="over 5242880 bytes, no Resources"):
        templates.read(data)
    big = tmp_path / "big.yaml"
    big.write_text("Resources:\n  T:\n    Type: X\n    Properties: {P: '" + "x" * 6_000_000 + "'}\n")
    with pytest.raises(TemplateError, match="larger than 5242880 bytes") as raised:
        templates.read(big)
    assert not isinstance(raised.value, NotATemplateError)


def test_a_file_that_is_not_utf8_and_names_no_resources_is_no_template(tmp_path: pathlib.Path) -> None:
    (tmp_path / "blob.json").write_bytes(b"\xff\xfe{}")
    with pytest.raises(NotATemplateError, match="not UTF-8 text"):
        templates.read(tmp_path / "blob.json")


def test_a_byte_order_mark_is_ignored() -> None:
    assert templates.parse('\ufeff{"Resources": {"T": {"Type": "X"}}}', "t.json").lines == {"T": 1}


# --- lines and speed --------------------------------------------------------------------------------


def test_the_line_of_every_resource_in_yaml_and_json() -> None:
    yaml_text = "Resources:\n  A:\n    Type: X\n\n  B: {Type: Y}\nOutputs: {A: {Value: 1}}\n"
    assert templates.parse(yaml_text, "t.yaml").lines == {"A": 2, "B": 5}
    json_text = json.dumps(
        {"Outputs": {"A": {}}, "Resources": {"A": {"Type": "X"}, "B": {"Type": "Y"}}}, indent=1
    )
    assert templates.parse(json_text, "t.json").lines == {"A": 6, "B": 9}


@pytest.mark.parametrize(
    "text",
    [
        '{"Resources": "' + '\\"' * 500_000,  # every quote escaped: no string ever ends
        '{"Resources": "' + '\\"' * 500_000 + "\\",
        '{"Resources": ' + '"' * 1_000_001,
        "{" + ",\n".join(['"a": 1'] * 200_000) + "}",  # 200,000 duplicate keys
    ],
)
@pytest.mark.timing
def test_json_that_no_tokenizer_should_read_twice_is_refused_within_a_second(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(TemplateError):
        templates.parse(text, "t.json")
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize("kind", ["yaml", "json"])
@pytest.mark.timing
def test_a_1_mb_template_is_read_in_under_a_second(kind: str) -> None:
    resources = {
        f"Topic{i}": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": f"t{i}", "Tags": [{"Key": "k", "Value": "v" * 40}]},
        }
        for i in range(8000)
    }
    text = json.dumps({"Resources": resources}, indent=1)
    if kind == "yaml":
        import yaml

        text = yaml.safe_dump({"Resources": resources}, sort_keys=False)
    assert len(text) > 1_000_000
    start = time.perf_counter()
    parsed = templates.parse(text, f"t.{kind}")
    assert time.perf_counter() - start < 1
    assert len(parsed.lines) == 8000
