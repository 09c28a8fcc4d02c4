"""``explain --format mermaid``: the key-access diagram as a Mermaid flowchart.

Principals (rounded) -> keys (hexagons) -> encrypted resources (cylinders), one subgraph per stack. Edges
carry the actions and conditions of each path; a public edge is thick and red, a cross-account one thick
and orange, a path a build needs and is denied dotted. ``%% node`` comments map each Mermaid id to the
JSON answer's id.
"""

from __future__ import annotations

from collections.abc import Sequence

from secure_imagebuilder.cli.views.graph import Edge, Graph, Node, graphs
from secure_imagebuilder.explain.model import StackAccess

_SHAPES = {"principal": ('("', '")'), "key": ('{{"', '"}}'), "resource": ('[("', '")]')}
_ARROWS = {"public": "==>", "cross-account": "==>", "denied": "-.->", "undecided": "-.->", "allowed": "-->"}
_LINK_STYLES = {
    "public": "stroke:#c62828,stroke-width:3px,color:#c62828",
    "cross-account": "stroke:#ef6c00,stroke-width:3px,color:#ef6c00",
    "denied": "stroke:#6d4c41,stroke-dasharray:4 3",
}
_CLASSES = {
    "public": "fill:#ffebee,stroke:#c62828,stroke-width:2px",
    "crossaccount": "fill:#fff3e0,stroke:#ef6c00,stroke-width:2px",
    "outside": "fill:#eceff1,stroke:#546e7a,stroke-dasharray:4 3",
}


def text(value: str) -> str:
    """A label as a Mermaid string: entity codes for the characters Mermaid reads."""
    return (
        value.replace("#", "#35;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("|", "#124;")
    )


def render(answers: Sequence[StackAccess]) -> str:
    """The Mermaid flowchart of every stack."""
    lines = ["flowchart LR"]
    ids: dict[str, str] = {}
    links: list[str] = []
    for index, found in enumerate(graphs(answers)):
        lines.extend(_subgraph(index, found, ids))
    for found in graphs(answers):
        for edge in found.edges:
            lines.append(_edge(edge, ids))
            links.append(edge.style)
    for index, style in enumerate(links):
        if style in _LINK_STYLES:
            lines.append(f"  linkStyle {index} {_LINK_STYLES[style]}")
    lines.extend(f"  classDef {name} {css}" for name, css in _CLASSES.items())
    return "\n".join(lines) + "\n"


def _subgraph(index: int, found: Graph, ids: dict[str, str]) -> list[str]:
    lines = [f'  subgraph stack{index}["{text(found.title)}"]', "    direction LR"]
    for node in found.nodes:
        ids[node.id] = f"n{len(ids)}"
        lines.append(f"    %% node {ids[node.id]} = {node.id}")
        lines.append(f"    {_node(node, ids[node.id])}")
    lines.append("  end")
    return lines


def _node(node: Node, mermaid_id: str) -> str:
    start, end = _SHAPES[node.kind]
    marks = [m.replace("-", "") for m in node.marks if m.replace("-", "") in _CLASSES]
    prefix = "PUBLIC " if "public" in node.marks else ""
    return f"{mermaid_id}{start}{text(prefix + node.label)}{end}" + (f":::{marks[0]}" if marks else "")


def _edge(edge: Edge, ids: dict[str, str]) -> str:
    marker = {"public": "PUBLIC: ", "cross-account": "CROSS-ACCOUNT: "}.get(edge.style, "")
    body = "<br/>".join(text(marker + line if i == 0 else line) for i, line in enumerate(edge.lines))
    return f'  {ids[edge.source]} {_ARROWS[edge.style]}|"{body}"| {ids[edge.target]}'
