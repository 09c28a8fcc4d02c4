"""``explain`` and ``report``: the stacks read by ``scan``'s readers, explained, in the format asked.

The findings each stack's answer links are those of the same rule table ``scan`` runs, one run per stack.
"""

from __future__ import annotations

from collections.abc import Sequence

from secure_imagebuilder.cli.inputs import Scanned
from secure_imagebuilder.explain.answer import explain
from secure_imagebuilder.explain.model import StackAccess
from secure_imagebuilder.rules.engine.model import Finding, Stack
from secure_imagebuilder.rules.engine.run import Engine

EXPLAIN_FORMATS = ("text", "json", "mermaid", "html")
REPORT_FORMATS = ("md", "html")


def explained(scanned: Sequence[Scanned]) -> list[tuple[Stack, list[Finding], StackAccess]]:
    """Each stack read, its findings, and its answer."""
    engine = Engine()
    found = []
    for item in scanned:
        for stack in item.stacks:
            template = stack.template_path or item.path
            findings = engine.evaluate([stack])
            answer = explain(stack, findings, template=template, lines=item.lines.get(template, {}))
            found.append((stack, findings, answer))
    return found


def render_explain(scanned: Sequence[Scanned], output_format: str, version: str) -> str:
    """``explain`` in one of :data:`EXPLAIN_FORMATS`."""
    answers = [answer for _, _, answer in explained(scanned)]
    if output_format == "json":
        from secure_imagebuilder.cli.views import document

        return document.render(answers, version)
    if output_format == "mermaid":
        from secure_imagebuilder.cli.views import mermaid

        return mermaid.render(answers)
    if output_format == "html":
        from secure_imagebuilder.cli.views import page

        return page.explain_page(answers, version)
    from secure_imagebuilder.cli.views import text

    return text.render(answers)


def render_report(scanned: Sequence[Scanned], output_format: str, version: str) -> str:
    """``report`` in one of :data:`REPORT_FORMATS`."""
    from secure_imagebuilder.cli.views.evidence import as_html, as_markdown
    from secure_imagebuilder.explain.evidence import evidence_of

    found = [evidence_of(stack, findings, answer) for stack, findings, answer in explained(scanned)]
    if output_format == "html":
        return as_html(found, version)
    return as_markdown(found, version)
