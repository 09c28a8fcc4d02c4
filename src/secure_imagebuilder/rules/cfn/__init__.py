"""Rules on how a template is written, whatever the service (CloudFormation property names)."""
