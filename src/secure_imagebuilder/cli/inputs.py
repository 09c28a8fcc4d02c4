"""The inputs of a scan: template files and cloud assembly directories, read into ``rules`` stacks."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field

from secure_imagebuilder.rules.engine import assembly, templates
from secure_imagebuilder.rules.engine.model import Stack


class InputError(ValueError):
    """An input that cannot be scanned; the message names the path (exit code 2)."""


@dataclass
class Scanned:
    """The stacks read from one PATH argument, and where each resource starts in its file."""

    path: str
    stacks: list[Stack]
    lines: dict[str, dict[str, int]] = field(default_factory=dict)  # template path -> logical id -> line


def read(path: str, *, fips: bool) -> Scanned:
    """Read one PATH: a template file, or a directory holding a cloud assembly's manifest.json."""
    location = pathlib.Path(path)
    if location.is_dir():
        if not (location / assembly.MANIFEST).exists():
            raise InputError(f"{path}: a directory must be a cloud assembly (cdk.out) with a manifest.json")
        reader = assembly.AssemblyReader(location, fips=fips)
        try:
            stacks = reader.assembly()
        except (assembly.AssemblyError, templates.TemplateError) as error:
            raise InputError(str(error)) from None
        if not stacks:
            raise InputError(f"{path}: the cloud assembly holds no stack: nothing to scan")
        return Scanned(path, stacks, reader.lines)
    try:
        template = templates.read(location)
    except templates.TemplateError as error:
        raise InputError(str(error)) from None
    stack = assembly.stack_from_template(template.body, path=location.name, template_path=path, fips=fips)
    return Scanned(path, [stack], {path: dict(template.lines)})
