"""Renders docs/constructs.md: every public construct with its summary, a runnable example and its props.

The summary and each prop's meaning and default come from the docstrings (``:param name: ... Default:
- ...``), the prop's type and required-ness from the signature, and the example from
``examples/snippets/<snake_case name>.py``. A default the signature holds (``keep: int = 5``) is shown as
the code has it, so the table cannot disagree with the code; tests/test_constructs_doc.py checks the file
is current and that the numbers of the docstrings' defaults match the code. ``make docs`` runs this.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import pathlib
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

REPO = pathlib.Path(__file__).resolve().parent.parent
SNIPPETS = REPO / "examples" / "snippets"

# The order of the page: the concepts, then the pieces a pipeline takes, then the supporting constructs.
SECTIONS: dict[str, list[str]] = {
    "Key and roles": [
        "ImageBuilderKey",
        "WorkflowExecutionRole",
        "BuildInstanceRole",
        "LifecycleExecutionRole",
    ],
    "Documents": ["EncryptedComponent", "EncryptedWorkflow"],
    "Recipes": ["EncryptedImageRecipe", "EncryptedContainerRecipe"],
    "Where builds run and where images go": [
        "SecureInfrastructureConfiguration",
        "SecureDistributionConfiguration",
    ],
    "Pipelines, images and their lifecycle": ["SecureImagePipeline", "SecureImage", "SecureLifecyclePolicy"],
    "Logs, notifications, audit and network": [
        "ImageBuilderLogBucket",
        "ImageBuilderLogGroup",
        "ImageBuilderNotificationTopic",
        "ImageBuilderAuditTrail",
        "ImageBuilderVpcEndpoints",
    ],
    "Hosts outside AWS": ["RolesAnywhereAccess"],
}
# Value types and functions the examples use: a props table each, shown with the construct that takes them.
VALUES = {
    "RecipeVolume": "EncryptedImageRecipe",
    "DistributionRegion": "SecureDistributionConfiguration",
    "AmiSsmParameter": "SecureDistributionConfiguration",
    "aws_managed_component": "EncryptedImageRecipe",
    "aws_managed_image": "EncryptedImageRecipe",
}
PARAM = re.compile(r"^:param (\w+):\s*(.*?)(?=^:param |^:returns?:|^:raises |\Z)", re.MULTILINE | re.DOTALL)
DEFAULT = re.compile(r"\s*Default:\s*-?\s*", re.DOTALL)


def snake(name: str) -> str:
    """``image_builder_key`` for ``ImageBuilderKey``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def markdown(text: str) -> str:
    """reStructuredText roles and literals of a docstring as Markdown."""
    text = re.sub(r":(?:class|func|meth|attr|mod):`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def one_line(text: str) -> str:
    """A docstring fragment as one table cell."""
    return markdown(" ".join(text.split())).replace("|", "\\|")


def summary(obj: Any) -> str:
    """The object's docstring without its ``:param`` lines."""
    doc = inspect.getdoc(obj) or ""
    return markdown(doc.split("\n:param ", 1)[0].strip())


@dataclasses.dataclass(frozen=True)
class Prop:
    """One keyword of a constructor or function: what the table shows."""

    name: str
    annotation: str
    required: bool
    meaning: str
    default_text: str
    value: Any

    @property
    def default(self) -> str:
        """The default as the code has it where it has one, else as the docstring says it."""
        if self.required:
            return "required"
        shown = render(self.value)
        if shown is None:
            return self.default_text or "none"
        if self.default_text.strip("`") in {"", shown.strip("`")}:
            return shown
        return f"{shown}: {self.default_text}"


def render(value: Any) -> str | None:
    """A signature default as a reader writes it; ``None`` when it is ``None`` (the docstring says what)."""
    if value is None or value is inspect.Parameter.empty:
        return None
    if isinstance(value, bool | int | float):
        return f"`{value}`"
    if isinstance(value, str):
        return f"`{value}`" if "\n" not in value else None
    if isinstance(value, enum.Enum):
        return f"`{type(value).__name__}.{value.name}`"
    minutes = getattr(value, "to_minutes", None)
    if callable(minutes):
        total = int(minutes())
        return f"{total // 1440} days" if total % 1440 == 0 else f"{total} minutes"
    name = type(value).__name__
    member = getattr(value, "name", None) or str(value).rsplit(".", 1)[-1]
    return f"`{name}.{member}`"


def param_docs(obj: Any) -> dict[str, str]:
    """``:param`` texts of the class docstring and of its ``__init__`` (the latter wins)."""
    texts: dict[str, str] = {}
    sources = [obj, obj.__init__] if inspect.isclass(obj) else [obj]
    for source in sources:
        for name, text in PARAM.findall(inspect.getdoc(source) or ""):
            texts[name] = text
    return texts


def props(obj: Any) -> list[Prop]:
    """The documented keywords of a construct (after ``scope`` and ``id``), a value type or a function."""
    target: Callable[..., Any] = obj.__init__ if inspect.isclass(obj) else obj
    docs = param_docs(obj)
    found = []
    for parameter in inspect.signature(target).parameters.values():
        if parameter.name in {"self", "scope", "id"} or parameter.kind is parameter.VAR_KEYWORD:
            continue
        meaning, default_text = split_default(docs.get(parameter.name, ""))
        found.append(
            Prop(
                name=parameter.name,
                annotation=str(parameter.annotation).strip("'"),
                required=parameter.default is inspect.Parameter.empty,
                meaning=one_line(meaning),
                default_text=one_line(default_text).rstrip("."),
                value=parameter.default,
            )
        )
    return found


def split_default(text: str) -> tuple[str, str]:
    """A ``:param`` text as its meaning and its ``Default:`` text."""
    parts = DEFAULT.split(text, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "")


def table(obj: Any) -> str:
    """The props table of ``obj``."""
    rows = ["| prop | type | default | meaning |", "|---|---|---|---|"]
    for prop in props(obj):
        annotation = prop.annotation.replace("|", "\\|")
        rows.append(f"| `{prop.name}` | `{annotation}` | {prop.default} | {prop.meaning} |")
    return "\n".join(rows)


def example(name: str) -> str:
    """The runnable example of construct ``name``."""
    return (SNIPPETS / f"{snake(name)}.py").read_text().strip()


def public(name: str) -> Any:
    """The public object ``name`` (imported the way users import it)."""
    import secure_imagebuilder

    return getattr(secure_imagebuilder, name)


def construct_section(name: str) -> Iterator[str]:
    """The Markdown of one construct: summary, example, props, and the value types it takes."""
    obj = public(name)
    yield f"## `{name}`\n"
    yield summary(obj) + "\n"
    yield f"```python\n{example(name)}\n```\n"
    yield f"Props (keyword-only, after `scope` and `id`):\n\n{table(obj)}\n"
    for value_name, owner in VALUES.items():
        if owner == name:
            value = public(value_name)
            kind = "function" if inspect.isfunction(value) else "value type"
            yield f"### `{value_name}` ({kind})\n"
            yield summary(value) + "\n"
            yield table(value) + "\n"


def render_page() -> str:
    """The whole of docs/constructs.md."""
    parts = [
        "# Constructs\n",
        "Generated by `make docs` (`tests/constructs_doc.py`) from the constructs' docstrings and signatures "
        "and from `examples/snippets/`; do not edit by hand. Every example runs in the test suite "
        "(`tests/test_docs.py`) and passes `DataProtectionChecks` (`tests/test_constructs_doc.py`). Each "
        "construct also passes both packs with only its required props "
        "(`tests/constructs/test_standalone.py`). Everything is imported from `secure_imagebuilder`.\n",
    ]
    for title, names in SECTIONS.items():
        parts.append(f"- {title}: " + ", ".join(f"[`{n}`](#{n.lower()})" for n in names))
    parts.append("")
    for title, names in SECTIONS.items():
        parts.append(f"# {title}\n")
        for name in names:
            parts.extend(construct_section(name))
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    (REPO / "docs" / "constructs.md").write_text(render_page())
    print("wrote docs/constructs.md")
