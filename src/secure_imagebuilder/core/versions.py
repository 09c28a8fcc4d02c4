"""The opt-in strict version lock: every change of a document carries a new semantic version.

Since November 2025 Image Builder gives a component or workflow created again under the same name and
version a new build number, so a changed document deploys without a new version: CloudFormation
replaces the resource with build ``1.0.0/2`` and recipes pick it up through its ARN. Teams that want a
semantic version per change (an audit trail of ``1.0.0``, ``1.0.1``, ...) opt in to this lock: the file
named by the context key ``secure-imagebuilder:versions-file`` (committed like ``cdk.context.json``)
remembers a SHA-256 of each ``account/Region/kind/name/version``'s document, and a synth whose content
differs from the record fails and names the version to publish instead.

A constructor never writes a file on its own: an ordinary synth only reads the lock (and notes unrecorded
versions as a synth-time info), and the explicit ``cdk synth -c secure-imagebuilder:record-versions=true``
records the new entries.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import re
import weakref

import aws_cdk as cdk
from constructs import IConstruct

from secure_imagebuilder.core import defaults, tokens
from secure_imagebuilder.core.validation import ValidationProblems

# The lock file named by the context of a parent construct, and the parent's account/Region, read once per
# parent: jsii calls per component would cost seconds in large apps. Sound because CDK refuses new context
# on a construct that already has children, and a stack's environment is fixed when it is created.
_Setting = tuple[pathlib.Path | None, bool, str]
_versions_file_of: weakref.WeakKeyDictionary[IConstruct, _Setting] = weakref.WeakKeyDictionary()
# The parents whose unrecorded versions were reported (one info message each).
_unrecorded_reported: weakref.WeakSet[IConstruct] = weakref.WeakSet()


def check_and_record(
    parent: IConstruct, id: str, *, kind: str, name: str, version: str, content: str
) -> None:
    """Fail when ``kind/name/version`` was recorded with other content; record it when it is new.

    Called before the construct ``id`` is created in ``parent`` (the context is read from the parent,
    and an error names ``<parent path>/<id>``).
    """
    if parent not in _versions_file_of:
        _versions_file_of[parent] = _setting(parent, id)
    file, record, environment = _versions_file_of[parent]
    if file is None or tokens.is_unresolved(name) or tokens.is_unresolved(version):
        return
    recorded = _load_or_explain(parent, id, file)
    entry = f"{environment}/{kind}/{name}/{version}"
    digest = hashlib.sha256(stable_content(content).encode("utf-8")).hexdigest()
    # Entries written before the lock was keyed by environment still guard their version.
    previous = recorded.get(entry, recorded.get(f"{kind}/{name}/{version}"))
    if previous == digest:
        return
    if previous is not None:
        problems = ValidationProblems(parent, id)
        problems.add(
            f"the content of {entry} changed under the same version, and this app's strict version lock "
            f"({defaults.VERSIONS_FILE_CONTEXT_KEY}) asks for a new version per change "
            f"(recorded sha256 {previous[:12]}..., now {digest[:12]}...)",
            version,
            f"publish the change as version='{next_patch(version)}', revert the document, or turn the "
            f"lock off (Image Builder then deploys the change as a new build of {version}); the record "
            f"is in {file}",
        )
        problems.raise_if_any()
    if not record:
        # Once per parent: an annotation costs jsii calls and a stack trace, and one says it all.
        if parent not in _unrecorded_reported:
            _unrecorded_reported.add(parent)
            cdk.Annotations.of(parent).add_info(
                f"{entry} (and any other new version here) is not in the version lock {file}: record "
                f"them with cdk synth -c {defaults.RECORD_VERSIONS_CONTEXT_KEY}=true"
            )
        return
    recorded[entry] = digest
    try:
        _save(file, recorded)
    except OSError as error:
        raise ValueError(
            f"{_path(parent, id)}: the version lock {file} cannot be written ({error.strerror or error}); "
            f"make the file and its folder writable, or point the context key "
            f"{defaults.VERSIONS_FILE_CONTEXT_KEY} at a writable path"
        ) from None


def _setting(parent: IConstruct, id: str) -> _Setting:
    """The lock file, whether to record, and the environment, from the context; our error when malformed.

    ``versions-file`` is a path (an empty one turns the lock off); ``record-versions`` is ``true`` or
    ``false`` (``-c`` passes text, ``cdk.json`` a bool) and needs a ``versions-file`` to record into.
    Anything else would otherwise be read as something else: ``true`` as a file named ``True``, ``"1"`` as
    "do not record".
    """
    node = parent.node
    setting = node.try_get_context(defaults.VERSIONS_FILE_CONTEXT_KEY)
    asked = node.try_get_context(defaults.RECORD_VERSIONS_CONTEXT_KEY)
    problems = ValidationProblems(parent, id)
    if setting is not None and not isinstance(setting, str):
        problems.add(
            f"the context key {defaults.VERSIONS_FILE_CONTEXT_KEY} must be the path of the lock file",
            setting,
            f"set it to a path, e.g. -c {defaults.VERSIONS_FILE_CONTEXT_KEY}=imagebuilder.versions.json, or "
            "leave it unset to turn the lock off",
        )
    record = asked is True or (isinstance(asked, str) and asked.lower() == "true")
    if asked is not None and not record and not (asked is False or str(asked).lower() == "false"):
        problems.add(
            f"the context key {defaults.RECORD_VERSIONS_CONTEXT_KEY} must be true or false",
            asked,
            f"pass -c {defaults.RECORD_VERSIONS_CONTEXT_KEY}=true to record new versions",
        )
    if record and not setting:
        problems.add(
            f"the context key {defaults.RECORD_VERSIONS_CONTEXT_KEY} asks to record versions, but "
            f"{defaults.VERSIONS_FILE_CONTEXT_KEY} names no lock file to record them in",
            asked,
            f"set {defaults.VERSIONS_FILE_CONTEXT_KEY} too (e.g. in cdk.json), or drop "
            f"{defaults.RECORD_VERSIONS_CONTEXT_KEY}",
        )
    problems.raise_if_any()
    file = pathlib.Path(setting) if isinstance(setting, str) and setting else None
    return file, record, _environment(parent) if file is not None else ""


def _environment(scope: IConstruct) -> str:
    """``account/Region`` of the stack, ``*`` for a part that is only known at deploy time."""
    stack = cdk.Stack.of(scope)
    account, region = stack.account, stack.region
    return "/".join("*" if tokens.is_unresolved(part) else part for part in (account, region))


# A token's placeholder carries a counter that differs from one process to the next
# (${Token[TOKEN.123]}, #{Token[...]}, a number token): the lock hashes the expression, not the counter.
_TOKEN_COUNTER = re.compile(r"([$#]\{Token\[[^\]]*?)\.\d+(\]\})")
_NUMBER_TOKEN = re.compile(r"-1\.8881545897\d*e\+289")


def stable_content(content: str) -> str:
    """``content`` with every token placeholder's process-dependent counter removed."""
    if "Token[" not in content and "e+289" not in content:  # the common case: no token at all
        return content
    return _NUMBER_TOKEN.sub("<number-token>", _TOKEN_COUNTER.sub(r"\1\2", content))


def _path(parent: IConstruct, id: str) -> str:
    """The path the construct ``id`` will have in ``parent``."""
    return f"{parent.node.path}/{id}".lstrip("/")


def _load_or_explain(parent: IConstruct, id: str, file: pathlib.Path) -> dict[str, str]:
    """The lock file's records, or our error naming the path and the fix."""
    try:
        return _load(file)
    except (OSError, ValueError) as error:
        problem = error.strerror if isinstance(error, OSError) and error.strerror else str(error)[:120]
        raise ValueError(
            f"{_path(parent, id)}: the version lock {file} cannot be read ({problem}); it must be a JSON "
            f"object of 'kind/name/version' to sha256 written by this library: restore it from version "
            f"control, or delete it to record the current versions again"
        ) from None


# The parsed lock file by path, with the modification time it was read at: an app with a thousand
# components reads it once, and a file changed by someone else is read again.
_loaded: dict[pathlib.Path, tuple[int, dict[str, str]]] = {}


def _load(file: pathlib.Path) -> dict[str, str]:
    try:
        modified = file.stat().st_mtime_ns
    except FileNotFoundError:
        return {}
    cached = _loaded.get(file)
    if cached is not None and cached[0] == modified:
        return cached[1]
    recorded = json.loads(file.read_text(encoding="utf-8"))
    if not isinstance(recorded, dict) or not all(isinstance(v, str) for v in recorded.values()):
        raise ValueError("not a JSON object of strings")
    _loaded[file] = (modified, recorded)
    return recorded


def _save(file: pathlib.Path, recorded: dict[str, str]) -> None:
    file.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")
    _loaded[file] = (file.stat().st_mtime_ns, recorded)


def next_patch(version: str) -> str:
    """``1.2.3`` -> ``1.2.4``."""
    major, minor, patch = version.split(".")
    return f"{major}.{minor}.{int(patch) + 1}"
