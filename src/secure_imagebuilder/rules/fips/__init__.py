"""Rules of the FIPS area."""
