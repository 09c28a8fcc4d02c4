"""One module per rule, grouped by area; each exposes one pure check function."""
