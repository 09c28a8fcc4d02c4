"""The one place where checks of the independent validators are skipped, each with its reason.

``tests/examples/test_examples.py`` passes these to cfn-lint and checkov; the README links this file.
An empty mapping is the goal: add an entry only with a reason a reviewer would accept.
"""

CFN_LINT_IGNORED: dict[str, str] = {}
"""cfn-lint rule id -> why it does not apply to our templates."""

CHECKOV_SKIPPED: dict[str, str] = {}
"""checkov check id -> why it does not apply to our templates."""
