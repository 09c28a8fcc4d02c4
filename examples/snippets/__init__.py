"""One short, runnable example per public construct: docs/constructs.md shows each beside its props.

``python tests/constructs_doc.py`` (``make docs``) renders them into docs/constructs.md; tests/test_docs.py
runs every block of it, and tests/test_constructs_doc.py checks each example passes DataProtectionChecks.
"""
