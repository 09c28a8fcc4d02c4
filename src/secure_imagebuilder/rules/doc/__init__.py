"""Rules on the content of component, workflow and container-recipe documents (R3, R9)."""
