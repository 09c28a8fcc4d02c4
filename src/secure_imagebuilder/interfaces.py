"""One interface per Image Builder resource kind: what a pipeline, an image or a recipe needs of its pieces.

Each is a ``typing.Protocol`` with the attribute names of the aws-imagebuilder-alpha interfaces
(``component_arn``, ``image_recipe_arn``, ...), so three kinds of object satisfy it as they are:

- ours: ``EncryptedComponent``, ``EncryptedImageRecipe``, ``SecureInfrastructureConfiguration``, ...;
- the alpha L2s (``Component``, ``ImageRecipe``, ``InfrastructureConfiguration``, ...) and their imports;
- references to resources this app does not create: ``EncryptedComponent.from_component_arn`` and the
  other ``from_<kind>_arn`` imports.

Nothing declares them and nothing changes a class at run time: the check is structural, for mypy and
for the constructs that take the pieces (our error names the interface when an object has none of its
attributes). Going the other way, into the alpha L2s, is ``secure_imagebuilder.alpha.to_alpha``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class IComponent(Protocol):
    """An Image Builder component build: ours, the alpha ``IComponent``, or an imported one."""

    @property
    def component_arn(self) -> str:
        """The ARN of the component build."""

    @property
    def component_name(self) -> str:
        """The name of the component."""

    @property
    def component_version(self) -> str:
        """The semantic version of the component."""


@runtime_checkable
class IWorkflow(Protocol):
    """An Image Builder workflow build: ours, the alpha ``IWorkflow``, or an imported one."""

    @property
    def workflow_arn(self) -> str:
        """The ARN of the workflow build."""

    @property
    def workflow_name(self) -> str:
        """The name of the workflow."""

    @property
    def workflow_version(self) -> str:
        """The semantic version of the workflow."""


@runtime_checkable
class IImageRecipe(Protocol):
    """An image recipe: ours, the alpha ``IImageRecipe``, or an imported one."""

    @property
    def image_recipe_arn(self) -> str:
        """The ARN of the recipe."""

    @property
    def image_recipe_name(self) -> str:
        """The name of the recipe."""

    @property
    def image_recipe_version(self) -> str:
        """The version of the recipe."""


@runtime_checkable
class IContainerRecipe(Protocol):
    """A container recipe: ours, the alpha ``IContainerRecipe``, or an imported one."""

    @property
    def container_recipe_arn(self) -> str:
        """The ARN of the recipe."""

    @property
    def container_recipe_name(self) -> str:
        """The name of the recipe."""

    @property
    def container_recipe_version(self) -> str:
        """The version of the recipe."""


@runtime_checkable
class IInfrastructureConfiguration(Protocol):
    """Where builds run: ours or the alpha ``IInfrastructureConfiguration``."""

    @property
    def infrastructure_configuration_arn(self) -> str:
        """The ARN of the infrastructure configuration."""

    @property
    def infrastructure_configuration_name(self) -> str:
        """The name of the infrastructure configuration."""


@runtime_checkable
class IDistributionConfiguration(Protocol):
    """Where images go: ours or the alpha ``IDistributionConfiguration``."""

    @property
    def distribution_configuration_arn(self) -> str:
        """The ARN of the distribution configuration."""

    @property
    def distribution_configuration_name(self) -> str:
        """The name of the distribution configuration."""


def implements(value: object, interface: type) -> bool:
    """Whether ``value`` has every attribute of ``interface``, read from its class where it can be.

    ``isinstance`` against a runtime-checkable Protocol reads each attribute, and reading one of an alpha
    L2 is a call to Node. The class answers for ours and the alpha classes; only an object without the
    attribute on its class (jsii's proxy of an imported interface) is asked itself.
    """
    names = [name for name in vars(interface) if name.endswith(("_arn", "_name", "_version"))]
    return all(hasattr(type(value), name) or hasattr(value, name) for name in names)
