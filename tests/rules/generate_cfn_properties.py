"""Regenerates src/secure_imagebuilder/rules/data/cfn_properties.json from the schemas cfn-lint ships.

Run by hand after a cfn-lint upgrade: ``python tests/rules/generate_cfn_properties.py``. The schemas are
the CloudFormation resource provider schemas (us-east-1), as patched by cfn-lint; for each resource type
the rule CFN1 reads, the file maps a property path (names joined by ``.``, list levels skipped) to the
property names the schema defines there. Free-form objects (tags maps, policy documents) have no entry.
"""

from __future__ import annotations

import importlib.metadata
import json
import pathlib
from typing import Any

import cfnlint

SCHEMAS = pathlib.Path(cfnlint.__file__).parent / "data" / "schemas"
OUT = (
    pathlib.Path(__file__).resolve().parents[2]
    / "src"
    / "secure_imagebuilder"
    / "rules"
    / "data"
    / "cfn_properties.json"
)
PREFIXES = (
    "AWS::ImageBuilder::",
    "AWS::KMS::",
    "AWS::IAM::",
    "AWS::SNS::",
    "AWS::RolesAnywhere::",
    "AWS::CloudTrail::Trail",
    "AWS::EC2::LaunchTemplate",
    "AWS::Logs::LogGroup",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
)


def _resolve(node: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["definitions"][node["$ref"].rsplit("/", 1)[-1]]
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        return _resolve(node["items"], schema)
    return node


def _walk(
    node: dict[str, Any], schema: dict[str, Any], path: str, out: dict[str, list[str]], depth: int
) -> None:
    node = _resolve(node, schema)
    properties = node.get("properties")
    if not isinstance(properties, dict) or depth > 8:
        return
    out[path] = sorted(properties)
    for name, child in properties.items():
        _walk(child, schema, f"{path}.{name}" if path else name, out, depth + 1)


def main() -> None:
    providers = json.loads((SCHEMAS / "providers" / "us-east-1.json").read_text())
    data: dict[str, dict[str, list[str]]] = {}
    for resource_type, digest in sorted(providers.items()):
        if not resource_type.startswith(PREFIXES):
            continue
        schema = json.loads((SCHEMAS / "resources" / f"{digest}.json").read_text())
        paths: dict[str, list[str]] = {}
        _walk(schema, schema, "", paths, 0)
        data[resource_type] = paths
    version = json.loads((SCHEMAS / "version.json").read_text()).get("schema_date")
    release = importlib.metadata.version("cfn-lint")
    document = {"source": f"cfn-lint {release} schemas, {version}", "types": data}
    OUT.write_text(json.dumps(document, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(data)} types)")


if __name__ == "__main__":
    main()
