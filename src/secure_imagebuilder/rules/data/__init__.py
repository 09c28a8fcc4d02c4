"""Data files of the rule engine (CloudFormation property names of the resource schemas)."""
