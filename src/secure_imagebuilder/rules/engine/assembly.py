"""Templates as the rules see them: a CloudFormation template, or the stacks of a cloud assembly. Pure Python.

The cloud assembly (``cdk.out``) holds, next to each template, the construct path of every logical id
(``aws:cdk:logicalId`` metadata), the acknowledgements (``aws:cdk:acknowledged-rules``), nested stack
templates (``aws:cdk:templateFile``) and stack tags. Both front ends read it from disk: the cdk-nag
plugin (``app.synth()`` and ``validate_scope``) and the scanner, so they see the same templates, with the
same ids and acknowledgements, exactly as CloudFormation receives them.

An assembly is read as untrusted input: a manifest or metadata of the wrong shape, a file it names that
is missing, absolute, outside the assembly directory (also through a symlink) or a symlink loop, and a
nested assembly that leads back to one already read raise ``AssemblyError`` naming the file; the
templates are read by ``templates.read`` (duplicate keys, nesting and shape checked, lines kept).
"""

from __future__ import annotations

import errno
import functools
import os
import pathlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from secure_imagebuilder.rules.engine import acks, expand, templates
from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import Resource, Stack

LOGICAL_ID = "aws:cdk:logicalId"
ASSET_MANIFEST = "cdk:asset-manifest"
# An asset document larger than this is refused (an Image Builder document is far smaller).
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
# The properties that name a document Image Builder downloads from S3, by resource type.
DOCUMENT_URIS = {
    "AWS::ImageBuilder::Component": "Uri",
    "AWS::ImageBuilder::Workflow": "Uri",
    "AWS::ImageBuilder::ContainerRecipe": "DockerfileTemplateUri",
}
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
TEMPLATE_FILE = "aws:cdk:templateFile"
STACK_ARTIFACT = "aws:cloudformation:stack"
NESTED_ASSEMBLY = "cdk:cloud-assembly"
MANIFEST = "manifest.json"
# A manifest or metadata file larger than this is refused (they grow with the app; no app comes near it).
MAX_JSON_BYTES = 64 * 1024 * 1024
Metadata = dict[str, list[Mapping[str, Any]]]


class AssemblyError(ValueError):
    """A cloud assembly that cannot be read: the message names the file and what is wrong with it."""


@functools.lru_cache(maxsize=64)
def _read_json(path: str, mtime: float, written_by_cdk: bool) -> Any:
    file = pathlib.Path(path)
    try:
        with file.open("rb") as stream:
            data = stream.read(MAX_JSON_BYTES + 1)
    except OSError as error:
        raise AssemblyError(f"{file}: cannot be read ({error.strerror or error})") from None
    if len(data) > MAX_JSON_BYTES:
        raise AssemblyError(f"{file}: larger than {MAX_JSON_BYTES} bytes")
    try:
        return templates.load_json(data.decode("utf-8"), path, written_by_cdk=written_by_cdk)
    except UnicodeDecodeError as error:
        raise AssemblyError(f"{file}: not UTF-8 text (byte {error.start})") from None


def read_json(path: pathlib.Path, *, written_by_cdk: bool = False) -> Any:
    """A JSON file, parsed once per modification time (nesting capped, errors with line and column).

    ``written_by_cdk``: see ``templates.parse``.
    """
    try:
        mtime = path.stat().st_mtime
    except OSError as error:
        raise AssemblyError(f"{path}: cannot be read ({error.strerror or error})") from None
    return _read_json(str(path), mtime, written_by_cdk)


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
    nested_templates_read: bool = False,
) -> Stack:
    """One template as a ``Stack``: resources with construct paths and the acknowledgements that reach them.

    ``Fn::ForEach`` loops are expanded (``engine.expand``); what cannot be read is recorded in
    ``Stack.unread`` (a loop over a deploy-time collection, a macro, and, unless
    ``nested_templates_read``, a nested stack whose template is not part of the input).

    ``construct_paths`` maps logical ids to construct paths; ``path_acks`` maps construct paths to the
    acknowledgements recorded there (an acknowledgement reaches every resource below its path);
    ``outer_acks`` are those of the app and the stages around the stack. The template's own top-level
    ``Metadata.cdk_nag.rules_to_suppress`` acknowledges for the whole stack, as an acknowledgement on the
    stack's construct does: the way a plain template acknowledges stack-wide findings (AUD1, stack tags).
    """
    outer = dict(outer_acks or {})
    reach = _Reach(outer, path_acks or {}, construct_paths or {})
    parameters = _mapping(template.get("Parameters"))
    expanded = expand.resources(template, parameters)
    unread = expanded.unread + expand.transforms(template)
    resources = []
    for logical_id, body in expanded.resources.items():
        if not isinstance(body, Mapping):
            continue
        if body.get("Type") == "AWS::CloudFormation::Stack" and not nested_templates_read:
            why = "a nested stack whose template is not scanned"
            unread.append(expand.Unread(f"Resources.{logical_id}", why))
        resources.append(reach.resource(str(logical_id), body))
    template_acks = acks.in_template(template.get("Metadata"))
    return Stack(
        ack_sources=reach.sources(path, template_acks, resources),
        path=path,
        resources=resources,
        tags=dict(tags or {}),
        fips=fips,
        template_path=template_path,
        acks={**reach.acks(path), **template_acks},
        parameters=parameters,
        conditions=_mapping(template.get("Conditions")),
        mappings=_mapping(template.get("Mappings")),
        outputs=_mapping(template.get("Outputs")),
        metadata=_mapping(template.get("Metadata")),
        description=template.get("Description"),
        unread=unread,
        origins=expanded.origins,
    )


@dataclass(frozen=True)
class _Reach:
    """Which acknowledgements reach a construct path: the app's, then each ancestor's."""

    outer: Mapping[str, str | None]
    path_acks: Mapping[str, Mapping[str, str | None]]
    construct_paths: Mapping[str, str]

    def acks(self, construct_path: str) -> dict[str, str | None]:
        found = dict(self.outer)
        for ancestor in ancestors(construct_path):
            found.update(self.path_acks.get(ancestor, {}))
        return found

    def resource(self, logical_id: str, body: Mapping[str, Any]) -> Resource:
        """One resource with its construct path and the acknowledgements that reach it."""
        construct_path = self.construct_paths.get(logical_id)
        metadata = _mapping(body.get("Metadata"))
        resource_acks = self.acks(construct_path) if construct_path else dict(self.outer)
        resource_acks.update(acks.in_template(metadata))
        condition = body.get("Condition")
        return Resource(
            type=str(body.get("Type", "")),
            props=_mapping(body.get("Properties")),
            logical_id=logical_id,
            deletion_policy=body.get("DeletionPolicy"),
            update_replace_policy=body.get("UpdateReplacePolicy"),
            path=construct_path,
            acks=resource_acks,
            metadata=metadata,
            condition=condition if isinstance(condition, str) else None,
        )

    def sources(
        self, path: str, template_acks: Mapping[str, str | None], resources: list[Resource]
    ) -> dict[str, set[str]]:
        """Every acknowledged id -> where it was written (construct paths, logical ids; "" for the app)."""
        found: dict[str, set[str]] = {ack: {""} for ack in self.outer}
        for ack in template_acks:
            found.setdefault(ack, set()).add(path)
        for ack_path, written in self.path_acks.items():
            for ack in written:
                found.setdefault(ack, set()).add(ack_path)
        for resource in resources:
            for ack in acks.in_template(resource.metadata):
                found.setdefault(ack, set()).add(resource.path or resource.logical_id or "")
        return found


class AssemblyReader:
    """Reads the stacks of one cloud assembly, keeping every path it opens inside ``root``.

    ``lines`` collects, for every template read, the line where each resource starts (template path ->
    logical id -> line), for reports; ``files`` every file opened.
    """

    def __init__(
        self,
        root: pathlib.Path,
        *,
        fips: bool = False,
        outer_acks: Mapping[str, str | None] | None = None,
        written_by_cdk: bool = False,
    ) -> None:
        """A reader of the assembly directory ``root`` (nested assemblies must lie below it).

        ``written_by_cdk``: the CDK is synthesizing it in this process (``templates.parse``); no lines.
        """
        self.root = root
        self.fips = fips
        self.outer_acks = outer_acks
        self.written_by_cdk = written_by_cdk
        self.lines: dict[str, dict[str, int]] = {}
        self.files: set[pathlib.Path] = set()
        self._real_root = _resolved(root)
        self._seen: set[pathlib.Path] = set()

    def assembly(self, outdir: pathlib.Path | None = None) -> list[Stack]:
        """Every stack of the assembly in ``outdir`` (default: the root), nested stages included."""
        outdir = self.root if outdir is None else outdir
        self._seen.add(_resolved(outdir))
        manifest_path = outdir / MANIFEST
        self.files.add(manifest_path)
        stacks: list[Stack] = []
        for artifact_id, artifact in _artifacts(manifest_path, self.written_by_cdk).items():
            properties = _object(artifact.get("properties"), manifest_path, f"artifact {artifact_id!r}")
            if artifact.get("type") == STACK_ARTIFACT:
                name = properties.get("templateFile")
                if not isinstance(name, str):
                    raise AssemblyError(f"{manifest_path}: artifact {artifact_id!r} has no templateFile")
                template = self.inside(outdir, name, manifest_path)
                stacks.extend(self.stack_artifact(template, artifact, manifest_path))
            elif artifact.get("type") == NESTED_ASSEMBLY:
                directory = self.inside(outdir, properties.get("directoryName"), manifest_path)
                if directory.resolve() in self._seen:
                    raise AssemblyError(
                        f"{manifest_path}: nested assembly {artifact_id!r} is a cycle ({directory} is read "
                        "already)"
                    )
                stacks.extend(self.assembly(directory))
        return stacks

    def stack_artifact(
        self, template_path: pathlib.Path, artifact: Mapping[str, Any], manifest_path: pathlib.Path
    ) -> list[Stack]:
        """The stack whose template is ``template_path``, and its nested stacks."""
        outdir = template_path.parent
        metadata = _metadata(artifact.get("metadata"), manifest_path)
        extra = artifact.get("additionalMetadataFile")
        if extra is not None:
            extra_path = self.inside(outdir, extra, manifest_path)
            self.files.add(extra_path)
            extra_metadata = read_json(extra_path, written_by_cdk=self.written_by_cdk)
            for path, entries in _metadata(extra_metadata, extra_path).items():
                metadata.setdefault(path, []).extend(entries)
        properties = _mapping(artifact.get("properties"))
        stack_path = str(artifact.get("displayName") or template_path.stem.removesuffix(".template"))
        tags = {str(k): str(val) for k, val in _mapping(properties.get("tags")).items()}
        files, path_acks, construct_paths = self._construct_tree(template_path, metadata, manifest_path)
        stacks = []
        self.files.update(files.values())
        for owner, template_file in files.items():
            template = templates.read(template_file, in_assembly=True, written_by_cdk=self.written_by_cdk)
            self.lines[str(template_file)] = dict(template.lines)
            stacks.append(
                stack_from_template(
                    template.body,
                    path=owner or stack_path,
                    template_path=str(template_file),
                    construct_paths=construct_paths[owner],
                    path_acks=path_acks,
                    outer_acks=self.outer_acks,
                    tags=tags if not owner else {},
                    fips=self.fips,
                    nested_templates_read=True,  # the assembly holds them: they are read as stacks
                )
            )
        assets = self._assets(outdir, artifact, manifest_path)
        if assets:
            for stack in stacks:
                self._attach_documents(stack, assets)
        return stacks

    def _assets(
        self, outdir: pathlib.Path, artifact: Mapping[str, Any], manifest_path: pathlib.Path
    ) -> dict[re.Pattern[str], pathlib.Path]:
        """The file assets of the stack's asset manifests: the S3 URI each is published to -> its file.

        A URI's account, Region and partition placeholders (``${AWS::AccountId}``) match one path segment.
        """
        dependencies = artifact.get("dependencies")
        if not isinstance(dependencies, list) or not manifest_path.exists():
            return {}
        artifacts = _artifacts(manifest_path, self.written_by_cdk)
        found: dict[re.Pattern[str], pathlib.Path] = {}
        for dependency in dependencies:
            entry = artifacts.get(str(dependency), {})
            if entry.get("type") != ASSET_MANIFEST:
                continue
            assets_path = self.inside(outdir, _mapping(entry.get("properties")).get("file"), manifest_path)
            self.files.add(assets_path)
            written = read_json(assets_path, written_by_cdk=self.written_by_cdk)
            document = _object(written, assets_path, "the asset manifest", required=True)
            for asset in _object(document.get("files"), assets_path, "files").values():
                found.update(self._file_asset(outdir, _mapping(asset), assets_path))
        return found

    def _file_asset(
        self, outdir: pathlib.Path, asset: Mapping[str, Any], assets_path: pathlib.Path
    ) -> Iterator[tuple[re.Pattern[str], pathlib.Path]]:
        source = _mapping(asset.get("source"))
        if source.get("packaging", "file") != "file" or not isinstance(source.get("path"), str):
            return
        path = self.inside(outdir, source["path"], assets_path)
        if not path.is_file():
            return
        for destination in _mapping(asset.get("destinations")).values():
            bucket, key = _mapping(destination).get("bucketName"), _mapping(destination).get("objectKey")
            if isinstance(bucket, str) and isinstance(key, str):
                literal = [re.escape(part) for part in _PLACEHOLDER.split(f"s3://{bucket}/{key}")]
                yield re.compile("[^/]*".join(literal)), path

    def _attach_documents(self, stack: Stack, assets: Mapping[re.Pattern[str], pathlib.Path]) -> None:
        """Give each resource whose document URI is an asset of the assembly the text of that file."""
        for resource in stack.resources:
            prop = DOCUMENT_URIS.get(resource.type)
            if prop is None or prop not in resource.props:
                continue
            for value in v.alternatives(resource.props[prop], stack):
                uri = v.text(value)
                path = next(
                    (
                        f
                        for pattern, f in assets.items()
                        if uri and pattern.fullmatch(uri.replace(v.HOLE, "x"))
                    ),
                    None,
                )
                if path is not None:
                    resource.documents = {**resource.documents, prop: self._document(path)}

    def _document(self, path: pathlib.Path) -> str:
        self.files.add(path)
        try:
            with path.open("rb") as stream:
                data = stream.read(MAX_DOCUMENT_BYTES + 1)
        except OSError as error:
            raise AssemblyError(f"{path}: cannot be read ({error.strerror or error})") from None
        if len(data) > MAX_DOCUMENT_BYTES:
            raise AssemblyError(f"{path}: an asset document larger than {MAX_DOCUMENT_BYTES} bytes")
        return data.decode("utf-8", errors="replace")

    def _construct_tree(
        self, template_path: pathlib.Path, metadata: Metadata, source: pathlib.Path
    ) -> tuple[dict[str, pathlib.Path], dict[str, dict[str, str | None]], dict[str, dict[str, str]]]:
        """Template of each (nested) stack by construct path, acknowledgements, logical id -> path."""
        files = {"": template_path}
        path_acks: dict[str, dict[str, str | None]] = {}
        for path, entries in metadata.items():
            clean = path.lstrip("/")
            found = acks.acknowledged(entries)
            if found:
                path_acks.setdefault(clean, {}).update(found)
            for entry in entries:
                data = entry.get("data")
                # The stack itself carries its own template file too; only nested stacks add one.
                if entry.get("type") == TEMPLATE_FILE and data != template_path.name:
                    files[clean] = self.inside(template_path.parent, data, source)
        nested = sorted((p for p in files if p), key=len, reverse=True)
        construct_paths: dict[str, dict[str, str]] = {owner: {} for owner in files}
        for construct_path, entries in metadata.items():
            clean = construct_path.lstrip("/")
            for entry in entries:
                if entry.get("type") == LOGICAL_ID and isinstance(entry.get("data"), str):
                    owner = next((n for n in nested if clean.startswith(n + "/")), "")
                    construct_paths[owner][entry["data"]] = clean
        return files, path_acks, construct_paths

    def inside(self, base: pathlib.Path, name: Any, source: pathlib.Path) -> pathlib.Path:
        """``base / name`` if it names an existing file or directory inside the assembly; else the error."""
        if not isinstance(name, str) or not name:
            raise AssemblyError(f"{source}: a file name that is {_kind(name)}, not a relative path")
        if os.path.isabs(name) or name.startswith(("/", "\\")):
            raise AssemblyError(f"{source}: {name!r} is an absolute path; an assembly names files inside it")
        path = base / name
        if not _resolved(path, source).is_relative_to(self._real_root):
            raise AssemblyError(f"{path}: outside the cloud assembly {self.root} (named in {source})")
        return path


def _resolved(path: pathlib.Path, named_in: pathlib.Path | None = None) -> pathlib.Path:
    """The real path of ``path`` (symlinks followed); a missing file or a symlink loop is the error."""
    where = f" (named in {named_in})" if named_in else ""
    try:
        return path.resolve(strict=True)
    except FileNotFoundError:
        raise AssemblyError(f"{path}: missing{where}") from None
    except RuntimeError:  # Python 3.11 and 3.12 report a symlink loop this way
        raise AssemblyError(f"{path}: a symlink loop{where}") from None
    except OSError as error:
        if error.errno == errno.ELOOP:  # and Python 3.13 this way
            raise AssemblyError(f"{path}: a symlink loop{where}") from None
        raise AssemblyError(f"{path}: cannot be read ({error.strerror or error}){where}") from None


def read_stack_artifact(
    template_path: pathlib.Path,
    *,
    outer_acks: Mapping[str, str | None] | None = None,
    fips: bool = False,
    written_by_cdk: bool = False,
) -> list[Stack]:
    """The stack whose template is ``template_path``, and its nested stacks, from the assembly beside it."""
    reader = AssemblyReader(
        template_path.parent, fips=fips, outer_acks=outer_acks, written_by_cdk=written_by_cdk
    )
    return _read_stack(template_path, reader)


def read_stack_with_lines(
    template_path: pathlib.Path, *, outer_acks: Mapping[str, str | None] | None = None, fips: bool = False
) -> tuple[list[Stack], dict[str, dict[str, int]]]:
    """``read_stack_artifact``, and the line of each resource in each template read."""
    reader = AssemblyReader(template_path.parent, fips=fips, outer_acks=outer_acks)
    return _read_stack(template_path, reader), reader.lines


def _read_stack(template_path: pathlib.Path, reader: AssemblyReader) -> list[Stack]:
    outdir = template_path.parent
    manifest_path = outdir / MANIFEST
    artifact = (
        stack_artifact_of(outdir, template_path.name, written_by_cdk=reader.written_by_cdk)
        if manifest_path.exists()
        else None
    )
    return reader.stack_artifact(
        reader.inside(outdir, template_path.name, manifest_path), artifact or {}, manifest_path
    )


def read_assembly(outdir: pathlib.Path, *, fips: bool = False) -> list[Stack]:
    """Every stack of a cloud assembly directory (``cdk.out``), nested stages and nested stacks included."""
    return AssemblyReader(outdir, fips=fips).assembly()


def stack_artifact_of(
    outdir: pathlib.Path, template_name: str, *, written_by_cdk: bool = False
) -> Mapping[str, Any] | None:
    """The artifact of the assembly in ``outdir`` whose template file is ``template_name``, if any."""
    for artifact in _artifacts(outdir / MANIFEST, written_by_cdk).values():
        if _mapping(artifact.get("properties")).get("templateFile") == template_name:
            return artifact
    return None


def _artifacts(manifest_path: pathlib.Path, written_by_cdk: bool = False) -> dict[str, Mapping[str, Any]]:
    manifest = read_json(manifest_path, written_by_cdk=written_by_cdk)
    if not isinstance(manifest, dict):
        raise AssemblyError(f"{manifest_path}: {_kind(manifest)}, not a JSON object")
    artifacts = _object(manifest.get("artifacts"), manifest_path, "artifacts")
    return {
        str(artifact_id): _object(artifact, manifest_path, f"artifact {artifact_id!r}", required=True)
        for artifact_id, artifact in artifacts.items()
    }


def _metadata(value: Any, source: pathlib.Path) -> Metadata:
    """Construct path -> metadata entries, each an object with a ``type``; anything else is an error."""
    found: Metadata = {}
    for path, entries in _object(value, source, "metadata").items():
        if not isinstance(entries, list):
            raise AssemblyError(
                f"{source}: the metadata of {path!r} is {_kind(entries)}, not a list of entries"
            )
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                problem = f"is {_kind(entry)}, not an object"
            elif not isinstance(entry.get("type"), str):
                problem = "has no type"
            else:
                continue
            raise AssemblyError(f"{source}: the metadata of {path!r}: entry {index} {problem}")
        found[str(path)] = list(entries)
    return found


def _object(value: Any, source: pathlib.Path, what: str, *, required: bool = False) -> Mapping[str, Any]:
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise AssemblyError(f"{source}: {what} is {_kind(value)}, not a JSON object")
    return value


def _kind(value: Any) -> str:
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }
    return "null" if value is None else names.get(type(value), f"a {type(value).__name__}")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
