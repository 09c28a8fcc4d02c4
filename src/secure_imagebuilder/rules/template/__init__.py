"""Template-wide rules: every string of the template (secrets, sensitive data, URLs) and property names."""
