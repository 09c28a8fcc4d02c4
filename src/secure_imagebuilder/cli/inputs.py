"""The inputs of a scan: template files, cloud assemblies and directories of them, read into ``rules`` stacks.

- A directory holding a ``manifest.json`` is a cloud assembly: every stack of it, nested stacks and
  nested stage assemblies included.
- Any other directory is searched recursively: each cloud assembly below it (a directory holding a
  ``manifest.json`` and the ``cdk.out`` file the CDK writes beside it) is read as an assembly, each file
  ending in ``.json``, ``.yaml``, ``.yml`` or ``.template`` as a template. Version-control directories,
  ``node_modules``, virtual environments and caches are not searched; symlinked directories not followed.
- A file that is not a CloudFormation template (``templates.NotATemplateError``: a workflow, a
  ``package.json``, CDK's ``tree.json``) is skipped and reported as skipped, never an error; a template
  that cannot be read is (exit 2), and so is a directory that holds nothing to scan.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from secure_imagebuilder.rules.engine import assembly, templates
from secure_imagebuilder.rules.engine.model import Stack

TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")
# Directories a search never enters: version control, dependencies, caches.
PRUNED = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox"})


class InputError(ValueError):
    """Inputs that cannot be scanned; each problem names its path (exit code 2)."""

    def __init__(self, problems: list[str]) -> None:
        """One error for every problem found in the inputs."""
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Skipped:
    """A file that is not a CloudFormation template, and why it is not one."""

    path: str
    reason: str


@dataclass
class Scanned:
    """What one PATH argument held: stacks, where each resource starts, skipped files, files read."""

    path: str
    stacks: list[Stack] = field(default_factory=list)
    lines: dict[str, dict[str, int]] = field(default_factory=dict)  # template path -> logical id -> line
    skipped: list[Skipped] = field(default_factory=list)
    files: set[str] = field(default_factory=set)  # every file read or skipped, resolved
    problems: list[str] = field(default_factory=list)


def read(path: str, *, fips: bool) -> Scanned:
    """Read one PATH: a template file, a cloud assembly, or a directory of templates and assemblies."""
    scanned = Scanned(path)
    location = pathlib.Path(path)
    if location.is_dir() and (location / assembly.MANIFEST).exists():
        _assembly(location, scanned, fips=fips)
    elif location.is_dir():
        _directory(location, scanned, fips=fips)
    else:
        _template(location, location.name, scanned, fips=fips)
    return scanned


def _assembly(outdir: pathlib.Path, scanned: Scanned, *, fips: bool) -> None:
    reader = assembly.AssemblyReader(outdir, fips=fips)
    try:
        stacks = reader.assembly()
    except (assembly.AssemblyError, templates.TemplateError) as error:
        scanned.problems.append(str(error))
        return
    finally:
        scanned.files.update(os.path.realpath(file) for file in reader.files)
    if not stacks:
        scanned.problems.append(f"{outdir}: the cloud assembly holds no stack: nothing to scan")
    scanned.stacks.extend(stacks)
    scanned.lines.update(reader.lines)


def _template(file: pathlib.Path, name: str, scanned: Scanned, *, fips: bool) -> None:
    scanned.files.add(os.path.realpath(file))
    if is_assembly(file.parent) and _names_stack(file):
        _stack_of_assembly(file, scanned, fips=fips)
        return
    try:
        template = templates.read(file)
    except templates.NotATemplateError as error:
        scanned.skipped.append(Skipped(str(file), str(error).removeprefix(f"{file}: ")))
        return
    except templates.TemplateError as error:
        scanned.problems.append(str(error))
        return
    stack = assembly.stack_from_template(template.body, path=name, template_path=str(file), fips=fips)
    scanned.stacks.append(stack)
    scanned.lines[str(file)] = dict(template.lines)


def _names_stack(file: pathlib.Path) -> bool:
    """Whether the manifest beside ``file`` names it as a stack's template (a committed ``cdk.out``)."""
    try:
        return assembly.stack_artifact_of(file.parent, file.name) is not None
    except (assembly.AssemblyError, templates.TemplateError):
        return True  # read as part of the assembly, so the problem is reported with its file


def _stack_of_assembly(file: pathlib.Path, scanned: Scanned, *, fips: bool) -> None:
    """A template of a cloud assembly given on its own (the pre-commit hook passes files one by one).

    It is read with its assembly's metadata, so the construct paths and the acknowledgements recorded
    in the CDK app (``Validations.of(...).acknowledge``) apply, as they did in ``cdk synth``.
    """
    try:
        stacks, lines = assembly.read_stack_with_lines(file, fips=fips)
    except (assembly.AssemblyError, templates.TemplateError) as error:
        scanned.problems.append(str(error))
        return
    scanned.stacks.extend(stacks)
    scanned.lines.update(lines)


def _directory(root: pathlib.Path, scanned: Scanned, *, fips: bool) -> None:
    for kind, path in _search(root, scanned):
        if kind == "assembly":
            _assembly(path, scanned, fips=fips)
        elif path.is_file() or path.is_symlink():  # a dangling symlink is an unreadable file
            _template(path, str(path.relative_to(root)), scanned, fips=fips)
        else:
            scanned.skipped.append(Skipped(str(path), "not a regular file"))
    if not scanned.stacks and not scanned.problems:
        skipped = f" ({len(scanned.skipped)} file(s) skipped)" if scanned.skipped else ""
        scanned.problems.append(
            f"{root}: nothing to scan: no CloudFormation template or cloud assembly below it{skipped}"
        )


def _search(root: pathlib.Path, scanned: Scanned) -> Iterator[tuple[str, pathlib.Path]]:
    """("assembly", directory) and ("file", path) below ``root``, in a stable order."""

    def unreadable(error: OSError) -> None:
        scanned.problems.append(f"{error.filename}: cannot be read ({error.strerror or error})")

    for directory, subdirectories, files in os.walk(root, onerror=unreadable):
        here = pathlib.Path(directory)
        if here != root and is_assembly(here):
            subdirectories[:] = []
            yield "assembly", here
            continue
        subdirectories[:] = sorted(d for d in subdirectories if not _pruned(here / d))
        for name in sorted(files):
            if name.lower().endswith(TEMPLATE_SUFFIXES):
                yield "file", here / name


def is_assembly(directory: pathlib.Path) -> bool:
    """Whether a directory found in a search is a cloud assembly: the CDK writes both files in each."""
    return (directory / assembly.MANIFEST).is_file() and (directory / "cdk.out").is_file()


def _pruned(directory: pathlib.Path) -> bool:
    name = directory.name
    return name in PRUNED or name.endswith("_cache") or (directory / "pyvenv.cfg").exists()
