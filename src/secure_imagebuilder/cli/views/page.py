"""``explain --format html``: one self-contained page, the diagram as inline SVG and every path in tables.

Nothing is loaded from anywhere: the page's Content-Security-Policy allows only its own inline style and
script, so a browser could not fetch anything even if the page asked. The script only highlights a node's
edges when it is hovered or focused.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from secure_imagebuilder.cli.views import diagram
from secure_imagebuilder.cli.views.graph import graph
from secure_imagebuilder.cli.views.text import POLICIES, actions
from secure_imagebuilder.explain.model import Access, Flag, Key, StackAccess, StatementRef
from secure_imagebuilder.explain.words import service

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #212121; max-width: 1240px; }
table { border-collapse: collapse; margin: .5em 0 1.5em; font-size: 13px; width: 100%; }
th, td { border: 1px solid #cfd8dc; padding: 4px 6px; text-align: left; vertical-align: top;
         overflow-wrap: break-word; }
th { background: #eceff1; }
.flag { color: #b71c1c; font-weight: bold; }
.note { color: #546e7a; }
svg.access-diagram { max-width: 100%; height: auto; border: 1px solid #eceff1; }
svg .edge.dim { opacity: .15; } svg .node.dim { opacity: .35; }
.status-met { color: #1b5e20; } .status-violated { color: #b71c1c; font-weight: bold; }
.status-acknowledged { color: #e65100; } .status-outside { color: #546e7a; }
"""
SCRIPT = """
(function () {
  function highlight(id) {
    document.querySelectorAll('svg .edge').forEach(function (edge) {
      var near = !id || edge.dataset.source === id || edge.dataset.target === id;
      edge.classList.toggle('dim', !near);
    });
  }
  document.querySelectorAll('svg [data-node]').forEach(function (node) {
    node.addEventListener('mouseenter', function () { highlight(node.dataset.node); });
    node.addEventListener('focus', function () { highlight(node.dataset.node); });
    node.addEventListener('mouseleave', function () { highlight(null); });
    node.addEventListener('blur', function () { highlight(null); });
  });
})();
"""


def skeleton(title: str, body: str) -> str:
    """A self-contained HTML page."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n"
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def explain_page(answers: Sequence[StackAccess], version: str) -> str:
    """The explain answer as a page."""
    parts = [
        "<h1>Who can use each KMS key</h1>",
        f'<p class="note">secure-imagebuilder {escape(version)}: principals, the keys they can use and the '
        "resources those keys encrypt, decided by the evaluator the rules use (one account "
        "111122223333, Region us-west-2).</p>",
    ]
    for answer in answers:
        parts.append(stack_section(answer, level=2))
    return skeleton("secure-imagebuilder explain", "\n".join(parts))


def stack_section(answer: StackAccess, *, level: int) -> str:
    """One stack: its diagram and, per key, a table of every path."""
    parts = [f"<h{level}>{escape(answer.name)}</h{level}>", f'<p class="note">{escape(answer.template)}</p>']
    if not answer.keys:
        parts.append("<p>No KMS key in scope.</p>")
        return "\n".join(parts)
    parts.append(diagram.svg(graph(answer)))
    for key in answer.keys:
        parts.append(key_section(key, level + 1))
    return "\n".join(parts)


def key_section(key: Key, level: int) -> str:
    """One key: its ARN, whether it is public, what it encrypts, its flags and a table of every path."""
    title = f"key {key.logical_id}" if key.logical_id else f"key outside the template: {key.arn}"
    encrypts = ", ".join(f"{u.kind} {u.logical_id}" for u in key.uses) or "nothing in the template"
    public = '<span class="flag">PUBLIC</span>' if key.public else "not public"
    uses = {u.id: f"{u.kind} {u.logical_id}" for u in key.uses}
    rows = [
        f"<tr><td>{escape(p.label)}</td>{_path(path, uses)}</tr>" for p in key.principals for path in p.access
    ]
    return "\n".join(
        [
            f"<h{level}>{escape(title)}</h{level}>",
            f"<p>{escape(key.arn)}; {public}; encrypts {escape(encrypts)}.</p>",
            *(f'<p class="flag">{_flag(flag)}</p>' for flag in key.flags),
            "<table><tr><th>principal</th><th>actions</th><th>reaches</th><th>path</th>"
            "<th>conditions</th><th>statements</th><th>flags</th></tr>",
            *rows,
            "</table>",
        ]
    )


def _path(path: Access, uses: dict[str, str]) -> str:
    state = {True: "", None: "MAYBE (undecided): ", False: "NEEDED, DENIED: "}[path.allowed]
    route = POLICIES.get(path.policies, path.policies)
    if path.via:
        route += ", via " + ", ".join(service(s) for s in path.via)
    if path.grant:
        route += ", by creating grants"
    conditions = [*path.conditions, *(f"when {w}" for w in path.when)] or ["none"]
    refs = [_ref(r) for r in path.statements] + [f"also: {_ref(r)}" for r in path.also]
    cells = [
        state + actions(path.actions),
        ", ".join(uses.get(u, u) for u in path.reaches) or "-",
        route,
        "<br>".join(escape(c) for c in conditions),
        "<br>".join(escape(r) for r in refs) or escape(path.reason),
        "<br>".join(_flag(f) for f in path.flags),
    ]
    return "".join(f"<td>{c if i in (3, 4, 5) else escape(c)}</td>" for i, c in enumerate(cells))


def _ref(ref: StatementRef) -> str:
    where = f" (line {ref.line})" if ref.line else ""
    return f"{ref.logical_id or ref.policy} {ref.sid}".strip() + where


def _flag(flag: Flag) -> str:
    finding = f" {flag.finding}" if flag.finding else ""
    acknowledged = f" (acknowledged: {flag.acknowledged})" if flag.acknowledged else ""
    return escape(f"{flag.kind}{finding}: {flag.message}{acknowledged}")
