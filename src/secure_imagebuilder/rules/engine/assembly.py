"""Templates as the rules see them: a CloudFormation template, or the stacks of a cloud assembly. Pure Python.

The cloud assembly (``cdk.out``) holds, next to each template, the construct path of every logical id
(``aws:cdk:logicalId`` metadata), the acknowledgements (``aws:cdk:acknowledged-rules``), nested stack
templates (``aws:cdk:templateFile``) and stack tags. Both front ends read it from disk: the cdk-nag
plugin (``app.synth()`` and ``validate_scope``) and the scanner, so they see the same templates, with the
same ids and acknowledgements, exactly as CloudFormation receives them.
"""

from __future__ import annotations

import functools
import json
import pathlib
from collections.abc import Iterator, Mapping
from typing import Any

from secure_imagebuilder.rules.engine import acks
from secure_imagebuilder.rules.engine.model import Resource, Stack

LOGICAL_ID = "aws:cdk:logicalId"
TEMPLATE_FILE = "aws:cdk:templateFile"
STACK_ARTIFACT = "aws:cloudformation:stack"
NESTED_ASSEMBLY = "cdk:cloud-assembly"


@functools.lru_cache(maxsize=64)
def _read_json(path: str, mtime: float) -> Any:
    return json.loads(pathlib.Path(path).read_text(encoding="utf-8"))


def read_json(path: pathlib.Path) -> Any:
    """A JSON file, parsed once per modification time."""
    return _read_json(str(path), path.stat().st_mtime)


def ancestors(path: str) -> Iterator[str]:
    """``a``, ``a/b``, ``a/b/c`` for ``a/b/c``."""
    parts = path.split("/")
    for end in range(1, len(parts) + 1):
        yield "/".join(parts[:end])


def stack_from_template(
    template: Mapping[str, Any],
    *,
    path: str,
    template_path: str | None = None,
    construct_paths: Mapping[str, str] | None = None,
    path_acks: Mapping[str, Mapping[str, str | None]] | None = None,
    outer_acks: Mapping[str, str | None] | None = None,
    tags: Mapping[str, str] | None = None,
    fips: bool = False,
) -> Stack:
    """One template as a ``Stack``: resources with construct paths and the acknowledgements that reach them.

    ``construct_paths`` maps logical ids to construct paths; ``path_acks`` maps construct paths to the
    acknowledgements recorded there (an acknowledgement reaches every resource below its path);
    ``outer_acks`` are those of the app and the stages around the stack.
    """
    construct_paths = construct_paths or {}
    path_acks = path_acks or {}
    outer = dict(outer_acks or {})

    def reaching(construct_path: str) -> dict[str, str | None]:
        found = dict(outer)
        for ancestor in ancestors(construct_path):
            found.update(path_acks.get(ancestor, {}))
        return found

    resources = []
    for logical_id, body in _mapping(template.get("Resources")).items():
        if not isinstance(body, Mapping):
            continue
        construct_path = construct_paths.get(logical_id)
        metadata = _mapping(body.get("Metadata"))
        resource_acks = reaching(construct_path) if construct_path else dict(outer)
        resource_acks.update(acks.in_template(metadata))
        condition = body.get("Condition")
        resources.append(
            Resource(
                type=str(body.get("Type", "")),
                props=_mapping(body.get("Properties")),
                logical_id=str(logical_id),
                deletion_policy=body.get("DeletionPolicy"),
                update_replace_policy=body.get("UpdateReplacePolicy"),
                path=construct_path,
                acks=resource_acks,
                metadata=metadata,
                condition=condition if isinstance(condition, str) else None,
            )
        )
    sources: dict[str, set[str]] = {ack: {""} for ack in outer}
    for ack_path, found in path_acks.items():
        for ack in found:
            sources.setdefault(ack, set()).add(ack_path)
    for resource in resources:
        for ack in acks.in_template(resource.metadata):
            sources.setdefault(ack, set()).add(resource.path or resource.logical_id or "")
    return Stack(
        ack_sources=sources,
        path=path,
        resources=resources,
        tags=dict(tags or {}),
        fips=fips,
        template_path=template_path,
        acks=reaching(path),
        parameters=_mapping(template.get("Parameters")),
        conditions=_mapping(template.get("Conditions")),
        mappings=_mapping(template.get("Mappings")),
        outputs=_mapping(template.get("Outputs")),
        metadata=_mapping(template.get("Metadata")),
        description=template.get("Description"),
    )


def read_stack_artifact(
    template_path: pathlib.Path, *, outer_acks: Mapping[str, str | None] | None = None, fips: bool = False
) -> list[Stack]:
    """The stack whose template is ``template_path``, and its nested stacks, from the assembly beside it."""
    outdir = template_path.parent
    artifact = _artifact_of(outdir, template_path.name)
    metadata: dict[str, list[Any]] = {k: list(v) for k, v in _mapping(artifact.get("metadata")).items()}
    extra = artifact.get("additionalMetadataFile")
    if isinstance(extra, str) and (outdir / extra).exists():
        for path, entries in _mapping(read_json(outdir / extra)).items():
            metadata.setdefault(path, []).extend(entries)
    properties = _mapping(artifact.get("properties"))
    stack_path = str(artifact.get("displayName") or template_path.stem.removesuffix(".template"))
    tags = {str(k): str(val) for k, val in _mapping(properties.get("tags")).items()}

    templates = {"": template_path}
    path_acks: dict[str, dict[str, str | None]] = {}
    for path, entries in metadata.items():
        clean = path.lstrip("/")
        found = acks.acknowledged(entries)
        if found:
            path_acks.setdefault(clean, {}).update(found)
        for entry in entries:
            data = entry.get("data") if isinstance(entry, Mapping) else None
            # The stack itself carries its own template file too; only nested stacks add one.
            if entry.get("type") == TEMPLATE_FILE and isinstance(data, str) and data != template_path.name:
                templates[clean] = outdir / data
    nested = sorted((p for p in templates if p), key=len, reverse=True)
    construct_paths: dict[str, dict[str, str]] = {owner: {} for owner in templates}
    for construct_path, entries in metadata.items():
        clean = construct_path.lstrip("/")
        for entry in entries:
            if entry.get("type") == LOGICAL_ID and isinstance(entry.get("data"), str):
                owner = next((n for n in nested if clean.startswith(n + "/")), "")
                construct_paths[owner][entry["data"]] = clean

    stacks = []
    for owner, template_file in templates.items():
        if template_file.exists():
            stacks.append(
                stack_from_template(
                    _mapping(read_json(template_file)),
                    path=owner or stack_path,
                    template_path=str(template_file),
                    construct_paths=construct_paths[owner],
                    path_acks=path_acks,
                    outer_acks=outer_acks,
                    tags=tags if not owner else {},
                    fips=fips,
                )
            )
    return stacks


def read_assembly(outdir: pathlib.Path, *, fips: bool = False) -> list[Stack]:
    """Every stack of a cloud assembly directory (``cdk.out``), nested stages and nested stacks included."""
    manifest = _mapping(read_json(outdir / "manifest.json"))
    stacks: list[Stack] = []
    for artifact in _mapping(manifest.get("artifacts")).values():
        if not isinstance(artifact, Mapping):
            continue
        properties = _mapping(artifact.get("properties"))
        if artifact.get("type") == STACK_ARTIFACT and isinstance(properties.get("templateFile"), str):
            stacks.extend(read_stack_artifact(outdir / properties["templateFile"], fips=fips))
        elif artifact.get("type") == NESTED_ASSEMBLY and isinstance(properties.get("directoryName"), str):
            stacks.extend(read_assembly(outdir / properties["directoryName"], fips=fips))
    return stacks


def _artifact_of(outdir: pathlib.Path, template_name: str) -> Mapping[str, Any]:
    manifest = _mapping(read_json(outdir / "manifest.json")) if (outdir / "manifest.json").exists() else {}
    for artifact in _mapping(manifest.get("artifacts")).values():
        if isinstance(artifact, Mapping) and _mapping(artifact.get("properties")).get("templateFile") == (
            template_name
        ):
            return artifact
    return {}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
