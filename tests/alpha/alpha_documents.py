"""What the alpha tests build from: a workflow document, the parent image, and the encryption contexts
Image Builder uses for a component and a workflow of the test account."""

from __future__ import annotations

from policy_eval import ACCOUNT

WORKFLOW = {
    "schemaVersion": "1.0",
    "steps": [
        {
            "name": "Launch",
            "action": "LaunchInstance",
            "onFailure": "Abort",
            "inputs": {"waitFor": "ssmAgent"},
        }
    ],
}
AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-x86_64"
CONTEXT_KEY = "kms:EncryptionContext:aws:imagebuilder:arn"
COMPONENT_CONTEXT = f"arn:aws:imagebuilder:us-west-2:{ACCOUNT}:component/hello/1.0.0/1"
WORKFLOW_CONTEXT = f"arn:aws:imagebuilder:us-west-2:{ACCOUNT}:workflow/build/wf/1.0.0/1"
