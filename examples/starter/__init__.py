"""A CDK app to copy: app.py, cdk.json (the feature flags the library is tested with), package.json.

This file only lets the repository's type checker tell this app.py from the repository's own; a copy
does not need it.
"""
