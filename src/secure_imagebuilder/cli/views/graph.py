"""The key-access diagram as a graph: principals -> key -> encrypted resources, with labelled edges.

Mermaid (``views.mermaid``) and the inline SVG (``views.diagram``) draw the same graph: one node per
principal of a stack (shared by its keys), one per key, one per encrypted resource; one edge per
principal and key, labelled with the actions, services and conditions of its paths, and one per key and
resource. Node ids are the JSON answer's ids, so every principal and key the JSON lists has a node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from secure_imagebuilder.explain.model import Access, Key, Principal, StackAccess
from secure_imagebuilder.explain.words import service
from secure_imagebuilder.rules.engine.access import KMS_ACTIONS

# How an edge is drawn: the most alarming of its paths decides.
STYLES = ("public", "cross-account", "denied", "undecided", "allowed")


@dataclass
class Node:
    """A principal, a key or an encrypted resource."""

    id: str
    kind: str  # "principal", "key", "resource"
    label: str
    marks: list[str] = field(default_factory=list)  # "public", "cross-account", "outside"


@dataclass
class Edge:
    """A principal's use of a key (``lines``: one per path), or a key's encryption of a resource."""

    source: str
    target: str
    lines: list[str]
    style: str = "allowed"


@dataclass
class Graph:
    """One stack's diagram."""

    title: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def graphs(answers: Sequence[StackAccess]) -> list[Graph]:
    """One graph per stack."""
    return [graph(answer) for answer in answers]


def graph(answer: StackAccess) -> Graph:
    """The diagram of one stack's answer."""
    found = Graph(answer.name)
    seen: dict[str, Node] = {}
    for key in answer.keys:
        marks = ["public"] if key.public else []
        marks += ["outside"] if key.origin == "outside" else []
        title = f"key {key.logical_id}" if key.logical_id else f"key outside the template: {key.arn}"
        _add(found, seen, Node(key.id, "key", title, marks))
        for principal in key.principals:
            _add(found, seen, Node(principal.id, "principal", principal.label, _marks(principal)))
            found.edges.append(_use_edge(principal, key))
        for use in key.uses:
            _add(found, seen, Node(use.id, "resource", f"{use.kind} {use.logical_id}"))
            found.edges.append(Edge(key.id, use.id, [f"encrypts ({use.property})"]))
    order = {"principal": 0, "key": 1, "resource": 2}
    found.nodes.sort(key=lambda node: order[node.kind])
    return found


def _add(found: Graph, seen: dict[str, Node], node: Node) -> None:
    if node.id in seen:
        seen[node.id].marks.extend(m for m in node.marks if m not in seen[node.id].marks)
        return
    seen[node.id] = node
    found.nodes.append(node)


def _marks(principal: Principal) -> list[str]:
    kinds = {flag.kind for flag in principal.flags}
    return [mark for mark in ("public", "cross-account") if mark in kinds]


def _use_edge(principal: Principal, key: Key) -> Edge:
    """Public when anyone can use the key (KMS4); a named principal's path through that statement is not."""
    lines = [label(path) for path in principal.access]
    kinds = {flag.kind for flag in principal.flags}
    if "public" in kinds or principal.kind == "anyone":
        style = "public"
    elif "cross-account" in kinds:
        style = "cross-account"
    elif all(path.allowed is False for path in principal.access):
        style = "denied"
    elif all(path.allowed is not True for path in principal.access):
        style = "undecided"
    else:
        style = "allowed"
    return Edge(principal.id, key.id, lines, style)


def label(path: Access) -> str:
    """One path, short: its state, actions, services and conditions."""
    state = {True: "", None: "MAYBE: ", False: "NEEDED, DENIED: "}[path.allowed]
    names = [a.removeprefix("kms:") for a in path.actions]
    actions = "every KMS action" if set(KMS_ACTIONS) <= set(path.actions) else ", ".join(names)
    through = any(c.startswith("only through") for c in path.conditions)
    via = f" via {', '.join(service(s) for s in path.via)}" if path.via and not through else ""
    conditions = "; ".join(c.removeprefix("only ") for c in path.conditions)
    return f"{state}{actions}{via}{f' ({conditions})' if conditions else ''}"
