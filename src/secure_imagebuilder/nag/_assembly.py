"""Snapshots of synthesized templates, for ``validate`` (the ``app.synth()`` path).

The CDK hands a validation plugin the template path of every stack; the cloud assembly next to it
holds the construct path of every logical id (``aws:cdk:logicalId`` metadata), the acknowledgements
(``aws:cdk:acknowledged-rules``), nested stack templates (``aws:cdk:templateFile``) and stack tags.
Reading those files costs no jsii round trip per resource, and the templates are exactly what
CloudFormation receives (escape-hatch overrides and aspects included).
"""

from __future__ import annotations

import functools
import json
import pathlib
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk

from secure_imagebuilder.nag import _values as v
from secure_imagebuilder.nag._acks import acknowledged_ids
from secure_imagebuilder.nag._model import Resource, StackView

LOGICAL_ID = "aws:cdk:logicalId"
TEMPLATE_FILE = "aws:cdk:templateFile"


@functools.lru_cache(maxsize=64)
def _read_json(path: str, mtime: float) -> Any:
    return json.loads(pathlib.Path(path).read_text(encoding="utf-8"))


def read_json(path: pathlib.Path) -> Any:
    """A JSON file, parsed once per modification time."""
    return _read_json(str(path), path.stat().st_mtime)


def _within(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent + "/")


class AssemblySnapshot:
    """The stacks of a synthesized cloud assembly, with paths and acknowledgements from its metadata."""

    def __init__(self, context: cdk.IPolicyValidationContext, fips_key: str) -> None:
        """Read the templates, manifest and metadata files of the stacks under validation."""
        app = context.app_construct
        app_node = app.node
        self._app_acks = acknowledged_ids(app_node.metadata)
        fips = v.truthy(app_node.try_get_context(fips_key)) is True
        self._acks: dict[str, set[str]] = {}
        self.stacks: list[StackView] = []
        for stack in context.stack_templates:
            self._read_stack(pathlib.Path(stack.template_path), stack.stack_construct_path, fips)

    def _read_stack(self, template_path: pathlib.Path, construct_path: str, fips: bool) -> None:
        outdir = template_path.parent
        manifest = read_json(outdir / "manifest.json")
        artifact: Mapping[str, Any] = next(
            (
                a
                for a in manifest.get("artifacts", {}).values()
                if a.get("properties", {}).get("templateFile") == template_path.name
            ),
            {},
        )
        metadata: dict[str, list[Any]] = dict(artifact.get("metadata", {}))
        extra = artifact.get("additionalMetadataFile")
        if extra:
            for path, entries in read_json(outdir / extra).items():
                metadata.setdefault(path, []).extend(entries)
        stack_path = str(artifact.get("displayName") or construct_path)
        tags = {str(k): str(val) for k, val in (artifact.get("properties", {}).get("tags") or {}).items()}

        templates = {"": template_path}
        ids: dict[str, dict[str, str]] = {"": {}}
        for path, entries in metadata.items():
            clean = path.lstrip("/")
            acks = acknowledged_ids(entries)
            if acks:
                self._acks.setdefault(clean, set()).update(acks)
            for entry in entries:
                data = entry.get("data")
                # The stack itself carries its own template file too; only nested stacks add one.
                if (
                    entry.get("type") == TEMPLATE_FILE
                    and isinstance(data, str)
                    and data != template_path.name
                ):
                    templates[clean] = outdir / data
                    ids.setdefault(clean, {})
        nested = sorted((p for p in templates if p), key=len, reverse=True)
        for path, entries in metadata.items():
            clean = path.lstrip("/")
            for entry in entries:
                if entry.get("type") == LOGICAL_ID and isinstance(entry.get("data"), str):
                    owner = next((n for n in nested if clean.startswith(n + "/")), "")
                    ids[owner][entry["data"]] = clean

        for owner, path in templates.items():
            if not path.exists():
                continue
            template = read_json(path)
            resources = []
            for logical_id, body in (template.get("Resources") or {}).items():
                if not isinstance(body, Mapping):
                    continue
                props = body.get("Properties")
                resources.append(
                    Resource(
                        type=str(body.get("Type", "")),
                        props=props if isinstance(props, Mapping) else {},
                        logical_id=logical_id,
                        deletion_policy=body.get("DeletionPolicy"),
                        update_replace_policy=body.get("UpdateReplacePolicy"),
                        path=ids[owner].get(logical_id),
                    )
                )
            self.stacks.append(
                StackView(
                    path=owner or stack_path,
                    resources=resources,
                    tags=tags if not owner else {},
                    fips=fips,
                    template_path=str(path),
                )
            )

    def is_acknowledged(self, resource: Resource, rule_id: str, base_id: str) -> bool:
        """Whether ``rule_id`` (or its whole rule) is acknowledged here, on an ancestor or on the app."""
        if rule_id in self._app_acks or base_id in self._app_acks:
            return True
        path = resource.path or ""
        for ack_path, ids in self._acks.items():
            if (rule_id in ids or base_id in ids) and path and _within(path, ack_path):
                return True
        return False
