"""What every encrypted, versioned Image Builder resource of this library has in common.

Components, workflows and recipes are published as ``name``/``version`` pairs encrypted with the
customer key; each construct wraps one L1 (``resource``, construct id ``"Resource"``). In the CDK pattern
they are resources (``IResource``) with kind-specific attributes (``component_arn``, ``workflow_arn``, ...),
``grant``/``grant_read``, and imports of resources this app does not create (``from_component_arn``).

**The alpha L2s.** With the ``aws-imagebuilder-alpha`` package installed, each class also implements the
alpha interface of its kind (``IComponent``, ``IWorkflow``, ``IImageRecipe``, ``IContainerRecipe``), so
our resources go straight into the alpha ``ImageRecipe``/``ImagePipeline``. The interface is declared when
the first object is created, and only when the app has imported the alpha package by then (as an app that
uses it does at its top): importing it for everyone would cost every app ~0.3 s and make it a dependency.
Its members are our attributes, so nothing else is re-implemented.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any, ClassVar, cast

import aws_cdk as cdk
import aws_cdk.interfaces as cdk_interfaces
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from secure_imagebuilder.core import tokens
from secure_imagebuilder.core.validation import ValidationProblems

_ALPHA = "aws_cdk.aws_imagebuilder_alpha"
_READ_ACTIONS = {
    "component": ("imagebuilder:GetComponent",),
    "workflow": ("imagebuilder:GetWorkflow",),
    "image-recipe": ("imagebuilder:GetImageRecipe",),
    "container-recipe": ("imagebuilder:GetContainerRecipe",),
}


class _Versioned(Construct):
    """Attributes, grants and the alpha interface shared by created and imported versioned resources.

    A ``Construct`` with the ``IResource`` members (``stack``, ``env``, ``apply_removal_policy``) written
    here: a ``cdk.Resource`` base costs Node ~0.3 ms more per construct, and nothing else needs it.
    """

    _alpha_declared: ClassVar[bool]
    KIND: ClassVar[str]
    """The resource type in ARNs: ``component``, ``workflow``, ``image-recipe``, ``container-recipe``."""
    ALPHA_INTERFACE: ClassVar[str]
    """The alpha interface this kind implements when the alpha package is installed."""

    name: str
    version: str
    _arn: str | None = None
    _l1: cdk.CfnResource | None = None

    @property
    def arn(self) -> str:
        """The ARN of this build (a created one is read from its L1 once: one jsii call per construct)."""
        if self._arn is None:
            self._arn = str(cast(Any, self._l1).attr_arn)
        return self._arn

    @classmethod
    def _declare_alpha_interface(cls) -> None:
        """Implement the alpha interface of this kind if the alpha package is installed (once per class)."""
        if "_alpha_declared" in cls.__dict__:
            return
        alpha = sys.modules.get(_ALPHA)
        if alpha is not None:
            jsii.implements(getattr(alpha, cls.ALPHA_INTERFACE))(cls)
            cls._alpha_declared = True

    @property
    def stack(self) -> cdk.Stack:
        """The stack this resource is defined in."""
        return cdk.Stack.of(self)

    @property
    def env(self) -> cdk_interfaces.ResourceEnvironment:
        """The account and Region of this resource (``IResource``)."""
        return cdk_interfaces.ResourceEnvironment(account=self.stack.account, region=self.stack.region)

    def apply_removal_policy(self, policy: cdk.RemovalPolicy) -> None:
        """Apply ``policy`` to the CloudFormation resource (nothing for an imported one)."""
        if self._l1 is not None:
            self._l1.apply_removal_policy(policy)

    def grant(self, grantee: iam.IGrantable, *actions: str) -> iam.Grant:
        """Grant ``actions`` on this version to ``grantee`` (identity policy)."""
        return iam.Grant.add_to_principal(grantee=grantee, actions=list(actions), resource_arns=[self.arn])

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Grant reading this version (``imagebuilder:Get<Kind>``) to ``grantee``."""
        return self.grant(grantee, *_READ_ACTIONS[self.KIND])


class VersionedResource(_Versioned):
    """Base of the constructs that publish one encrypted Image Builder resource version."""

    def __init__(self, scope: Construct, id: str) -> None:
        """Create the construct (the alpha interface of its kind is declared first, see the module)."""
        type(self)._declare_alpha_interface()
        super().__init__(scope, id)

    def _adopt(
        self,
        resource: cdk.CfnResource,
        *,
        key: kms.IKey,
        name: str,
        version: str,
        removal_policy: cdk.RemovalPolicy | None,
    ) -> None:
        """Record the L1 and the attributes every such construct exposes."""
        if removal_policy is not None:
            resource.apply_removal_policy(removal_policy)
        self.key = key
        self.name = name
        self.version = version
        self._l1 = resource


class ImportedVersion(_Versioned):
    """A versioned resource this app does not create, known by its ARN (``from_<kind>_arn``).

    Its key is not known here: grants on it (R10, R13, R14) are its owner's. It goes wherever a created
    one does (recipes, pipelines, the alpha L2s).
    """

    def __init__(self, scope: Construct, id: str, *, arn: str) -> None:
        """Import the version named by ``arn`` (``arn:<partition>:imagebuilder:...:<kind>/<name>/...``)."""
        type(self)._declare_alpha_interface()
        problems = ValidationProblems(scope, id)
        parts = _arn_parts(problems, self.KIND, arn)
        problems.raise_if_any()
        super().__init__(scope, id)
        self._arn = arn
        self.name, self.version = parts
        self.key: kms.IKey | None = None


def _arn_parts(problems: ValidationProblems, kind: str, arn: object) -> tuple[str, str]:
    """``(name, version)`` of an Image Builder ARN of ``kind``; a token's parts come from ``Fn::Split``."""
    if not isinstance(arn, str):
        problems.add(f"a {kind} ARN must be a string", arn, f"pass arn:aws:imagebuilder:...:{kind}/...")
        return "", ""
    if tokens.is_unresolved(arn):
        path = cdk.Fn.split("/", arn)
        offset = 1 if kind == "workflow" else 0  # workflow/<type>/<name>/<version>/<build>
        return cdk.Fn.select(1 + offset, path), cdk.Fn.select(2 + offset, path)
    pattern = _ARN.get(kind)
    match = pattern.match(arn) if pattern else None
    if match is None:
        problems.add(
            f"this is not the ARN of an Image Builder {kind}",
            arn,
            f"pass arn:<partition>:imagebuilder:<region>:<account>:{kind}/"
            + ("<type>/" if kind == "workflow" else "")
            + "<name>/<version>[/<build>]",
        )
        return "", ""
    return match.group("name"), match.group("version")


_ARN = {
    kind: re.compile(
        rf"^arn:aws[a-z-]*:imagebuilder:[a-z0-9-]+:(\d{{12}}|aws):{kind}/"
        + (r"(build|test|distribution)/" if kind == "workflow" else "")
        + r"(?P<name>[a-z0-9_-]+)/(?P<version>(\d+|x)\.(\d+|x)\.(\d+|x))(/\d+)?\Z"
    )
    for kind in _READ_ACTIONS
}


def arn_of(problems: ValidationProblems, what: str, resource: object, kind: str) -> str | None:
    """The ARN of a ``kind`` resource: ours (created or imported) or an alpha one; our error otherwise."""
    attribute = f"{kind.replace('-', '_')}_arn"
    value = getattr(resource, attribute, None)
    if isinstance(value, str):
        return value
    problems.add(
        f"{what} must be {kind}s of this library or of the alpha L2s",
        resource,
        f"pass Encrypted{kind.title().replace('-', '')} objects, or import one with "
        f"from_{attribute}(scope, id, arn)",
    )
    return None


def arns_of(problems: ValidationProblems, what: str, resources: Sequence[object], kind: str) -> list[str]:
    """``arn_of`` for each item (our error for each that is not such a resource)."""
    return [arn for item in resources if (arn := arn_of(problems, what, item, kind)) is not None]


class ComponentAttributes:
    """``component_arn``, ``component_name``, ``component_version`` (the alpha ``IComponent`` names)."""

    KIND = "component"
    ALPHA_INTERFACE = "IComponent"
    arn: str
    name: str
    version: str

    @property
    def component_arn(self) -> str:
        """The ARN of the component build."""
        return self.arn

    @property
    def component_name(self) -> str:
        """The name of the component."""
        return self.name

    @property
    def component_version(self) -> str:
        """The semantic version of the component."""
        return self.version


class WorkflowAttributes:
    """``workflow_arn``, ``workflow_name``, ``workflow_version``, ``workflow_type`` (alpha ``IWorkflow``)."""

    KIND = "workflow"
    ALPHA_INTERFACE = "IWorkflow"
    arn: str
    name: str
    version: str
    workflow_kind: str

    @property
    def workflow_arn(self) -> str:
        """The ARN of the workflow build."""
        return self.arn

    @property
    def workflow_name(self) -> str:
        """The name of the workflow."""
        return self.name

    @property
    def workflow_version(self) -> str:
        """The semantic version of the workflow."""
        return self.version

    @property
    def workflow_type(self) -> Any:
        """``BUILD``, ``TEST`` or ``DISTRIBUTION`` (an alpha ``WorkflowType`` once that package is loaded)."""
        alpha = sys.modules.get(_ALPHA)
        return getattr(alpha.WorkflowType, self.workflow_kind) if alpha else self.workflow_kind


class ImageRecipeAttributes:
    """``image_recipe_arn``, ``image_recipe_name``, ``image_recipe_version`` (alpha ``IImageRecipe``)."""

    KIND = "image-recipe"
    ALPHA_INTERFACE = "IImageRecipe"
    arn: str
    name: str
    version: str

    @property
    def image_recipe_arn(self) -> str:
        """The ARN of the recipe."""
        return self.arn

    @property
    def image_recipe_name(self) -> str:
        """The name of the recipe."""
        return self.name

    @property
    def image_recipe_version(self) -> str:
        """The version of the recipe (``1.0.x`` stands for the next free patch)."""
        return self.version


class ContainerRecipeAttributes:
    """``container_recipe_arn``, ``..._name``, ``..._version`` (alpha ``IContainerRecipe``)."""

    KIND = "container-recipe"
    ALPHA_INTERFACE = "IContainerRecipe"
    arn: str
    name: str
    version: str

    @property
    def container_recipe_arn(self) -> str:
        """The ARN of the recipe."""
        return self.arn

    @property
    def container_recipe_name(self) -> str:
        """The name of the recipe."""
        return self.name

    @property
    def container_recipe_version(self) -> str:
        """The version of the recipe (``1.0.x`` stands for the next free patch)."""
        return self.version


class ImportedComponent(ComponentAttributes, ImportedVersion):
    """A component this app does not create (``EncryptedComponent.from_component_arn``)."""


class ImportedWorkflow(WorkflowAttributes, ImportedVersion):
    """A workflow this app does not create (``EncryptedWorkflow.from_workflow_arn``)."""

    def __init__(self, scope: Construct, id: str, *, arn: str, workflow_type: str | None = None) -> None:
        """Import the workflow; its type is the ARN's ``workflow/<type>/`` part.

        ``workflow_type`` gives it for an ARN only known at deploy time (default ``BUILD``).
        """
        super().__init__(scope, id, arn=arn)
        literal = not tokens.is_unresolved(arn)
        self.workflow_kind = arn.split("/")[1].upper() if literal else (workflow_type or "BUILD").upper()


class ImportedImageRecipe(ImageRecipeAttributes, ImportedVersion):
    """An image recipe this app does not create (``EncryptedImageRecipe.from_image_recipe_arn``)."""


class ImportedContainerRecipe(ContainerRecipeAttributes, ImportedVersion):
    """A container recipe this app does not create (``from_container_recipe_arn``)."""
