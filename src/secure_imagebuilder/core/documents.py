"""Validation of the YAML documents and S3 URIs behind Image Builder components and workflows.

Everything here runs at synth time and reports into a ``ValidationProblems``, so a user sees every
problem of a construct in one error (R9 for URIs, service limits for the rest).
"""

from __future__ import annotations

import functools
import pathlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml
from constructs import IConstruct

from secure_imagebuilder.core import defaults, tokens, versions
from secure_imagebuilder.core.validation import ValidationProblems

if TYPE_CHECKING:
    from aws_cdk import aws_s3 as s3

Document = str | Mapping[str, Any] | pathlib.Path

# libyaml's safe loader parses ~20x faster than the pure-Python one; both build plain data only.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Image Builder documents do not need YAML aliases; a few hundred bytes of nested aliases expand into
# gigabytes ("billion laughs"), so documents with more than this many are refused before they are built.
MAX_YAML_ALIASES = 50


@dataclass(frozen=True)
class DocumentSource:
    """Where a component or workflow document comes from: inline ``data`` or an S3 ``uri``."""

    data: str | None
    uri: str | None

    @property
    def fingerprint_text(self) -> str:
        """The text whose hash identifies this content (the document itself, or the URI)."""
        return self.data if self.data is not None else f"uri:{self.uri}"


def validate_name(problems: ValidationProblems, name: str) -> None:
    """Image Builder names: 3-128 characters of letters, digits, ``-``, ``_`` and inner spaces."""
    if not isinstance(name, str):
        problems.add("name must be a string", name, "pass the name as text, e.g. name='hello-world'")
        return
    if not tokens.is_unresolved(name) and not re.match(defaults.NAME_PATTERN, name):
        problems.add(
            "name must be 3-128 letters, digits, '-', '_' or inner spaces",
            name,
            "pick a name like 'hello-world'",
        )


def validate_version(problems: ValidationProblems, version: str, *, recipe: bool = False) -> None:
    """Image Builder semantic versions are ``major.minor.patch`` with no build number.

    Components and workflows take exact versions (CloudFormation refuses a wildcard there,
    aws-cloudformation/cloudformation-coverage-roadmap#2439); a recipe's patch may be ``x``.
    """
    if not isinstance(version, str):
        problems.add("version must be a string", version, "pass the version as text, e.g. version='1.0.0'")
        return
    pattern = defaults.RECIPE_VERSION_PATTERN if recipe else defaults.SEMANTIC_VERSION_PATTERN
    if tokens.is_unresolved(version) or re.match(pattern, version):
        return
    if recipe:
        problems.add(
            "a recipe version must be major.minor.patch or major.minor.x",
            version,
            "use '1.0.x' (Image Builder numbers each new recipe) or an exact version like '1.0.0'",
        )
    else:
        problems.add(
            "version must be a semantic version major.minor.patch",
            version,
            "use a version like '1.0.0' (Image Builder adds the build number itself, and a changed "
            "document under the same version becomes a new build)",
        )


def prepare(
    parent: IConstruct,
    id: str,
    problems: ValidationProblems,
    *,
    kind: str,
    name: str,
    version: str,
    data: Document | None,
    path: pathlib.Path | str | None,
    uri: str | s3.Location | None,
    required_sections: tuple[str, ...],
) -> DocumentSource:
    """Validate name, version and document, then raise every problem (the caller's too) at once.

    A valid version is then checked against the version lock (``core.versions``).
    """
    validate_name(problems, name)
    validate_version(problems, version)
    source = load_document(problems, data=data, path=path, uri=uri, required_sections=required_sections)
    problems.raise_if_any()
    versions.check_and_record(
        parent, id, kind=kind, name=name, version=version, content=source.fingerprint_text
    )
    return source


def load_document(
    problems: ValidationProblems,
    *,
    data: Document | None,
    path: pathlib.Path | str | None,
    uri: str | s3.Location | None,
    required_sections: tuple[str, ...],
) -> DocumentSource:
    """Validate the one document source given (``data``, ``path`` or ``uri``) and return it as text or URI."""
    given = [name for name, value in (("data", data), ("path", path), ("uri", uri)) if value is not None]
    if len(given) != 1:
        problems.add(
            "exactly one of data, path or uri is required",
            given or "none",
            "pass the document inline (data=), from a file (path=) or from S3 (uri='s3://...')",
        )
        return DocumentSource(data=None, uri=None)
    if uri is not None:
        if hasattr(uri, "bucket_name") and hasattr(uri, "object_key"):  # s3.Location (or an alpha-like one)
            uri = _location_uri(problems, uri.bucket_name, uri.object_key)
            if uri is None:
                return DocumentSource(data=None, uri=None)
        if not isinstance(uri, str):
            problems.add(
                "uri must be an s3.Location or an S3 URI",
                uri,
                "pass s3.Location(bucket_name=bucket.bucket_name, object_key='doc.yaml') or 's3://bucket/key'",
            )
            return DocumentSource(data=None, uri=None)
        _validate_uri(problems, uri)
        return DocumentSource(data=None, uri=uri)
    if data is not None and not isinstance(data, str | Mapping | pathlib.Path | bytes | bytearray):
        problems.add(
            "data must be YAML text, a mapping or a pathlib.Path",
            type(data).__name__,
            "pass the document as text, a dict, or its file with path=",
        )
        return DocumentSource(data=None, uri=None)
    if isinstance(data, bytes | bytearray):
        problems.add(
            "data must be text, not bytes", f"{len(data)} bytes", "decode it first: data=raw.decode('utf-8')"
        )
        return DocumentSource(data=None, uri=None)
    if path is not None or isinstance(data, pathlib.Path):
        file = pathlib.Path(path if path is not None else data)  # type: ignore[arg-type]
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            problems.add("the document file cannot be read", str(file), f"check the path ({error.strerror})")
            return DocumentSource(data=None, uri=None)
        except UnicodeDecodeError as error:
            problems.add(
                "the document file is not UTF-8 text",
                f"byte {error.start} of {file}",
                "save the document as UTF-8 (Image Builder documents are UTF-8 YAML)",
            )
            return DocumentSource(data=None, uri=None)
    elif isinstance(data, Mapping):
        text = yaml.safe_dump(dict(data), sort_keys=False)
    else:
        assert isinstance(data, str)
        text = data
    _validate_document_text(problems, text, required_sections)
    return DocumentSource(data=text, uri=None)


def _validate_document_text(
    problems: ValidationProblems, text: str, required_sections: tuple[str, ...]
) -> None:
    if tokens.is_unresolved(text):
        return
    if len(text) > defaults.MAX_INLINE_DOCUMENT_CHARS:
        problems.add(
            f"inline documents are limited to {defaults.MAX_INLINE_DOCUMENT_CHARS} characters",
            f"{len(text)} characters",
            "upload the document to an S3 bucket you own and pass uri='s3://...'",
        )
    try:
        # An alias is written "*name": a document without "*" has none, and skips the event pass.
        aliases = (
            sum(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=_YAML_LOADER))
            if "*" in text
            else 0
        )
        if aliases > MAX_YAML_ALIASES:
            problems.add(
                f"the document uses {aliases} YAML aliases (at most {MAX_YAML_ALIASES})",
                f"{len(text)} characters",
                "write the repeated parts out: aliases can expand a small document into gigabytes",
            )
            return
        if _plainly_valid(text, required_sections):
            return
        document = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as error:
        problems.add("the document is not valid YAML", _first_line(str(error)), "fix the YAML syntax")
        return
    if not isinstance(document, dict):
        problems.add(
            "the document must be a YAML mapping",
            type(document).__name__,
            "start the document with 'schemaVersion: 1.0'",
        )
        return
    for section in ("schemaVersion", *required_sections):
        if section not in document:
            problems.add(
                f"the document lacks the required field '{section}'",
                sorted(str(key) for key in document),
                f"add '{section}' (see the Image Builder document schema)",
            )
    for section in required_sections:
        value = document.get(section)
        if section in document and (not isinstance(value, list) or not value):
            problems.add(
                f"'{section}' must be a non-empty list", value, f"list at least one entry under '{section}'"
            )


_STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "binary")
)


@functools.lru_cache(maxsize=256)
def _plainly_valid(text: str, required_sections: tuple[str, ...]) -> bool:
    """Whether the composed document is a mapping with every section, each a non-empty list.

    The fast path of a thousand components: libyaml composes the node graph in C, and only the top
    level is read here. Anything unusual (a tag the safe loader refuses, a merge key, a duplicate) is
    not "plainly valid": the caller then builds the document and reports precisely. The answer is a
    function of the text alone, so a document several components share is composed once per process.
    """
    root = yaml.compose(text, Loader=_YAML_LOADER)
    if not isinstance(root, yaml.MappingNode) or root.tag != "tag:yaml.org,2002:map":
        return False
    keys = [
        key.value for key, _ in root.value if isinstance(key, yaml.ScalarNode) and key.tag.endswith(":str")
    ]
    if len(keys) != len(root.value) or len(set(keys)) != len(keys):
        return False
    sections = dict(zip(keys, (value for _, value in root.value), strict=True))
    if "schemaVersion" not in sections or not all(
        isinstance(sections.get(name), yaml.SequenceNode) and sections[name].value
        for name in required_sections
    ):
        return False
    return "!" not in text or _standard_tags_only(root)  # a tag is written "!...": no "!", no tag


def _standard_tags_only(node: yaml.Node) -> bool:
    """No node carries a tag the safe loader would refuse (``!Ref``, ``!!python/...``).

    Each node is visited once: an alias is the same node object, so shared parts are never walked again.
    """
    pending, seen = [node], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current.tag not in _STANDARD_TAGS:
            return False
        if isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            pending.extend(item for pair in current.value for item in pair)
    return True


def _validate_uri(problems: ValidationProblems, uri: str) -> None:
    if tokens.is_unresolved(uri):
        return
    try:
        parts = urlsplit(uri)
    except ValueError:  # e.g. an unbalanced '[' in the host ("Invalid IPv6 URL")
        problems.add(
            "uri must be an S3 URI 's3://bucket/key'", uri, "upload the document to S3 and pass its s3:// URI"
        )
        return
    # The one detector of credentials in URLs (core.detect), as rule URL1 uses it.
    from secure_imagebuilder.core import detect  # its patterns compile when a URI is first checked

    kinds = detect.url_credential_kinds(uri)
    if "@" in parts.netloc or "userinfo" in kinds:
        problems.add(
            "the uri carries credentials in its user-info part (R9)",
            _redact(uri),
            "never put credentials in a URL; use an s3:// URI the build role can read",
        )
    elif "signed-query" in kinds:
        problems.add(
            "the uri is a signed URL that carries a credential in its query string (R9)",
            _redact(uri),
            "pass the plain s3://bucket/key URI and let Image Builder read it with its own role",
        )
    elif parts.scheme != "s3" or not parts.netloc or not parts.path.strip("/"):
        problems.add(
            "uri must be an S3 URI 's3://bucket/key'", uri, "upload the document to S3 and pass its s3:// URI"
        )
    elif not _BUCKET_NAME.match(parts.netloc):
        problems.add(
            "the uri's bucket is no S3 bucket name (3-63 lowercase letters, digits, '.' or '-')",
            uri,
            "write the URI as s3://<bucket>/<key>",
        )
    elif parts.path.startswith("//"):
        problems.add(
            "the uri's object key starts with '/', so the URI has '//' and names another object",
            uri,
            "drop the leading '/' of the object key: s3://<bucket>/<key>",
        )


# S3 bucket names (Amazon S3 User Guide, "General purpose bucket naming rules").
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")


def _location_uri(problems: ValidationProblems, bucket_name: object, object_key: object) -> str | None:
    """``s3://<bucket>/<key>`` of an ``s3.Location``; our error for a URI as bucket name, a key with ``/``."""
    for what, value in (("bucket_name", bucket_name), ("object_key", object_key)):
        if not isinstance(value, str):
            problems.add(f"the s3.Location's {what} must be text", value, f"pass {what} as a string")
            return None
    assert isinstance(bucket_name, str) and isinstance(object_key, str)
    if "://" in bucket_name:
        bucket = bucket_name.split("://", 1)[1].split("/", 1)[0]
        problems.add(
            "the s3.Location's bucket_name is a bucket name, not a URI",
            bucket_name,
            f"pass s3.Location(bucket_name={bucket!r}, object_key=...)",
        )
        return None
    if object_key.startswith("/"):
        problems.add(
            "the s3.Location's object_key starts with '/', which makes the URI name another object",
            object_key,
            f"pass object_key={object_key.lstrip('/')!r}",
        )
        return None
    return f"s3://{bucket_name}/{object_key}"


def _redact(uri: str) -> str:
    """The URI with its user-info and query removed, so an error message never repeats a credential."""
    parts = urlsplit(uri)
    host = parts.netloc.rsplit("@", 1)[-1]
    return (
        f"{parts.scheme}://***@{host}{parts.path}"
        if "@" in parts.netloc
        else f"{parts.scheme}://{host}{parts.path}?***"
    )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
