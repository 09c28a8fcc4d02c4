"""Rules on Image Builder resources: keys, builds and their grants, documents (R3-R17)."""
