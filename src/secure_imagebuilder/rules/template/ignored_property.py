"""CFN1: no property that CloudFormation ignores because of its case (R5, R1).

In Python, an L1 property class inside an ``any``-typed field renders camelCase keys
(``kmsKeyId``) that CloudFormation does not apply (aws/aws-cdk#34758, #34407, #26912): the AMI is then
not encrypted with the key, and no other tool reports it as a security finding. The property names come
from the CloudFormation resource schemas cfn-lint ships (``rules/data/cfn_properties.json``, regenerated
by tests/rules/generate_cfn_properties.py).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Level, Resource, Rule, RuleResult, Stack


@functools.cache
def schema_paths() -> dict[str, dict[str, list[str]]]:
    """Resource type -> property path -> the property names the schema defines there."""
    text = resources.files("secure_imagebuilder.rules.data").joinpath("cfn_properties.json").read_text()
    types: dict[str, dict[str, list[str]]] = json.loads(text)["types"]
    return types


@functools.cache
def _names(resource_type: str) -> dict[str, tuple[frozenset[str], dict[str, str]]]:
    """Property path -> (the schema's names there, lower-cased name -> name), for one resource type."""
    return {
        path: (frozenset(names), {name.lower(): name for name in names})
        for path, names in schema_paths()[resource_type].items()
    }


def _miscased(
    value: Any, path: str, known: Mapping[str, tuple[frozenset[str], dict[str, str]]], stack: Stack
) -> Iterator[str]:
    exact, by_lower = known[path]
    for item in v.as_list(value):
        for alternative in v.alternatives(item, stack):
            if not isinstance(alternative, Mapping) or v.intrinsic(alternative) is not None:
                continue
            for key, child in alternative.items():
                key = str(key)
                where = f"{path}.{key}" if path else key
                if key in exact:
                    if where in known:  # else a value, or a free-form object (tags, a policy document)
                        yield from _miscased(child, where, known, stack)
                elif key.lower() in by_lower:
                    yield f"{where}={by_lower[key.lower()]}"


def ignored_property(resource: Resource, stack: Stack) -> RuleResult:
    """One finding per property whose name differs only in case from the schema's: ``<path>=<right name>``."""
    if resource.type not in schema_paths():
        return []
    return sorted(set(_miscased(dict(resource.props), "", _names(resource.type), stack)))


RULE = Rule(
    id="CFN1",
    level=Level.ERROR,
    refs=("R5", "R1"),
    info=(
        "A property name differs only in case from the one CloudFormation defines, so CloudFormation ignores "
        "it (for example kmsKeyId for KmsKeyId: the AMI is not encrypted with the key)."
    ),
    explanation=(
        "R5: rename the property to the schema's spelling shown after '=' in the finding id. In Python, pass "
        "plain dicts with CloudFormation's names inside any-typed fields instead of L1 property classes "
        "(aws/aws-cdk#34758)."
    ),
    applies_to=tuple(sorted(schema_paths())),
    check=ignored_property,
    unknown="Reads property names, which are never deploy-time values; every Fn::If branch counts.",
)
