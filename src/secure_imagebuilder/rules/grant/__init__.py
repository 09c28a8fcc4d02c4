"""Cross-resource grant rules (R10-R14): the build a template describes can decrypt what it needs."""
