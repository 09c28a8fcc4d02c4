"""The rule engine, pure Python: it never imports aws_cdk, constructs, cdk_nag or jsii."""
