"""Rules of the RA area."""
