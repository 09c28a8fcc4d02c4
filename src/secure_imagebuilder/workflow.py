"""``EncryptedWorkflow``: an Image Builder workflow that is always encrypted with a customer key (R11)."""

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
from secure_imagebuilder.core.versioned import Created, ImportedWorkflow, WorkflowAttributes, arns_of
from secure_imagebuilder.enums import WorkflowType
from secure_imagebuilder.interfaces import IWorkflow

if TYPE_CHECKING:
    from aws_cdk import aws_s3 as s3


class EncryptedWorkflow(WorkflowAttributes, Created, imagebuilder.CfnWorkflow):
    """An ``AWS::ImageBuilder::Workflow`` whose ``KmsKeyId`` is always the given customer managed key.

    It is the ``CfnWorkflow`` itself (one construct per resource), with the attributes of
    :class:`~secure_imagebuilder.interfaces.IWorkflow`, ``workflow_type``, ``grant`` and ``grant_read``.

    Image Builder encrypts the workflow document under the encryption context ``aws:imagebuilder:arn`` =
    the workflow's ARN (R12); the workflow execution role needs ``key.grant_workflow_execution(role)``
    (done by ``WorkflowExecutionRole(key=...)``) to create and run it (R11, R13, R14).

    Validated at synth time: the document is YAML with ``schemaVersion`` and ``steps``, at most 16,000
    characters inline; ``uri`` is an ``s3://`` URI without credentials (R9); the name, the semantic
    version and the workflow type. With the context key ``secure-imagebuilder:versions-file`` set, a
    changed document under an already published version fails the synth instead of the deployment.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key: kms.IKey,
        name: str,
        version: str,
        workflow_type: WorkflowType,
        data: documents.Document | None = None,
        path: pathlib.Path | str | None = None,
        uri: s3.Location | str | None = None,
        description: str | None = None,
        change_description: str | None = None,
        removal_policy: cdk.RemovalPolicy | None = None,
    ) -> None:
        """Create the workflow.

        :param key: the customer managed key that encrypts the workflow (R11).
        :param name: the workflow name.
        :param version: the semantic version ``major.minor.patch``; a changed document under the same
            version deploys as its next build (Image Builder auto-versioning).
        :param workflow_type: ``WorkflowType.BUILD``, ``TEST`` or ``DISTRIBUTION``.
        :param data: the workflow document, as YAML text, a mapping or a ``Path``. Default: - none; give
            exactly one of ``data``, ``path`` and ``uri``.
        :param path: a file holding the YAML document. Default: - none.
        :param uri: where the document is in S3: an ``s3.Location`` or an ``s3://bucket/key`` URI.
            Default: - none.
        :param description: the workflow's description (no sensitive data, R8). Default: - none.
        :param change_description: what changed in this version. Default: - none.
        :param removal_policy: what happens to this version when it leaves the stack. Default: -
            ``RemovalPolicy.DESTROY``: the document lives in your app, and a newer version replaces it.
        """
        key = keys.checked(scope, key, child_id=id)
        problems = ValidationProblems(scope, id)
        type_value = cdk_types.choice(problems, "workflow_type", workflow_type, WorkflowType)
        checks.require_kinds(problems, removal_policy=(removal_policy, "removal_policy"))
        source = documents.prepare(
            scope,
            id,
            problems,
            kind="workflow",
            name=name,
            version=version,
            data=data,
            path=path,
            uri=uri,
            required_sections=("steps",),
        )
        super().__init__(
            scope,
            id,
            name=name,
            version=version,
            type=type_value,
            data=source.data,
            uri=source.uri,
            kms_key_id=keys.arn(key),
            description=description,
            change_description=change_description,
        )
        self._created(key=key, name=name, version=version, removal_policy=removal_policy)
        self._type = workflow_type

    @classmethod
    def from_workflow_arn(
        cls, scope: Construct, id: str, workflow_arn: str, *, workflow_type: WorkflowType | None = None
    ) -> ImportedWorkflow:
        """A workflow this app does not create, for pipelines and images (ours or the alpha ones).

        Its key is its owner's: the execution role needs the workflow grant on it (R13, R14), from the
        key's owner. ``workflow_type`` is read from the ARN; give it for an ARN only known at deploy time.
        """
        return ImportedWorkflow(scope, id, arn=workflow_arn, workflow_type=workflow_type)


def workflow_arns(scope: Construct, workflows: Sequence[IWorkflow] | None) -> list[str]:
    """The ARNs of ``workflows``; our error naming ``scope`` for an item that is not a workflow."""
    if isinstance(workflows, str):
        workflows = [workflows]
    problems = ValidationProblems(scope)
    found = arns_of(problems, "workflows", list(workflows or []), "workflow")
    problems.raise_if_any()
    return found
