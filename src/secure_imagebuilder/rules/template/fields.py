"""Every place a template holds text, as the template-wide rules read it (SD1, SEC1, URL1).

A resource: each property (tags one field per tag), and its ``Metadata``. The stack itself: the
template's ``Description`` and ``Metadata``, each parameter (``Default``, ``AllowedValues``, descriptions),
each mapping, condition and output. Findings on a section name it: ``Parameters.DbPassword``,
``Mappings.Config``, ``Outputs.Url``, ``Metadata``.

Image Builder resources hold free text below the top level too: tag maps (``AmiTags``, ``ImageTags``,
``ResourceTags``, ``ContainerTags``, a lifecycle policy's ``TagMap``) and the ``Name``/``Description``
of nested settings (an AMI distribution's name and description, an SSM parameter's ``ParameterName``),
each a field named by its path: ``Distributions[us-east-1].AmiDistributionConfiguration.AmiTags:Owner``
(a list item by its ``Region``, else by the list). An image recipe's ``UserDataOverride`` is base64: its
field is read decoded (``AdditionalInstanceConfiguration.UserDataOverride``). A document the cloud
assembly ships as an asset (``Resource.documents``) is read with the property that names it (``Uri``).
"""

from __future__ import annotations

import enum
import weakref
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from secure_imagebuilder.rules.engine import values as v
from secure_imagebuilder.rules.engine.model import STACK_TYPE, Resource, Stack

FREE_FORM_SUFFIXES = ("name", "description", "comment", "notes")
# Keys below the top level of an Image Builder resource that hold free text a person wrote.
NESTED_FREE_TEXT = frozenset({"name", "description", "parametername"})
# Base64-encoded properties: (resource type, property) -> the key inside it that is encoded.
ENCODED: Mapping[tuple[str, str], str] = {
    ("AWS::ImageBuilder::ImageRecipe", "AdditionalInstanceConfiguration"): "UserDataOverride",
}
MAX_NESTING = 12
# The intrinsics that can stand for a mapping of settings; the others give text, or lists of text.
_CHOOSING = frozenset({"Fn::If", "Fn::Select"})


class Kind(enum.Enum):
    """What a field is, which decides the sensitive data SD1 looks for in it (SEC1 and URL1: every field)."""

    FREE_TEXT = "free text"  # tags, names, descriptions: shown to anyone who lists the resource (R8)
    WRITTEN = "written"  # parameter defaults, mappings, outputs, metadata: text written in the template
    PROPERTY = "property"  # any other property: a value the resource needs (an ARN, a document, an address)


class Field(NamedTuple):
    """One place that holds text: its finding suffix, its value and its kind.

    ``nested``: the field lies inside another field (SEC1 and URL1 read that one); ``encoded``: the value is
    base64 text, read decoded. A named tuple: thousands are made per template, and a tuple is the cheapest
    immutable record to build.
    """

    name: str
    value: Any
    kind: Kind
    nested: bool = False
    encoded: bool = False


def finding_name(key: str) -> str:
    """A property key as a finding id: first letter upper-cased, ``::`` (reserved by CDK) flattened."""
    return (key[:1].upper() + key[1:]).replace("::", ":")


def fields(resource: Resource, stack: Stack) -> Iterator[Field]:
    """Every field of a resource, or of the template's other sections for the stack itself."""
    imagebuilder = resource.type.startswith("AWS::ImageBuilder::")
    for key, value in resource.props.items():
        lowered = str(key).lower()
        name = finding_name(str(key))
        if lowered == "tags":
            yield from _tags(value, "Tag")
        elif imagebuilder and _is_tag_map(lowered):
            yield from _tag_alternatives(value, name, stack)
        elif (resource.type, str(key)) in ENCODED:
            yield from _encoded(name, value, ENCODED[(resource.type, str(key))], stack)
        else:
            kind = Kind.FREE_TEXT if lowered.endswith(FREE_FORM_SUFFIXES) else Kind.PROPERTY
            document = resource.documents.get(str(key))
            yield Field(name, value if document is None else [value, document], kind)
            if imagebuilder and kind is Kind.PROPERTY:
                yield from _nested(name, value, stack, 0)
    if resource.type == STACK_TYPE:
        yield from _sections(stack)
    elif resource.metadata:
        yield Field("Metadata", resource.metadata, Kind.WRITTEN)


def _is_tag_map(lowered: str) -> bool:
    return lowered.endswith("tags") or lowered == "tagmap"


def _tag_alternatives(value: Any, prefix: str, stack: Stack, *, nested: bool = False) -> Iterator[Field]:
    """The tags of every alternative of a tag map (both ``Fn::If`` branches, a parameter's values)."""
    for alternative in v.alternatives(value, stack):
        yield from _tags(alternative, prefix, nested=nested)


def _tags(value: Any, prefix: str, *, nested: bool = False) -> Iterator[Field]:
    """A tag map (``{key: value}``), a tag list (``[{Key, Value}]``) or a list of tag strings."""
    if v.is_literal_mapping(value):
        for key, tag_value in value.items():
            yield Field(finding_name(f"{prefix}:{key}"), [key, tag_value], Kind.FREE_TEXT, nested)
        return
    if not isinstance(value, list) or all(isinstance(tag, str) for tag in value):
        yield Field(prefix, value, Kind.FREE_TEXT, nested)  # an intrinsic, or tag strings (ContainerTags)
        return
    for tag in value:
        if not v.is_literal_mapping(tag):
            yield Field(finding_name(f"{prefix}:?"), tag, Kind.FREE_TEXT, nested)
            continue
        key = v.render(v.get(tag, "Key")) or v.HOLE
        name = f"{prefix}:?" if v.HOLE in key else f"{prefix}:{key}"
        yield Field(finding_name(name), [v.get(tag, "Key"), v.get(tag, "Value")], Kind.FREE_TEXT, nested)


def _nested(path: str, value: Any, stack: Stack, depth: int) -> Iterator[Field]:
    """The free text below a property of an Image Builder resource, in every alternative."""
    if depth > MAX_NESTING or not isinstance(value, dict | list):  # text, a number: no nested field
        return
    found = v.intrinsic(value)
    if found is not None and found[0] not in _CHOOSING:  # a reference, or text built by an intrinsic
        return
    for alternative in v.alternatives(value, stack):
        if v.is_literal_mapping(alternative):
            for key, child in alternative.items():
                lowered, name = str(key).lower(), f"{path}.{finding_name(str(key))}"
                if _is_tag_map(lowered):
                    yield from _tag_alternatives(child, name, stack, nested=True)
                elif lowered in NESTED_FREE_TEXT:
                    yield Field(name, child, Kind.FREE_TEXT, nested=True)
                else:
                    yield from _nested(name, child, stack, depth + 1)
        elif isinstance(alternative, list):
            for item in alternative:
                yield from _nested(path + _item_label(item, stack), item, stack, depth + 1)


def _item_label(item: Any, stack: Stack) -> str:
    """``[<region>]`` for a list item with a literal ``Region`` (a distribution); else nothing."""
    region = v.render(v.get(item, "Region"), stack) if v.is_literal_mapping(item) else None
    return f"[{region}]" if region and v.HOLE not in region else ""


def _encoded(name: str, value: Any, key: str, stack: Stack) -> Iterator[Field]:
    """A property holding a base64 value under ``key``: the rest as written, that value decoded."""
    rest, encoded = [], []
    for alternative in v.alternatives(value, stack):
        if v.is_literal_mapping(alternative):
            rest.append({k: item for k, item in alternative.items() if k != key})
            if key in alternative:
                encoded.append(alternative[key])
        else:
            rest.append(alternative)
    yield Field(name, rest if len(rest) != 1 else rest[0], Kind.PROPERTY)
    if encoded:
        yield Field(f"{name}.{key}", encoded, Kind.PROPERTY, encoded=True)


def user_data(resource: Resource, stack: Stack) -> Iterator[tuple[str, list[str]]]:
    """The decoded base64 fields of a resource (an image recipe's user data) and their text."""
    for field, found in read(resource, stack):
        if field.encoded:
            yield field.name, found


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
    if field.encoded:
        for value in v.as_list(field.value):
            yield from v.decoded_texts(value, stack)
        return
    yield from v.texts(field.value, stack)


_READ: weakref.WeakKeyDictionary[Resource, list[tuple[Field, list[str]]]] = weakref.WeakKeyDictionary()


def read(resource: Resource, stack: Stack) -> list[tuple[Field, list[str]]]:
    """Every field of the resource with its text, read once for the three rules that look at it."""
    found = _READ.get(resource)
    if found is None:
        found = [(field, list(texts(field, stack))) for field in fields(resource, stack)]
        _READ[resource] = found
    return found
