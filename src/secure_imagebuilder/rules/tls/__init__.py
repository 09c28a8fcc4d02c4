"""Rules of the TLS area."""
