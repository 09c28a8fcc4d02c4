"""Property injectors for the ``@propertyInjectable`` alpha L2s: props the user left unset get ours.

An injector receives the props as the alpha construct will read them (a dict with the TypeScript,
camelCase, names) before the construct exists, and returns the props to use. Every injector here only
fills keys that are absent or ``None``: a value the user set always wins (and our pack reports it when it
breaks the guidance).
"""

from __future__ import annotations

from typing import Any

import jsii
from aws_cdk import IPropertyInjector
from aws_cdk import aws_imagebuilder_alpha as alpha
from constructs import Construct

from secure_imagebuilder.alpha._state import SecureDefaultsState
from secure_imagebuilder.core import keys
from secure_imagebuilder.lifecycle import LifecycleExecutionRole
from secure_imagebuilder.logs import grant_log_write
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
class ExecutionRoleInjector:
    """A :class:`WorkflowExecutionRole` for images and pipelines that run workflows (R1, R11, R13, R14).

    Its trust policy has ``aws:SourceAccount`` and it holds the workflow-key grant on both sides (key
    policy and identity policy, under the workflow encryption context), also on the keys users gave their
    alpha workflows; without it the alpha construct creates a role with neither.
    """

    def __init__(self, construct_unique_id: str, state: SecureDefaultsState) -> None:
        """Serve the alpha class with this ``PROPERTY_INJECTION_ID`` (``Image`` or ``ImagePipeline``)."""
        self._id = construct_unique_id
        self._state = state

    @property
    def construct_unique_id(self) -> str:
        """The ``PROPERTY_INJECTION_ID`` of the alpha class this injector serves."""
        return self._id

    def inject(self, original_props: Any, *, id: str, scope: Construct) -> Any:
        """The props with ``executionRole`` set when workflows run and the user named no role."""
        props: Props = dict(original_props or {})
        if props.get("workflows") and _unset(props, "executionRole"):
            role = WorkflowExecutionRole(scope, f"{id}ExecutionRole", key=self._state.key)
            self._state.grant_own_keys(role, "workflow")
            props["executionRole"] = role
            self._state.execution_roles[f"{scope.node.path}/{id}"] = role
        return props


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
