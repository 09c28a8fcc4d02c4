"""The alpha README's pipeline without and with ``apply_secure_defaults`` (examples/alpha_pipeline.py).

Without the call, the pipeline as a new user writes it fails ``DataProtectionChecks``; with it (the
example), nothing is reported (tests/examples checks that, plus cfn-lint and checkov).
"""

from __future__ import annotations

import pytest
from cdk_nag import AwsSolutionsChecks

from conftest import make_app
from examples import alpha_pipeline
from secure_imagebuilder.nag import DataProtectionChecks

BEFORE = [
    "DataProtection-IAM3[Statement-93e67f54]",  # the alpha execution role: no aws:SourceAccount in its trust
    "DataProtection-IB1",  # the component has no KmsKeyId
    "DataProtection-IB10[ImageLogGroupName]",  # the image's build logs: a group with no key, no retention
    "DataProtection-IB10[PipelineLogGroupName]",  # the pipeline's build logs: the same
    "DataProtection-IB3[Distribution0]",  # the AMI is not encrypted with a customer key
    "DataProtection-IB5",  # no S3 build logs
]


@pytest.fixture(scope="module")
def findings() -> dict[str, list[str]]:
    app = make_app()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(alpha_pipeline, "apply_secure_defaults", lambda scope, *, key: None)
        (before,) = alpha_pipeline.build(app)
    (after,) = alpha_pipeline.build(make_app())
    for stack in (before, after):
        stack.node.root.synth()  # type: ignore[attr-defined]  # aspects run at synthesis
    return {
        name: sorted(
            {
                v.rule_name
                for pack in (DataProtectionChecks(), AwsSolutionsChecks())
                for v in pack.validate_scope(stack).violations
            }
        )
        for name, stack in (("before", before), ("after", after))
    }


def test_the_readme_pipeline_fails_the_pack_without_the_call(findings: dict[str, list[str]]) -> None:
    assert [f for f in findings["before"] if f.startswith("DataProtection")] == BEFORE
    # and AwsSolutions: the alpha roles' managed policies and wildcard resources
    assert len([f for f in findings["before"] if f.startswith("AwsSolutions")]) == 28


def test_the_one_call_leaves_no_finding(findings: dict[str, list[str]]) -> None:
    assert findings["after"] == []
