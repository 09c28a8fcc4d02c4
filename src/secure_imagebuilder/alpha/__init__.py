"""Secure defaults for the ``aws-cdk.aws-imagebuilder-alpha`` L2s.

Installed with ``pip install cdk-secure-imagebuilder[alpha]``, which pins
``aws-cdk.aws-imagebuilder-alpha==2.275.0a0``.

One call, before the alpha constructs under ``scope`` are created::

    key = ImageBuilderKey(stack, "Key")
    apply_secure_defaults(stack, key=key)

Afterwards every alpha construct created under ``scope`` gets, unless the user set the prop:

==============================  ==========================================================  ==========
alpha class                     default                                                     R-numbers
==============================  ==========================================================  ==========
Component, Workflow             ``kmsKey`` = the key                                        R10, R11
ContainerRecipe                 ``kmsKey`` = the key                                        R5
ImageRecipe, ContainerRecipe    EBS mappings encrypted with the key (aspect)                R5
DistributionConfiguration       AMI distributions of the stack's Region use the key         R5
                                (aspect)
InfrastructureConfiguration     IMDSv2 required; a ``BuildInstanceRole`` (component and     R1, R5,
                                container-recipe decrypt only through Image Builder); S3    R10, R12,
                                build logs in an ``ImageBuilderLogBucket`` (scoped write);  R17
                                an ``ImageBuilderNotificationTopic`` (key, TLS only)
Image, ImagePipeline            ``ImageBuilderLogGroup`` s for the build logs (the key,     R1, R5,
                                one year's retention); with workflows: a                    R11, R13,
                                ``WorkflowExecutionRole`` (``aws:SourceAccount``, workflow  R14, R17
                                grant on both sides) that may publish to our topic
                                (aspect); container builds: the ECR container-build
                                policy on our instance role (aspect)
LifecyclePolicy                 a ``LifecycleExecutionRole`` (``aws:SourceAccount``)        R1
==============================  ==========================================================  ==========

Why these mechanisms (aws-cdk-lib 2.275):

- **Property injectors** (``PropertyInjectors.of(scope).add``) for every prop of a ``@propertyInjectable``
  alpha class: they run before the alpha constructor, see exactly the props the user passed and change
  only the absent ones, so a user value always wins, the alpha construct's own logic (validation, grants,
  ``InstanceProfile``) runs on our values, and no resource is created and then thrown away. They apply
  to constructs created *after* the call, anywhere below ``scope`` (also the infrastructure
  configuration an ``ImagePipeline`` creates for itself).
- **An aspect** for what injectors cannot reach: values the alpha L2s take through methods after
  construction (``addBlockDevice``, ``addInstanceBlockDevice``, ``addAmiDistributions``); the S3
  logging, which as a prop would make the alpha construct grant the role unconditioned ``kms:Decrypt``
  on the key (``bucket.grantPut``); grants that need two constructs at once (an image or pipeline and
  the infrastructure configuration it creates for itself after its props were injected). The aspect
  works on the rendered L1 at synthesis and writes only properties that are still empty.
- **Not Mixins**: ``Mixins.of(scope).apply(...)`` acts on the applicator's ``selected_constructs``, the
  constructs in the scope when it is called (aws-cdk-lib ``MixinApplicator``); the contract here is one
  call *before* the constructs are created.

Interoperability: our components, workflows and recipes go into the alpha L2s through :func:`to_alpha`
(the alpha class's own import of our ARN; nothing declares or patches an alpha interface on our classes).
The reverse needs nothing: our recipes, images and pipelines take alpha components, workflows, recipes
and configurations as they are (``secure_imagebuilder.interfaces``).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_imagebuilder_alpha as alpha
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

from secure_imagebuilder.alpha._aspect import SecureDefaultsAspect
from secure_imagebuilder.alpha._call import checked_call
from secure_imagebuilder.alpha._injectors import (
    BuildInjector,
    InfrastructureInjector,
    KeyInjector,
    LifecycleRoleInjector,
)
from secure_imagebuilder.alpha.interop import to_alpha
from secure_imagebuilder.core import defaults

__all__ = ["apply_secure_defaults", "to_alpha"]


def apply_secure_defaults(
    scope: IConstruct,
    *,
    key: kms.IKey,
    log_bucket: s3.IBucket | None = None,
    log_prefix: str = defaults.LOG_PREFIX,
    notifications: bool = True,
) -> None:
    """Make every alpha Image Builder construct created under ``scope`` from now on secure by default.

    Call it once per stack, before the alpha constructs: an alpha construct that exists already under
    ``scope`` is our error naming it (property injectors reach only constructs created later), and so is a
    second call over the same constructs with another key or other settings (the same call again changes
    nothing). An alpha component, workflow or container recipe given its own ``kms_key`` keeps it, and the
    roles made here get their grant on it (both sides for a key of this app; the key-policy statements
    printed for the owner of an imported one).

    :param scope: a stack, or a construct inside one; the shared log bucket and topic go into the stack.
    :param key: the customer managed key of components, workflows, recipes, volumes, AMIs and build log
        groups: an ``ImageBuilderKey``, your own ``kms.Key`` or one imported by its key ARN (an alias, a
        ``Key.from_lookup`` or an AWS managed key is our error).
    :param log_bucket: where build logs go; it must be encrypted with a KMS key (R17). Default: - one
        ``ImageBuilderLogBucket`` per stack, construct id ``SecureDefaultsLogBucket``.
    :param log_prefix: the key prefix of the build logs (not empty, no leading ``/``). Default: -
        ``imagebuilder/``.
    :param notifications: give infrastructure configurations an ``ImageBuilderNotificationTopic``.
        Default: - ``True``: one topic per stack, construct id ``SecureDefaultsNotificationTopic``.
    """
    state = checked_call(
        scope, key=key, log_bucket=log_bucket, log_prefix=log_prefix, notifications=notifications
    )
    if state is None:  # the same call again
        return
    cdk.PropertyInjectors.of(scope).add(
        KeyInjector(str(alpha.Component.PROPERTY_INJECTION_ID), "component", state),
        KeyInjector(str(alpha.Workflow.PROPERTY_INJECTION_ID), "workflow", state),
        KeyInjector(str(alpha.ContainerRecipe.PROPERTY_INJECTION_ID), "container-recipe", state),
        InfrastructureInjector(state),
        BuildInjector(str(alpha.ImagePipeline.PROPERTY_INJECTION_ID), state, pipeline=True),
        BuildInjector(str(alpha.Image.PROPERTY_INJECTION_ID), state, pipeline=False),
        LifecycleRoleInjector(),
    )
    cdk.Aspects.of(scope).add(SecureDefaultsAspect(state))
