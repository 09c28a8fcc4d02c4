"""The example app `make synth` runs: the deploy-ready blueprint, checked by both nag packs at synth time."""

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from examples import blueprint
from secure_imagebuilder.nag import DataProtectionChecks

app = cdk.App()
blueprint.build(app)
# cdk-nag 3.x packs are validation plugins: any unacknowledged error fails `cdk synth`.
cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(), DataProtectionChecks(app))
app.synth()
