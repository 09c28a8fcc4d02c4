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


def read(path: str, *, fips: bool, with_lines: bool) -> Scanned:
    """Read one PATH: a template file, or a directory holding a cloud assembly's manifest.json."""
    location = pathlib.Path(path)
    if location.is_dir():
        if not (location / "manifest.json").is_file():
            raise InputError(f"{path}: a directory must be a cloud assembly (cdk.out) with a manifest.json")
        try:
            stacks = assembly.read_assembly(location, fips=fips)
        except (OSError, ValueError) as error:  # json.JSONDecodeError is a ValueError
            raise InputError(f"{path}: unreadable cloud assembly: {error}") from None
        return Scanned(path, stacks, _lines(stacks) if with_lines else {})
    try:
        template = templates.read(location)
    except templates.TemplateError as error:
        raise InputError(str(error)) from None
    stack = assembly.stack_from_template(template.body, path=location.name, template_path=path, fips=fips)
    return Scanned(path, [stack], {path: dict(template.lines)} if with_lines else {})


def _lines(stacks: list[Stack]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for stack in stacks:
        if stack.template_path and stack.template_path not in found:
            try:
                template = templates.read(stack.template_path, in_assembly=True)
            except templates.TemplateError:
                continue
            found[stack.template_path] = dict(template.lines)
    return found
