"""The views of ``explain`` and ``report``: text, JSON, Mermaid, an SVG diagram, HTML and Markdown pages.

Each renders ``explain.model`` objects (and the evidence of ``explain.evidence``); none decides anything.
"""
