"""The app's acknowledgements written into its synthesized templates, so an exported template keeps them.

``Validations.of(construct).acknowledge(...)`` records an acknowledgement in the cloud assembly's
metadata, not in ``*.template.json``: a template copied out of ``cdk.out`` (``cdk synth > template.yaml``)
loses it, and ``secure-imagebuilder scan`` of that copy reports the finding again. With the context key
``secure-imagebuilder:write-acknowledgements`` set to ``true``, ``DataProtectionChecks.validate`` writes
them into the templates as the scanner reads them:

- acknowledgements on the stack and above it (the app, stages) into the template's top-level
  ``Metadata.cdk_nag.rules_to_suppress`` (stack-wide: AUD1, stack tags, and every resource);
- acknowledgements on constructs below the stack into the ``Metadata.cdk_nag.rules_to_suppress`` of each
  resource they reach, unless the stack-wide ones already say the same.

Only the pack's own ids (``DataProtection-...``) are written; entries a template already holds stay as
they are. Pure Python over the files on disk: no jsii call.

Why after synthesis, and why opt-in. The CDK writes each template and then keys it as an asset by its
hash (``<stack>.assets.json``, the stack's ``stackTemplateAssetObjectUrl``, a parent's ``TemplateURL``
for a nested stack) before it calls validation plugins. Writing into the templates before that would need
every construct's metadata through jsii (measured at ~0.75 ms per construct, more than the whole pack
costs). So a template is rewritten afterwards and re-keyed here: its asset entry, the object URL and a
parent template's reference get the SHA-256 of the new content, bottom-up through nested stacks. A stack
synthesizer that keys its templates some other way would be left pointing at the old key; that risk, and
a plugin that changes the files it validates, are why it is off unless asked for.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
from collections.abc import Iterable, Mapping
from typing import Any

from secure_imagebuilder.rules.engine import acks
from secure_imagebuilder.rules.engine.model import Stack
from secure_imagebuilder.rules.table import PACK_NAME

WRITE_ACKNOWLEDGEMENTS_CONTEXT_KEY = "secure-imagebuilder:write-acknowledgements"
MANIFEST = "manifest.json"
Acks = Mapping[str, "str | None"]


def ours(found: Acks) -> dict[str, str | None]:
    """The acknowledgements of this pack's rules."""
    return {rule_id: reason for rule_id, reason in found.items() if rule_id.startswith(f"{PACK_NAME}-")}


def _entries(found: Acks) -> list[dict[str, str]]:
    """``rules_to_suppress`` entries; an acknowledgement without a reason keeps an empty one (ACK1)."""
    return [{"id": rule_id, "reason": reason or ""} for rule_id, reason in sorted(found.items())]


def _add(metadata: dict[str, Any], found: Acks) -> bool:
    """Append ``found`` to ``metadata.cdk_nag.rules_to_suppress`` (ids already there are kept as they are)."""
    missing = {k: val for k, val in found.items() if k not in acks.in_template(metadata)}
    if not missing:
        return False
    block = metadata.setdefault("cdk_nag", {})
    if not isinstance(block, dict):
        raise ValueError(f"Metadata.cdk_nag is {type(block).__name__}, not a mapping")
    rules = block.setdefault("rules_to_suppress", [])
    if not isinstance(rules, list):
        raise ValueError(f"Metadata.cdk_nag.rules_to_suppress is {type(rules).__name__}, not a list")
    rules.extend(_entries(missing))
    return True


def acknowledge_in_template(template: dict[str, Any], stack: Stack) -> list[str | None]:
    """Write the acknowledgements that reach ``stack`` into its template.

    Returns where the template's ``Metadata`` changed: ``None`` for its top level, else logical ids.
    """
    stack_wide = ours(stack.acks)
    changed: list[str | None] = []
    if stack_wide and _add(_metadata(template, "the template's"), stack_wide):
        changed.append(None)
    bodies = template.get("Resources")
    for resource in stack.resources:
        body = bodies.get(resource.logical_id) if isinstance(bodies, dict) else None
        own = {k: val for k, val in ours(resource.acks).items() if (k, val) not in stack_wide.items()}
        if own and isinstance(body, dict) and _add(_metadata(body, f"{resource.logical_id}:"), own):
            changed.append(resource.logical_id)
    return changed


def _metadata(owner: dict[str, Any], whose: str) -> dict[str, Any]:
    metadata = owner.setdefault("Metadata", {})
    if not isinstance(metadata, dict):
        raise ValueError(f"{whose} Metadata is {type(metadata).__name__}, not a mapping")
    return metadata


def write_acknowledgements(stacks: Iterable[Stack]) -> list[pathlib.Path]:
    """Write each stack's acknowledgements into its template file and re-key what changed; the files written.

    Nested templates first (deepest construct path first), so that a parent's reference to a nested
    template's new key is part of the parent's own content when the parent is keyed. The new keys then
    replace the old ones in every JSON file of the cloud assembly (``_propagate``).
    """
    ordered = sorted((s for s in stacks if s.template_path), key=lambda s: s.path.count("/"), reverse=True)
    rekeyed: dict[str, str] = {}
    written: list[pathlib.Path] = []
    for stack in ordered:
        path = pathlib.Path(str(stack.template_path))
        before = path.read_text(encoding="utf-8")
        text = _substituted(before, rekeyed)
        template = json.loads(text)
        changed = acknowledge_in_template(template, stack)
        if changed:
            text = edited(text, template, changed)
        if text == before:
            continue
        _replace(path, text)
        written.append(path)
        old = _asset_key(path)
        if old is not None:
            rekeyed[old] = _key(text)
    if rekeyed:
        written.extend(p for p in _propagate(_root(written[0]), rekeyed) if p not in written)
    return written


def _propagate(root: pathlib.Path, rekeyed: Mapping[str, str]) -> list[pathlib.Path]:
    """Replace old keys by new ones in every JSON file under ``root``, until no file changes.

    Beyond the asset manifests, ``manifest.json`` and ``tree.json``, a key can be named by a template of
    another assembly (a CDK Pipelines stack names its stages' assets): such a template changes too, so it
    gets a new key in turn.
    """
    pending, written = dict(rekeyed), []
    while pending:
        following: dict[str, str] = {}
        for path in sorted(root.rglob("*.json")):
            before = path.read_text(encoding="utf-8")
            text = _substituted(before, pending)
            if text == before:
                continue
            old = _asset_key(path)  # the key the assembly publishes this file under, if any ...
            old = pending.get(old, old) if old else None  # ... once this pass has re-keyed its manifest
            _replace(path, text)
            written.append(path)
            if old is not None and old != _key(text):
                following[old] = _key(text)
        pending = following
    return written


def _root(template: pathlib.Path) -> pathlib.Path:
    """The outermost cloud assembly holding ``template`` (a stage's assembly lies inside the app's)."""
    root = template.parent
    while (root.parent / MANIFEST).is_file() and root.parent != root:
        root = root.parent
    return root


def _key(text: str) -> str:
    """An asset key for a template's text: its SHA-256, as the CDK keys the templates it writes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _LayoutError(Exception):
    """The template text is not laid out the way the CDK writes it."""


def edited(text: str, template: dict[str, Any], changed: list[str | None]) -> str:
    """``text`` with the ``Metadata`` of the top level and of the ``changed`` resources as in ``template``.

    Only the changed members are written again (in the CDK's layout, ``JSON.stringify(t, null, 1)``), so
    the cost is that of the acknowledgements, not of the template: Python's indenting JSON encoder is
    pure Python, and a 400-resource template would take tens of milliseconds. A text laid out otherwise,
    or an edit that does not read back as ``template``, is written whole instead.
    """
    try:
        lines = text.split("\n")
        if lines[0] != "{" or lines[-1] != "}":
            raise _LayoutError
        top = _members(lines, 1, len(lines) - 1, 1)
        edits = []
        if None in changed:
            edits.append(_set(lines, top.get("Metadata"), 1, 1, "Metadata", template["Metadata"]))
        resources = [c for c in changed if c is not None]
        if resources:
            start, end = top["Resources"]
            bodies = _members(lines, start + 1, end - 1, 2)
            for logical_id in resources:
                first, last = bodies[logical_id]
                members = _members(lines, first + 1, last - 1, 3)
                metadata = template["Resources"][logical_id]["Metadata"]
                edits.append(_set(lines, members.get("Metadata"), first + 1, 3, "Metadata", metadata))
        for start, end, replacement in sorted(edits, reverse=True):
            lines[start:end] = replacement
        result = "\n".join(lines)
        if json.loads(result) == template:
            return result
    except (_LayoutError, KeyError, ValueError):
        pass
    return json.dumps(template, indent=1, ensure_ascii=False)


def _members(lines: list[str], start: int, end: int, indent: int) -> dict[str, tuple[int, int]]:
    """The line span of each member of the object whose members are ``lines[start:end]`` at ``indent``."""
    pad, spans, decoder = " " * indent, {}, json.JSONDecoder()
    index = start
    while index < end:
        line = lines[index]
        if not line.startswith(pad + '"'):
            raise _LayoutError
        key, after = decoder.raw_decode(line, indent)
        value = line[after:]
        if value in (": {", ": ["):
            close = pad + ("}" if value == ": {" else "]")
            last = index + 1
            while last < end and lines[last] not in (close, close + ","):
                last += 1
            if last == end:
                raise _LayoutError
            spans[key], index = (index, last + 1), last + 1
        else:
            spans[key], index = (index, index + 1), index + 1
    return spans


def _set(
    lines: list[str], span: tuple[int, int] | None, first: int, indent: int, key: str, value: Any
) -> tuple[int, int, list[str]]:
    """The edit that gives the object member ``key`` the ``value`` (replaced, or inserted first)."""
    pad = " " * indent
    dumped = json.dumps(value, indent=1, ensure_ascii=False).split("\n")
    member = [f"{pad}{json.dumps(key)}: {dumped[0]}", *(pad + line for line in dumped[1:])]
    if span is None:
        member[-1] += ","
        return first, first, member
    start, end = span
    if lines[end - 1].endswith(","):
        member[-1] += ","
    return start, end, member


def _asset_key(template: pathlib.Path) -> str | None:
    """The key under which an asset manifest beside ``template`` publishes it (its content hash)."""
    for manifest in _artifact_files(template.parent, "cdk:asset-manifest"):
        files = _read(manifest).get("files")
        for key, entry in (files if isinstance(files, dict) else {}).items():
            source = entry.get("source") if isinstance(entry, dict) else None
            if isinstance(source, dict) and source.get("path") == template.name:
                return str(key)
    return None


def _artifact_files(outdir: pathlib.Path, *types: str) -> list[pathlib.Path]:
    """The files of the artifacts of these types that the assembly in ``outdir`` lists."""
    artifacts = _read(outdir / MANIFEST).get("artifacts")
    found = []
    for artifact in (artifacts if isinstance(artifacts, dict) else {}).values():
        if isinstance(artifact, dict) and artifact.get("type") in types:
            name = (artifact.get("properties") or {}).get("file")
            if isinstance(name, str) and (outdir / name).is_file():
                found.append(outdir / name)
    return found


def _read(path: pathlib.Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    value = json.loads(path.read_text(encoding="utf-8"))
    return value if isinstance(value, dict) else {}


def _substituted(text: str, rekeyed: Mapping[str, str]) -> str:
    """``text`` with every old asset key replaced by the new one (keys are SHA-256 hex: never ambiguous)."""
    for old, new in rekeyed.items():
        text = text.replace(old, new)
    return text


def _replace(path: pathlib.Path, text: str) -> None:
    """Write ``path`` atomically: a reader sees the old file or the new one, never half of it."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
