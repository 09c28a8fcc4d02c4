"""Rules of the AUD area."""
