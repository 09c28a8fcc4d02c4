"""Rules of the IB area."""
