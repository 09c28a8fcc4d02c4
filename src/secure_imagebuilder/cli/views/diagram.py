"""The key-access diagram as inline SVG, drawn here: no script, no font or style from the network.

Three columns: principals, keys, encrypted resources (``views.graph``). A key sits level with the middle
of what it connects; edges are curves, coloured by what they carry (public red, cross-account orange, a
path a build needs and is denied dashed brown, undecided dashed grey). Every node is a ``<g>`` with
``data-node`` (the JSON answer's id) and ``data-kind``; every edge carries ``data-source`` and
``data-target``; full labels are in ``<title>`` tooltips.
"""

from __future__ import annotations

from html import escape

from secure_imagebuilder.cli.views.graph import Edge, Graph, Node

COLUMNS = {"principal": 16, "key": 560, "resource": 860}
WIDTHS = {"principal": 300, "key": 210, "resource": 300}
HEIGHT, GAP, TOP = 34, 22, 24
FILLS = {"principal": "#e3f2fd", "key": "#fff8e1", "resource": "#e8f5e9"}
STROKES = {"public": "#c62828", "cross-account": "#ef6c00", "denied": "#6d4c41", "undecided": "#78909c"}
CHARACTERS = 42  # a label longer than this is shortened on the node (the tooltip has it whole)
LABEL = 40  # the same for the first line of an edge's label


def svg(found: Graph) -> str:
    """One stack's diagram as an ``<svg>`` element."""
    places = layout(found)
    height = max((y for _, y in places.values()), default=0) + HEIGHT + TOP
    width = COLUMNS["resource"] + WIDTHS["resource"] + 16
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="access-diagram" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(found.title)}: who can use each key">',
        f"<title>{escape(found.title)}: principals, keys and the resources they encrypt</title>",
    ]
    parts.extend(_edge(edge, places, kinds={n.id: n.kind for n in found.nodes}) for edge in found.edges)
    parts.extend(_node(node, places[node.id]) for node in found.nodes)
    parts.append("</svg>")
    return "\n".join(parts)


def layout(found: Graph) -> dict[str, tuple[float, float]]:
    """Top-left corner of every node: columns by kind; a key level with the middle of its neighbours."""
    places: dict[str, tuple[float, float]] = {}
    for kind in ("principal", "resource"):
        for row, node in enumerate(n for n in found.nodes if n.kind == kind):
            places[node.id] = (COLUMNS[kind], TOP + row * (HEIGHT + GAP))
    floor = float(TOP)
    for node in (n for n in found.nodes if n.kind == "key"):
        around = [places[e.source][1] for e in found.edges if e.target == node.id and e.source in places]
        around += [places[e.target][1] for e in found.edges if e.source == node.id and e.target in places]
        wanted = sum(around) / len(around) if around else floor
        places[node.id] = (COLUMNS["key"], max(wanted, floor))
        floor = places[node.id][1] + HEIGHT + GAP
    return places


def _node(node: Node, place: tuple[float, float]) -> str:
    x, y = place
    width = WIDTHS[node.kind]
    shown = node.label if len(node.label) <= CHARACTERS else node.label[: CHARACTERS - 1] + "\u2026"
    marked = [STROKES[mark] for mark in node.marks if mark in STROKES]
    stroke = marked[0] if marked else "#455a64"
    dash = ' stroke-dasharray="5 3"' if "outside" in node.marks else ""
    radius = 17 if node.kind == "principal" else 4
    prefix = "PUBLIC " if "public" in node.marks else ""
    return (
        f'<g class="node {node.kind} {" ".join(node.marks)}" data-node="{escape(node.id)}" '
        f'data-kind="{node.kind}" transform="translate({x:.0f},{y:.0f})" tabindex="0">'
        f"<title>{escape(prefix + node.label)}</title>"
        f'<rect width="{width}" height="{HEIGHT}" rx="{radius}" fill="{FILLS[node.kind]}" stroke="{stroke}"'
        f' stroke-width="{2 if node.marks else 1}"{dash}/>'
        f'<text x="10" y="{HEIGHT / 2 + 4:.0f}" font-family="sans-serif" font-size="12" fill="#212121">'
        f"{escape(prefix + shown)}</text></g>"
    )


def _edge(edge: Edge, places: dict[str, tuple[float, float]], kinds: dict[str, str]) -> str:
    (sx, sy), (tx, ty) = places[edge.source], places[edge.target]
    x1, y1 = sx + WIDTHS[kinds[edge.source]], sy + HEIGHT / 2
    x2, y2 = tx, ty + HEIGHT / 2
    middle = (x1 + x2) / 2
    stroke = STROKES.get(edge.style, "#607d8b")
    dash = ' stroke-dasharray="6 4"' if edge.style in ("denied", "undecided") else ""
    width = 3 if edge.style in ("public", "cross-account") else 1.4
    shown = ""
    if kinds[edge.source] == "principal":
        first = edge.lines[0] if len(edge.lines[0]) <= LABEL else edge.lines[0][: LABEL - 1] + "\u2026"
        more = f" (+{len(edge.lines) - 1})" if len(edge.lines) > 1 else ""
        shown = (
            f'<text x="{x1 + 8:.0f}" y="{y1 - 5:.0f}" font-family="sans-serif" font-size="10" '
            f'fill="{stroke}">{escape(first + more)}</text>'
        )
    return (
        f'<g class="edge {edge.style}" data-source="{escape(edge.source)}" '
        f'data-target="{escape(edge.target)}">'
        f"<title>{escape(chr(10).join(edge.lines))}</title>"
        f'<path d="M{x1:.0f},{y1:.0f} C{middle:.0f},{y1:.0f} {middle:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" '
        f'fill="none" stroke="{stroke}" stroke-width="{width}"{dash}/>{shown}</g>'
    )
