"""Rules of the URL area."""
