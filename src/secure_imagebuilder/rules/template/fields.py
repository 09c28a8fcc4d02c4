"""Every place a template holds text, as the template-wide rules read it (SD1, SEC1, URL1).

A resource: each property (tags one field per tag), and its ``Metadata``. The stack itself: the
template's ``Description`` and ``Metadata``, each parameter (``Default``, ``AllowedValues``, descriptions),
each mapping, condition and output. Findings on a section name it: ``Parameters.DbPassword``,
``Mappings.Config``, ``Outputs.Url``, ``Metadata``.
"""

from __future__ import annotations

import enum
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import STACK_TYPE, Resource, Stack

FREE_FORM_SUFFIXES = ("name", "description", "comment", "notes")


class Kind(enum.Enum):
    """What a field is, which decides the sensitive data SD1 looks for in it (SEC1 and URL1: every field)."""

    FREE_TEXT = "free text"  # tags, names, descriptions: shown to anyone who lists the resource (R8)
    WRITTEN = "written"  # parameter defaults, mappings, outputs, metadata: text written in the template
    PROPERTY = "property"  # any other property: a value the resource needs (an ARN, a document, an address)


@dataclass(frozen=True)
class Field:
    """One place that holds text: its finding suffix, its value and its kind."""

    name: str
    value: Any
    kind: Kind


def finding_name(key: str) -> str:
    """A property key as a finding id: first letter upper-cased, ``::`` (reserved by CDK) flattened."""
    return (key[:1].upper() + key[1:]).replace("::", ":")


def fields(resource: Resource, stack: Stack) -> Iterator[Field]:
    """Every field of a resource, or of the template's other sections for the stack itself."""
    for key, value in resource.props.items():
        lowered = str(key).lower()
        if lowered == "tags":
            yield from _tags(value)
        else:
            kind = Kind.FREE_TEXT if lowered.endswith(FREE_FORM_SUFFIXES) else Kind.PROPERTY
            yield Field(finding_name(str(key)), value, kind)
    if resource.type == STACK_TYPE:
        yield from _sections(stack)
    elif resource.metadata:
        yield Field("Metadata", resource.metadata, Kind.WRITTEN)


def _tags(value: Any) -> Iterator[Field]:
    if v.is_literal_mapping(value):
        for key, tag_value in value.items():
            yield Field(finding_name(f"Tag:{key}"), [key, tag_value], Kind.FREE_TEXT)
        return
    for tag in v.as_list(value):
        key = v.render(v.get(tag, "Key")) or v.HOLE
        name = "Tag:?" if v.HOLE in key else f"Tag:{key}"
        yield Field(finding_name(name), [v.get(tag, "Key"), v.get(tag, "Value")], Kind.FREE_TEXT)


def _sections(stack: Stack) -> Iterator[Field]:
    if stack.description is not None:
        yield Field("Description", stack.description, Kind.WRITTEN)
    if stack.metadata:
        yield Field("Metadata", stack.metadata, Kind.WRITTEN)
    for name, parameter in stack.parameters.items():
        yield Field(f"Parameters.{name}", parameter, Kind.WRITTEN)
    for section, entries in (
        ("Mappings", stack.mappings),
        ("Conditions", stack.conditions),
        ("Outputs", stack.outputs),
    ):
        for name, entry in entries.items():
            yield Field(f"{section}.{name}", entry, Kind.WRITTEN)


def texts(field: Field, stack: Stack) -> Iterator[str]:
    """Every piece of text in a field (``values.texts``: Fn::Join/Fn::Sub rendered over parameters)."""
    return v.texts(field.value, stack)


_READ: weakref.WeakKeyDictionary[Resource, list[tuple[Field, list[str]]]] = weakref.WeakKeyDictionary()


def read(resource: Resource, stack: Stack) -> list[tuple[Field, list[str]]]:
    """Every field of the resource with its text, read once for the three rules that look at it."""
    found = _READ.get(resource)
    if found is None:
        found = [(field, list(texts(field, stack))) for field in fields(resource, stack)]
        _READ[resource] = found
    return found
