"""Rules of the SEC area."""
