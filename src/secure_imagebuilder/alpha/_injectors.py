"""Property injectors for the ``@propertyInjectable`` alpha L2s: props the user left unset get ours.

An injector receives the props as the alpha construct will read them (a dict with the TypeScript,
camelCase, names) before the construct exists, and returns the props to use. Every injector here only
fills keys that are absent or ``None``: a value the user set always wins (and our pack reports it when it
breaks the guidance).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import IPropertyInjector
from aws_cdk import aws_imagebuilder_alpha as alpha
from constructs import Construct

from secure_imagebuilder.alpha._state import SecureDefaultsState
from secure_imagebuilder.core import keys
from secure_imagebuilder.lifecycle import LifecycleExecutionRole
from secure_imagebuilder.logs import ImageBuilderLogGroup, grant_log_write, log_group_name
from secure_imagebuilder.roles import BuildInstanceRole, WorkflowExecutionRole

Props = dict[str, Any]


def _unset(props: Props, name: str) -> bool:
    return props.get(name) is None


@jsii.implements(IPropertyInjector)
class KeyInjector:
    """Sets ``kmsKey`` (R10, R11) on components, workflows and container recipes.

    A key the user gives one of them is checked as every key prop of this library is (a customer managed
    key known by its key ARN, ``core.keys.check``), and the roles we make get their grant on it.
    """

    def __init__(self, construct_unique_id: str, kind: str, state: SecureDefaultsState) -> None:
        """Inject ``state.key`` into the alpha class with this ``PROPERTY_INJECTION_ID`` (a ``kind``)."""
        self._id = construct_unique_id
        self._kind = kind
        self._state = state

    @property
    def construct_unique_id(self) -> str:
        """The ``PROPERTY_INJECTION_ID`` of the alpha class this injector serves."""
        return self._id

    def inject(self, original_props: Any, *, id: str, scope: Construct) -> Any:
        """The props with ``kmsKey`` set to the key unless the user set one (then granted to our roles)."""
        props: Props = dict(original_props or {})
        if _unset(props, "kmsKey"):
            props["kmsKey"] = self._state.key
        else:
            key = keys.checked(scope, props["kmsKey"], "kms_key", child_id=id)
            self._state.use_own_key(self._kind, key)
        return props


@jsii.implements(IPropertyInjector)
class InfrastructureInjector:
    """IMDSv2, the least-privilege build-instance role, S3 logs and the encrypted topic (R1, R5, R17).

    The role is a :class:`BuildInstanceRole` (component and container-recipe decrypt only through Image
    Builder, R10, R12) created beside the configuration as ``<id>InstanceRole``; a role the user gives is
    kept and gets the log write. The S3 logging is not injected as the ``logging`` prop: the alpha
    construct would then call ``bucket.grantPut`` and give the role ``kms:Encrypt``/``kms:Decrypt`` on the
    key with no condition. The role gets our scoped ``grant_log_write`` instead, and the aspect sets
    ``Logging.S3Logs`` on the L1.
    """

    def __init__(self, state: SecureDefaultsState) -> None:
        """Serve ``InfrastructureConfiguration`` with the key and shared resources of ``state``."""
        self._state = state

    @property
    def construct_unique_id(self) -> str:
        """The ``PROPERTY_INJECTION_ID`` of ``InfrastructureConfiguration``."""
        return str(alpha.InfrastructureConfiguration.PROPERTY_INJECTION_ID)

    def inject(self, original_props: Any, *, id: str, scope: Construct) -> Any:
        """The props with our defaults where the user set nothing."""
        props: Props = dict(original_props or {})
        state = self._state
        if _unset(props, "httpTokens"):
            props["httpTokens"] = "required"  # the TypeScript value of HttpTokens.REQUIRED
        if _unset(props, "instanceProfile") and _unset(props, "role"):
            role = BuildInstanceRole(scope, f"{id}InstanceRole", key=state.key)
            keys.grant_container_recipe_decrypt(state.key, role)
            state.grant_own_keys(role, "component", "container-recipe")
            props["role"] = role
            state.instance_roles[f"{scope.node.path}/{id}"] = role
        if _unset(props, "logging"):
            # the user's role (or their instance profile's) gets the same scoped write as ours
            profile = props.get("instanceProfile")
            writer = props.get("role") or (profile.role if profile is not None else None)
            bucket = state.bucket_for(scope)
            if writer is not None:
                grant_log_write(bucket, writer, state.log_prefix)
            state.logging_pending[f"{scope.node.path}/{id}"] = bucket
        if _unset(props, "notificationTopic"):
            topic = state.topic_for(scope)
            if topic is not None:
                props["notificationTopic"] = topic
                state.topic_users[f"{scope.node.path}/{id}"] = topic
        return props


@jsii.implements(IPropertyInjector)
class BuildInjector:
    """What images and pipelines get: an execution role for workflows and encrypted log groups.

    - a :class:`WorkflowExecutionRole` when workflows run and the user named no role (R1, R11, R13,
      R14): ``aws:SourceAccount`` in its trust, the workflow-key grant on both sides (key policy and
      identity policy, under the workflow encryption context), also on the keys users gave their alpha
      workflows; without it the alpha construct creates a role with neither;
    - :class:`ImageBuilderLogGroup` s for the build logs (R5, R17), ``<id>LogGroup`` of an ``Image``
      (``/aws/imagebuilder/<recipe name>/<image's unique name>``, as ``SecureImage`` names it),
      ``<id>ImageLogGroup`` and ``<id>PipelineLogGroup`` of an ``ImagePipeline``
      (``/aws/imagebuilder/<pipeline name>``, ``/aws/imagebuilder/pipeline/<pipeline name>``, as
      ``SecureImagePipeline`` names them): encrypted with the key, one year's retention, retained;
      without them Image Builder creates its groups with neither.
    """

    def __init__(self, construct_unique_id: str, state: SecureDefaultsState, *, pipeline: bool) -> None:
        """Serve the alpha ``ImagePipeline`` (``pipeline``) or ``Image`` with this injection id."""
        self._id = construct_unique_id
        self._state = state
        self._pipeline = pipeline

    @property
    def construct_unique_id(self) -> str:
        """The ``PROPERTY_INJECTION_ID`` of the alpha class this injector serves."""
        return self._id

    def inject(self, original_props: Any, *, id: str, scope: Construct) -> Any:
        """The props with ``executionRole`` and the log groups set where the user set none."""
        props: Props = dict(original_props or {})
        if props.get("workflows") and _unset(props, "executionRole"):
            role = WorkflowExecutionRole(scope, f"{id}ExecutionRole", key=self._state.key)
            self._state.grant_own_keys(role, "workflow")
            props["executionRole"] = role
            self._state.execution_roles[f"{scope.node.path}/{id}"] = role
        if self._pipeline:
            name = props.get("imagePipelineName") or cdk.Lazy.string(_DefaultName(scope, id))
            self._log_group(props, "imageLogGroup", scope, f"{id}ImageLogGroup", f"/aws/imagebuilder/{name}")
            pipeline_logs = f"/aws/imagebuilder/pipeline/{name}"
            self._log_group(props, "imagePipelineLogGroup", scope, f"{id}PipelineLogGroup", pipeline_logs)
        else:
            name = log_group_name(props.get("recipe"), cdk.Lazy.string(_DefaultName(scope, id)))
            self._log_group(props, "logGroup", scope, f"{id}LogGroup", name)
        return props

    def _log_group(self, props: Props, prop: str, scope: Construct, id: str, name: str) -> None:
        if _unset(props, prop):
            props[prop] = ImageBuilderLogGroup(scope, id, key=self._state.key, log_group_name=name)


@jsii.implements(cdk.IStableStringProducer)
class _DefaultName:
    """The name the alpha L2 ``id`` in ``scope`` gives itself when the user names none, once it exists.

    Computed as the alpha ``ImagePipeline`` computes its own default (``Names.uniqueResourceName``, at most
    128 characters, ``-``, lowercase), not read from the resource: a log group name that referenced the
    pipeline would make the key policy depend on the pipeline, and the pipeline (through its recipe and
    log groups) on the key.
    """

    def __init__(self, scope: Construct, id: str) -> None:
        self._scope = scope
        self._id = id

    def produce(self) -> str | None:
        """The default name, or ``None`` before the construct exists."""
        child = self._scope.node.try_find_child(self._id)
        if child is None:
            return None
        return cdk.Names.unique_resource_name(
            child, max_length=128, separator="-", allowed_special_characters="-"
        ).lower()


@jsii.implements(IPropertyInjector)
class LifecycleRoleInjector:
    """A :class:`LifecycleExecutionRole` for lifecycle policies (R1).

    The alpha construct's own role trusts Image Builder without ``aws:SourceAccount``; ours adds it and,
    like the alpha's, holds only AWS's ``EC2ImageBuilderLifecycleExecutionPolicy``.
    """

    @property
    def construct_unique_id(self) -> str:
        """The ``PROPERTY_INJECTION_ID`` of ``LifecyclePolicy``."""
        return str(alpha.LifecyclePolicy.PROPERTY_INJECTION_ID)

    def inject(self, original_props: Any, *, id: str, scope: Construct) -> Any:
        """The props with ``executionRole`` set unless the user named one."""
        props: Props = dict(original_props or {})
        if _unset(props, "executionRole"):
            props["executionRole"] = LifecycleExecutionRole(scope, f"{id}ExecutionRole")
        return props
