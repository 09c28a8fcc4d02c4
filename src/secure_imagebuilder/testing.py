"""Helpers for your own pytest suite: the pack as an assertion, and templates that snapshot stably.

```python
from secure_imagebuilder.testing import assert_compliant, normalized_template

def test_images(snapshot):
    stack = build_my_stack()
    assert_compliant(stack)                              # AssertionError listing every finding
    assert normalized_template(stack) == snapshot        # asset hashes and bootstrap checks masked
```

With syrupy, ``snapshot.use_extension(TemplateSnapshotExtension)`` stores the same normalized template
as pretty JSON (and accepts a stack directly). syrupy is not a dependency: the extension is built on
first use.
"""

from __future__ import annotations

import json
import re
from typing import Any

import aws_cdk as cdk
from constructs import IConstruct

from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.nag.pack import scope_stacks
from secure_imagebuilder.rules.engine import run
from secure_imagebuilder.rules.engine.model import Level

ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")
ASSET_HASH_PLACEHOLDER = "<asset-hash>"
_BOOTSTRAP = (("Parameters", "BootstrapVersion"), ("Rules", "CheckBootstrapVersion"))


def assert_compliant(scope: IConstruct, *, warnings: bool = False) -> None:
    """Fail when DataProtectionChecks reports an unacknowledged error under ``scope`` (and warning, if asked).

    The message lists each finding with its rule id, construct path (or logical id) and fix.
    Acknowledgements count exactly as in ``cdk synth``.
    """
    _check_arguments(scope, warnings)
    failing = {Level.ERROR, Level.WARNING} if warnings else {Level.ERROR}
    findings = [f for f in run.evaluate(scope_stacks(scope)) if f.acknowledged is None and f.level in failing]
    if not findings:
        return
    lines = [f"{len(findings)} DataProtectionChecks finding(s) under {scope.node.path or 'the app'}:"]
    for finding in findings:
        where = finding.resource.path or finding.resource.logical_id or finding.stack.path
        fix = finding.error or finding.rule.explanation
        lines.append(f"- {finding.rule_id} at {where}: {finding.rule.info}\n  fix: {fix}")
    raise AssertionError("\n".join(lines))


def _check_arguments(scope: object, warnings: object) -> None:
    """Our error for a scope that is no construct (a stack name, ``None``) or ``warnings`` not a bool."""
    problems = ValidationProblems(None, "assert_compliant")
    if not hasattr(scope, "node"):
        problems.add(
            "scope must be a construct: a stack, a stage or the app",
            scope,
            "pass the stack object, e.g. assert_compliant(stack), not its name",
        )
    if not isinstance(warnings, bool):
        problems.add("warnings must be True or False", warnings, "pass warnings=True to fail on warnings too")
    problems.raise_if_any()


def normalize(template: dict[str, Any]) -> dict[str, Any]:
    """A template with run-dependent values masked: asset hashes, the CDK bootstrap checks, CDKMetadata."""
    masked: dict[str, Any] = json.loads(ASSET_HASH.sub(ASSET_HASH_PLACEHOLDER, json.dumps(template)))
    for section, name in _BOOTSTRAP:
        entries = masked.get(section)
        if isinstance(entries, dict):
            entries.pop(name, None)
            if not entries:
                masked.pop(section)
    resources = masked.get("Resources")
    if isinstance(resources, dict):
        resources.pop("CDKMetadata", None)
    conditions = masked.get("Conditions")
    if isinstance(conditions, dict):
        conditions.pop("CDKMetadataAvailable", None)
        if not conditions:
            masked.pop("Conditions")
    return masked


def normalized_template(stack: cdk.Stack) -> dict[str, Any]:
    """The stack's synthesized template, normalized for a snapshot that is stable across machines."""
    return normalize(dict(cdk.assertions.Template.from_stack(stack).to_json()))


def __getattr__(name: str) -> Any:
    """``TemplateSnapshotExtension``: built on first use, so syrupy stays an optional test dependency."""
    if name != "TemplateSnapshotExtension":
        raise AttributeError(f"module 'secure_imagebuilder.testing' has no attribute {name!r}")
    from syrupy.extensions.json import JSONSnapshotExtension

    class TemplateSnapshotExtension(JSONSnapshotExtension):
        """syrupy JSON snapshots of normalized templates; accepts a stack or a template dict."""

        def serialize(self, data: Any, **kwargs: Any) -> Any:
            if isinstance(data, cdk.Stack):
                data = normalized_template(data)
            elif isinstance(data, dict):
                data = normalize(data)
            return super().serialize(data, **kwargs)

    globals()[name] = TemplateSnapshotExtension
    return TemplateSnapshotExtension
