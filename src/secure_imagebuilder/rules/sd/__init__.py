"""Rules of the SD area."""
