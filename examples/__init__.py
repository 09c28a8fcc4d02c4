"""Small runnable apps; each exposes ``build(app)`` and is synthesized by the test suite."""
