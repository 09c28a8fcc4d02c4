"""EncryptedImageRecipe in the pipeline: every volume encrypted with the key.

The pipelines are those of tests/pipeline_scene.py, synthesized once per session.
"""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match, Template

from pipeline_scene import (
    KEY_ARN,
    pipeline_evaluator,
    pipeline_template,
)
from policy_eval import PolicyEvaluator
from secure_imagebuilder.core import defaults


@pytest.fixture(scope="module")
def template() -> Template:
    return pipeline_template()


@pytest.fixture(scope="module")
def evaluator() -> PolicyEvaluator:
    return pipeline_evaluator()


def test_recipe_encrypts_every_volume_with_the_key(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ImageBuilder::ImageRecipe",
        {
            "BlockDeviceMappings": [
                {
                    "DeviceName": defaults.ROOT_DEVICE_NAME,
                    "Ebs": {
                        "Encrypted": True,
                        "KmsKeyId": KEY_ARN,
                        "DeleteOnTermination": True,
                        "VolumeSize": defaults.ROOT_VOLUME_SIZE_GIB,
                        "VolumeType": "gp3",
                    },
                }
            ],
            "Components": [
                {"ComponentArn": Match.object_like({"Fn::Join": Match.any_value()})},
                {"ComponentArn": {"Fn::GetAtt": [Match.string_like_regexp("^Harden"), "Arn"]}},
            ],
        },
    )
