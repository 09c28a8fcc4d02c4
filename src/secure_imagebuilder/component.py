"""``EncryptedComponent``: an Image Builder component that is always encrypted with a customer key (R10)."""

from __future__ import annotations

import pathlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from constructs import Construct

from secure_imagebuilder.core import cdk_types, checks, documents, keys
from secure_imagebuilder.core.validation import ValidationProblems
from secure_imagebuilder.core.versioned import ComponentAttributes, Created, ImportedComponent
from secure_imagebuilder.enums import Platform

if TYPE_CHECKING:
    from aws_cdk import aws_s3 as s3


class EncryptedComponent(ComponentAttributes, Created, imagebuilder.CfnComponent):
    """An ``AWS::ImageBuilder::Component`` whose ``KmsKeyId`` is always the given customer managed key.

    It is the ``CfnComponent`` itself (one construct per resource), with the attributes of
    :class:`~secure_imagebuilder.interfaces.IComponent`, ``grant`` and ``grant_read``.

    Image Builder encrypts the component under the encryption context ``aws:imagebuilder:arn`` = the
    component's ARN (R10, R12); the build instance's role needs the component-decrypt grant of the key
    (``BuildInstanceRole(key=...)``, or ``ImageBuilderKey.grant_component_decrypt``) to read it.

    Validated at synth time: the document is YAML with ``schemaVersion`` and ``phases``, at most 16,000
    characters inline; ``uri`` is an ``s3://`` URI without credentials (R9); the name, the semantic
    version and the platform. With the context key ``secure-imagebuilder:versions-file`` set, a changed
    document under an already published version fails the synth instead of the deployment.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: kms.IKey,
        name: str,
        version: str,
        platform: Platform,
        data: documents.Document | None = None,
        path: pathlib.Path | str | None = None,
        uri: s3.Location | str | None = None,
        description: str | None = None,
        change_description: str | None = None,
        supported_os_versions: Sequence[str] | None = None,
        removal_policy: cdk.RemovalPolicy | None = None,
    ) -> None:
        """Create the component.

        :param key: the customer managed key that encrypts the component (R10).
        :param name: the component name.
        :param version: the semantic version ``major.minor.patch``; a changed document under the same
            version deploys as its next build (Image Builder auto-versioning).
        :param platform: ``Platform.LINUX``, ``WINDOWS`` or ``MACOS``.
        :param data: the component document, as YAML text, a mapping or a ``Path``. Default: - none;
            give exactly one of ``data``, ``path`` and ``uri``.
        :param path: a file holding the YAML document. Default: - none.
        :param uri: where the document is in S3: an ``s3.Location`` or an ``s3://bucket/key`` URI.
            Default: - none.
        :param description: the component's description (no sensitive data, R8). Default: - none.
        :param change_description: what changed in this version. Default: - none.
        :param supported_os_versions: operating systems the component supports. Default: - any.
        :param removal_policy: what happens to this version when it leaves the stack. Default: -
            ``RemovalPolicy.DESTROY``: the document lives in your app, and a newer version replaces it.
        """
        key = keys.checked(scope, key, child_id=id)
        problems = ValidationProblems(scope, id)
        platform_value = cdk_types.choice(problems, "platform", platform, Platform)
        checks.require_kinds(problems, removal_policy=(removal_policy, "removal_policy"))
        os_versions = checks.string_list(problems, "supported_os_versions", supported_os_versions)
        source = documents.prepare(
            scope,
            id,
            problems,
            kind="component",
            name=name,
            version=version,
            data=data,
            path=path,
            uri=uri,
            required_sections=("phases",),
        )
        super().__init__(
            scope,
            id,
            name=name,
            version=version,
            platform=platform_value,
            data=source.data,
            uri=source.uri,
            kms_key_id=keys.arn(key),
            description=description,
            change_description=change_description,
            supported_os_versions=os_versions or None,
        )
        self._created(key=key, name=name, version=version, removal_policy=removal_policy)

    @classmethod
    def from_component_arn(cls, scope: Construct, id: str, component_arn: str) -> ImportedComponent:
        """A component this app does not create, for recipes (ours or the alpha ones).

        Its key is its owner's: the build instance needs ``kms:Decrypt`` on it (R10), granted by the key's
        owner. An AWS-managed component needs no import: pass ``aws_managed_component(scope, name)``.
        """
        return ImportedComponent(scope, id, arn=component_arn)
