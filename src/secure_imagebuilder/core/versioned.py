"""What every encrypted, versioned Image Builder resource of this library has in common.

Components, workflows and recipes are published as ``name``/``version`` pairs encrypted with the
customer key. Each created one *is* its L1 (``EncryptedComponent`` is a ``CfnComponent`` with our checks
and defaults): one construct per resource, so a thousand components cost what a thousand hand-written
L1s cost (a wrapper construct added a jsii round trip and a tree node per resource, docs/benchmarks.md).

Created and imported ones (``from_component_arn``) have the attributes of their kind's interface
(``secure_imagebuilder.interfaces``: ``component_arn``, ``component_name``, ...), read from Python state
(no round trip after the ARN's first read), and ``grant``/``grant_read``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from secure_imagebuilder.core import cdk_types, tokens
from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.enums import WorkflowType

_ACTION = re.compile(r"^imagebuilder:[A-Za-z]+\Z")
"""An Image Builder action by name: no wildcard, no other service."""

_READ_ACTIONS = {
    "component": ("imagebuilder:GetComponent",),
    "workflow": ("imagebuilder:GetWorkflow",),
    "image-recipe": ("imagebuilder:GetImageRecipe",),
    "container-recipe": ("imagebuilder:GetContainerRecipe",),
}


class Versioned:
    """The state and grants of a versioned resource, created (an L1 subclass) or imported (a Construct).

    Attributes live in Python (``_name``, ``_version``, ``_arn``), never in names the L1 defines (its
    ``name``/``version`` are jsii properties: reading one is a call to Node).
    """

    KIND: ClassVar[str]
    """The resource type in ARNs: ``component``, ``workflow``, ``image-recipe``, ``container-recipe``."""

    key: kms.IKey | None
    """The key that encrypts this resource (``None`` for an imported one: its owner's)."""

    _name: str
    _version: str
    _arn: str | None = None

    def _resource_arn(self) -> str:
        """The ARN (a created one is read from the L1 once: one jsii call per construct)."""
        if self._arn is None:
            self._arn = str(self.attr_arn)  # type: ignore[attr-defined]
        return self._arn

    def grant(self, grantee: iam.IGrantable, *actions: str) -> iam.Grant:
        """Grant ``actions`` on this version to ``grantee`` (identity policy).

        ``actions`` are Image Builder actions by name (``imagebuilder:GetComponent``), at least one; a
        wildcard (``imagebuilder:*``, ``imagebuilder:Get*``) or another service's action is our error
        (R1: grant what the grantee needs, by name), and so is a grantee that is no principal.
        """
        problems = ValidationProblems(self)  # type: ignore[arg-type]
        if not hasattr(grantee, "grant_principal"):  # iam.IGrantable (a jsii interface: no isinstance)
            problems.add(
                "a grant needs a role or other grantable principal",
                grantee,
                "pass the role object, e.g. iam.Role.from_role_arn(scope, id, arn) for a role by ARN",
            )
        if not actions:
            problems.add("grant needs at least one action", "no actions", "name them, e.g. grant_read(role)")
        for action in actions:
            if not isinstance(action, str) or not _ACTION.match(action):
                problems.add(
                    "grant takes Image Builder actions by name, without wildcards (R1)",
                    action,
                    "name each action, e.g. 'imagebuilder:GetComponent', or use grant_read(grantee)",
                )
        problems.raise_if_any()
        return iam.Grant.add_to_principal(
            grantee=grantee, actions=list(actions), resource_arns=[self._resource_arn()]
        )

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Grant reading this version (``imagebuilder:Get<Kind>``) to ``grantee``."""
        return self.grant(grantee, *_READ_ACTIONS[self.KIND])


class Created(Versioned):
    """A versioned resource this app creates: the L1 with our key, name and version recorded."""

    def _created(
        self, *, key: kms.IKey, name: str, version: str, removal_policy: cdk.RemovalPolicy | None
    ) -> None:
        """Record the attributes (after the L1's constructor) and apply the removal policy."""
        if removal_policy is not None:
            self.apply_removal_policy(removal_policy)  # type: ignore[attr-defined]
        self.key = key
        self._name = name
        self._version = version


class ImportedVersion(Versioned, Construct):
    """A versioned resource this app does not create, known by its ARN (``from_<kind>_arn``).

    Its key is not known here: grants on it (R10, R13, R14) are its owner's. It goes wherever a created
    one does (recipes, pipelines, images).
    """

    def __init__(self, scope: Construct, id: str, *, arn: str) -> None:
        """Import the version named by ``arn`` (``arn:<partition>:imagebuilder:...:<kind>/<name>/...``)."""
        problems = ValidationProblems(scope, id)
        parts = _arn_parts(problems, self.KIND, arn)
        problems.raise_if_any()
        super().__init__(scope, id)
        self._arn = arn
        self._name, self._version = parts
        self.key = None


def _arn_parts(problems: ValidationProblems, kind: str, arn: object) -> tuple[str, str]:
    """``(name, version)`` of an Image Builder ARN of ``kind``; a token's parts come from ``Fn::Split``."""
    if not isinstance(arn, str):
        problems.add(f"a {kind} ARN must be a string", arn, f"pass arn:aws:imagebuilder:...:{kind}/...")
        return "", ""
    if tokens.is_unresolved(arn):
        path = cdk.Fn.split("/", arn)
        offset = 1 if kind == "workflow" else 0  # workflow/<type>/<name>/<version>/<build>
        return cdk.Fn.select(1 + offset, path), cdk.Fn.select(2 + offset, path)
    match = _ARN[kind].match(arn)
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
    """The ARN of a ``kind`` resource (an object with its interface's ``<kind>_arn``); our error otherwise."""
    attribute = f"{kind.replace('-', '_')}_arn"
    value = getattr(resource, attribute, None)
    if isinstance(value, str):
        return value
    title = "".join(part.title() for part in kind.split("-"))
    problems.add(
        f"{what} must be {kind}s (I{title}: this library's, the alpha L2s' or imported ones)",
        resource,
        f"pass e.g. Encrypted{title} objects, or import one with from_{attribute}(scope, id, arn)",
    )
    return None


def arns_of(problems: ValidationProblems, what: str, resources: Sequence[object], kind: str) -> list[str]:
    """``arn_of`` for each item (our error for each that is not such a resource)."""
    return [arn for item in resources if (arn := arn_of(problems, what, item, kind)) is not None]


class ComponentAttributes(Versioned):
    """``component_arn``, ``component_name``, ``component_version`` (the ``IComponent`` interface)."""

    KIND = "component"

    @property
    def component_arn(self) -> str:
        """The ARN of the component build."""
        return self._resource_arn()

    @property
    def component_name(self) -> str:
        """The name of the component."""
        return self._name

    @property
    def component_version(self) -> str:
        """The semantic version of the component."""
        return self._version


class WorkflowAttributes(Versioned):
    """``workflow_arn``, ``workflow_name``, ``workflow_version``, ``workflow_type`` (``IWorkflow``)."""

    KIND = "workflow"
    _type: WorkflowType | str

    @property
    def workflow_arn(self) -> str:
        """The ARN of the workflow build."""
        return self._resource_arn()

    @property
    def workflow_name(self) -> str:
        """The name of the workflow."""
        return self._name

    @property
    def workflow_version(self) -> str:
        """The semantic version of the workflow."""
        return self._version

    @property
    def workflow_type(self) -> WorkflowType | str:
        """``WorkflowType.BUILD``, ``TEST`` or ``DISTRIBUTION`` (a string token when given as a parameter)."""
        return self._type


class ImageRecipeAttributes(Versioned):
    """``image_recipe_arn``, ``image_recipe_name``, ``image_recipe_version`` (``IImageRecipe``)."""

    KIND = "image-recipe"

    @property
    def image_recipe_arn(self) -> str:
        """The ARN of the recipe."""
        return self._resource_arn()

    @property
    def image_recipe_name(self) -> str:
        """The name of the recipe."""
        return self._name

    @property
    def image_recipe_version(self) -> str:
        """The version of the recipe (``1.0.x`` stands for the next free patch)."""
        return self._version


class ContainerRecipeAttributes(Versioned):
    """``container_recipe_arn``, ``..._name``, ``..._version`` (``IContainerRecipe``)."""

    KIND = "container-recipe"

    @property
    def container_recipe_arn(self) -> str:
        """The ARN of the recipe."""
        return self._resource_arn()

    @property
    def container_recipe_name(self) -> str:
        """The name of the recipe."""
        return self._name

    @property
    def container_recipe_version(self) -> str:
        """The version of the recipe (``1.0.x`` stands for the next free patch)."""
        return self._version


class ImportedComponent(ComponentAttributes, ImportedVersion):
    """A component this app does not create (``EncryptedComponent.from_component_arn``)."""


class ImportedWorkflow(WorkflowAttributes, ImportedVersion):
    """A workflow this app does not create (``EncryptedWorkflow.from_workflow_arn``)."""

    def __init__(
        self, scope: Construct, id: str, *, arn: str, workflow_type: WorkflowType | None = None
    ) -> None:
        """Import the workflow; its type is the ARN's ``workflow/<type>/`` part.

        ``workflow_type`` gives it for an ARN only known at deploy time (default ``BUILD``); given with a
        literal ARN of another type, it is our error.
        """
        problems = ValidationProblems(scope, id)
        if workflow_type is not None:
            cdk_types.choice(problems, "workflow_type", workflow_type, WorkflowType)
        literal = isinstance(arn, str) and not tokens.is_unresolved(arn) and _ARN["workflow"].match(arn)
        from_arn = WorkflowType(arn.split("/")[1].upper()) if literal else None
        if not problems and from_arn is not None and workflow_type not in (None, from_arn):
            problems.add(
                f"workflow_type disagrees with the ARN, which names a {from_arn.value} workflow",
                workflow_type,
                "drop workflow_type (it is read from the ARN), or import the workflow you meant",
            )
        problems.raise_if_any()
        super().__init__(scope, id, arn=arn)
        self._type = from_arn or workflow_type or WorkflowType.BUILD


class ImportedImageRecipe(ImageRecipeAttributes, ImportedVersion):
    """An image recipe this app does not create (``EncryptedImageRecipe.from_image_recipe_arn``)."""


class ImportedContainerRecipe(ContainerRecipeAttributes, ImportedVersion):
    """A container recipe this app does not create (``from_container_recipe_arn``)."""
