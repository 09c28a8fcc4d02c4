"""Whatever file or cloud assembly the scanner is given, it exits 0, 1 or 2 and never with a traceback.

Random small YAML and JSON texts (made of the characters and words that give YAML its structure) and
random assembly manifests (right and wrong shapes, paths inside, outside and absolute) go through
``main`` in process, many examples a second; a few go through the real command line as well.
"""

from __future__ import annotations

import contextlib
import io
import json
import pathlib
import tempfile
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scanning import run_scan

from secure_imagebuilder.cli.main import main

TOKENS = st.sampled_from(
    [
        "Resources", "Resources:", "AWSTemplateFormatVersion: '2010-09-09'\n", "Type", "Type: ",
        "Properties", "AWS::KMS::Key", "AWS::ImageBuilder::Component", "EnableKeyRotation: false",
        "Metadata:", "cdk_nag", "rules_to_suppress: [{id: DataProtection-AUD1, reason: x}]", "Key",
        "\n", "\n  ", "\n    ", "\t", " ", ":", ": ", "- ", "-", "{", "}", "[", "]", ",", "'", '"', "#",
        "&a ", "*a", "&b ", "*b", "<<: ", "!Ref ", "!GetAtt ", "!Sub ", "!If ", "!Bogus ", "!!str ",
        "!!binary ", "---\n", "...", "|\n", ">\n", "~", "null", "true", "0x1F", "1e3", "2012-10-17",
        "%YAML 1.1\n", "?", "\\", "\\u0041", "\ufeff", "é",
    ]
)  # fmt: skip
TEXT = st.one_of(st.lists(TOKENS, max_size=40).map("".join), st.text(max_size=80))
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8), TOKENS),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(TOKENS, st.text(max_size=8)), children, max_size=4),
    ),
    max_leaves=20,
)
TEMPLATE_VALUE = st.fixed_dictionaries(
    {"Resources": st.dictionaries(st.sampled_from(["Key", "Topic", "C"]), JSON_VALUE, max_size=3)},
    optional={"Metadata": JSON_VALUE, "AWSTemplateFormatVersion": JSON_VALUE},
)
FILE_NAMES = st.sampled_from(
    ["S.template.json"] * 4
    + ["N.template.json", "../outside.json", "/etc/hostname", ".", "..", "missing.json", "loop.json"]
)
ENTRY = st.one_of(
    JSON_VALUE,
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                ["aws:cdk:logicalId", "aws:cdk:templateFile", "aws:cdk:acknowledged-rules"]
            ),
            "data": st.one_of(FILE_NAMES, JSON_VALUE),
        }
    ),
)
METADATA = st.one_of(
    JSON_VALUE,
    st.dictionaries(
        st.sampled_from(["/S", "/S/Key", "/S/N"]),
        st.one_of(JSON_VALUE, st.lists(ENTRY, max_size=3)),
        max_size=3,
    ),
)
STACK = st.fixed_dictionaries(
    {
        "type": st.just("aws:cloudformation:stack"),
        "properties": st.fixed_dictionaries({"templateFile": FILE_NAMES}),
    },
    optional={"metadata": METADATA, "additionalMetadataFile": FILE_NAMES, "displayName": JSON_VALUE},
)
NESTED = st.fixed_dictionaries(
    {
        "type": st.just("cdk:cloud-assembly"),
        "properties": st.fixed_dictionaries({"directoryName": FILE_NAMES}),
    }
)
ARTIFACT = st.one_of(STACK, STACK, NESTED, JSON_VALUE)
MANIFEST = st.one_of(
    st.fixed_dictionaries(
        {
            "version": st.just("36.0.0"),
            "artifacts": st.dictionaries(st.sampled_from(["S", "T", "Stage"]), ARTIFACT),
        }
    ),
    st.fixed_dictionaries({}, optional={"artifacts": JSON_VALUE}),
    JSON_VALUE,
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def exit_code(path: pathlib.Path, *args: str) -> int:
    """The exit code on ``path``; an exception escaping ``main`` fails the test with its traceback."""
    out, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(errors):
        code = main(["scan", str(path), *args])
    err = errors.getvalue()
    assert "Traceback" not in err
    assert code in (0, 1, 2)
    if code == 2:
        assert err.startswith("secure-imagebuilder: "), err
    return code


@SETTINGS
@given(text=TEXT, suffix=st.sampled_from([".yaml", ".json", ".template"]))
def test_any_text_file(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / f"t{suffix}"
        path.write_text(text, encoding="utf-8")
        exit_code(path)


@SETTINGS
@given(template=TEMPLATE_VALUE, as_json=st.booleans())
def test_any_template_shaped_file(template: dict[str, Any], as_json: bool) -> None:
    import yaml

    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "t.template"
        path.write_text(json.dumps(template) if as_json else yaml.safe_dump(template), encoding="utf-8")
        exit_code(path, "--format", "json")


@SETTINGS
@given(manifest=MANIFEST, template=st.one_of(TEMPLATE_VALUE, JSON_VALUE), nested=MANIFEST)
def test_any_cloud_assembly(manifest: Any, template: Any, nested: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        outdir = pathlib.Path(folder) / "cdk.out"
        outdir.mkdir()
        (pathlib.Path(folder) / "outside.json").write_text(json.dumps(template))
        (outdir / "manifest.json").write_text(json.dumps(manifest))
        for name in ("S.template.json", "N.template.json"):
            (outdir / name).write_text(json.dumps(template))
        (outdir / "loop.json").symlink_to("loop.json")
        (outdir / "cdk.out").write_text(json.dumps(nested))
        exit_code(outdir, "--format", "sarif")
        exit_code(pathlib.Path(folder))  # the same, found by a directory search


@pytest.mark.parametrize(
    "text",
    [
        "Resources:\n  K: !Ref\n",
        "Resources: {K: {Type: X, Properties: !If [a]}}",
        '{"Resources": 1e999}',
        "\x00",
    ],
)
def test_the_command_line_on_odd_files(tmp_path: pathlib.Path, text: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    result = run_scan(path)
    assert result.returncode in (0, 1, 2)
    assert "Traceback" not in result.stderr
