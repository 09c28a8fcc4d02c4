"""EncryptedWorkflow and EncryptedComponent: always encrypted, and every bad input refused at synth time."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from conftest import REPO, make_app, make_stack
from secure_imagebuilder import EncryptedComponent, EncryptedWorkflow, ImageBuilderKey, Platform, WorkflowType

WORKFLOW_YAML = """\
name: sample-encrypted-workflow
schemaVersion: 1.0
steps:
  - name: LaunchBuildInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: ssmAgent
"""
COMPONENT = {
    "name": "hello",
    "schemaVersion": 1.0,
    "phases": [
        {
            "name": "build",
            "steps": [{"name": "Hello", "action": "ExecuteBash", "inputs": {"commands": ["echo hello"]}}],
        }
    ],
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    document = tmp_path_factory.mktemp("docs") / "component.yaml"
    document.write_text("schemaVersion: 1.0\nphases:\n  - name: build\n    steps: []\n")
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    EncryptedWorkflow(
        stack,
        "Build",
        key=key,
        name="sample-encrypted-workflow",
        version="1.0.0",
        workflow_type=WorkflowType.BUILD,
        data=WORKFLOW_YAML,
    )
    EncryptedComponent(
        stack, "Hello", key=key, name="hello", version="1.0.0", platform=Platform.LINUX, data=COMPONENT
    )
    EncryptedComponent(
        stack,
        "FromFile",
        key=key,
        name="from-file",
        version="2.1.0",
        platform=Platform.WINDOWS,
        path=document,
    )
    EncryptedComponent(
        stack,
        "FromS3",
        key=key,
        name="from-s3",
        version="1.0.0",
        platform=Platform.LINUX,
        uri="s3://my-bucket/components/hello.yaml",
    )
    return Template.from_stack(stack)


def key_arn(template: Template) -> dict[str, Any]:
    (key,) = template.find_resources("AWS::KMS::Key")
    return {"Fn::GetAtt": [key, "Arn"]}


def test_workflow_is_encrypted_with_the_customer_key(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ImageBuilder::Workflow",
        {
            "Name": "sample-encrypted-workflow",
            "Version": "1.0.0",
            "Type": "BUILD",
            "Data": WORKFLOW_YAML,
            "KmsKeyId": key_arn(template),
        },
    )


def test_every_component_is_encrypted_with_the_customer_key(template: Template) -> None:
    components = template.find_resources("AWS::ImageBuilder::Component")
    assert len(components) == 3
    assert all(c["Properties"]["KmsKeyId"] == key_arn(template) for c in components.values())


def test_mapping_data_is_rendered_as_yaml(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ImageBuilder::Component",
        {
            "Name": "hello",
            "Platform": "Linux",
            "Data": (
                "name: hello\nschemaVersion: 1.0\nphases:\n- name: build\n  steps:\n  - name: Hello\n"
                "    action: ExecuteBash\n    inputs:\n      commands:\n      - echo hello\n"
            ),
        },
    )


def test_path_and_uri_sources(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ImageBuilder::Component", {"Name": "from-file", "Platform": "Windows", "Version": "2.1.0"}
    )
    template.has_resource_properties(
        "AWS::ImageBuilder::Component", {"Name": "from-s3", "Uri": "s3://my-bucket/components/hello.yaml"}
    )


def test_attributes_are_exposed() -> None:
    stack = make_stack()
    workflow = EncryptedWorkflow(
        stack,
        "Build",
        key=ImageBuilderKey(stack, "Key"),
        name="wf1",
        version="1.2.3",
        workflow_type=WorkflowType.TEST,
        data=WORKFLOW_YAML,
    )
    assert (workflow.workflow_name, workflow.workflow_version) == ("wf1", "1.2.3")
    assert workflow.workflow_type is WorkflowType.TEST
    # The workflow is its L1: the logical id is the construct id.
    assert stack.resolve(workflow.workflow_arn) == {"Fn::GetAtt": ["Build", "Arn"]}


def build_workflow(**overrides: Any) -> None:
    stack = make_stack()
    props: dict[str, Any] = {
        "key": ImageBuilderKey(stack, "Key"),
        "name": "sample",
        "version": "1.0.0",
        "workflow_type": WorkflowType.BUILD,
        "data": WORKFLOW_YAML,
    }
    EncryptedWorkflow(stack, "Build", **{**props, **overrides})


def build_component(**overrides: Any) -> None:
    stack = make_stack()
    props: dict[str, Any] = {
        "key": ImageBuilderKey(stack, "Key"),
        "name": "hello",
        "version": "1.0.0",
        "platform": Platform.LINUX,
        "data": COMPONENT,
    }
    EncryptedComponent(stack, "Hello", **{**props, **overrides})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"data": "schemaVersion: [1.0"}, r"TestStack/Build: the document is not valid YAML"),
        ({"data": "- just\n- a list\n"}, r"the document must be a YAML mapping: got 'list'"),
        ({"data": "steps:\n  - name: x\n"}, r"lacks the required field 'schemaVersion'"),
        ({"data": "schemaVersion: 1.0\n"}, r"lacks the required field 'steps'"),
        ({"data": "schemaVersion: 1.0\nsteps: []\n"}, r"'steps' must be a non-empty list"),
        (
            {"data": "schemaVersion: 1.0\nsteps:\n  - x: " + "a" * 16_000},
            r"limited to 16000 characters: got '160\d\d characters'.*uri='s3://",
        ),
        ({"version": "1.0"}, r"version must be a semantic version major.minor.patch: got '1.0'"),
        ({"version": "1.0.0/1"}, r"got '1.0.0/1'; use a version like '1.0.0'"),
        ({"version": "01.0.0"}, r"got '01.0.0'"),
        ({"name": "x"}, r"name must be 3-128 letters.*got 'x'"),
        ({"name": "bad/name"}, r"got 'bad/name'"),
        (
            {"workflow_type": "DEPLOY"},
            r"workflow_type must be one of WorkflowType.BUILD, WorkflowType.TEST, "
            r"WorkflowType.DISTRIBUTION: got 'DEPLOY'",
        ),
        ({"data": None}, r"exactly one of data, path or uri is required: got 'none'"),
        (
            {"uri": "s3://bucket/wf.yaml"},
            r"exactly one of data, path or uri is required: got \['data', 'uri'\]",
        ),
        ({"data": None, "uri": "https://example.com/wf.yaml"}, r"uri must be an S3 URI 's3://bucket/key'"),
        ({"data": None, "uri": "s3://bucket-only"}, r"uri must be an S3 URI"),
        (
            {"data": None, "path": pathlib.Path("/nonexistent/wf.yaml")},
            r"the document file cannot be read: got '/nonexistent/wf.yaml'",
        ),
    ],
)
def test_bad_workflow_input_is_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_workflow(**overrides)


@pytest.mark.parametrize(
    "uri",
    [
        "https://user:secret@example.com/component.yaml",
        "s3://AKIAIOSFODNN7EXAMPLE:secret@bucket/component.yaml",
        "https://bucket.s3.amazonaws.com/c.yaml?X-Amz-Credential=AKIA/2026&X-Amz-Signature=abc",
        "https://account.blob.core.windows.net/c.yaml?sig=abc&se=2026",
        "https://example.com/c.yaml?token=abc",
    ],
)
def test_credentials_in_a_uri_are_refused_without_echoing_them(uri: str) -> None:
    with pytest.raises(ValueError, match=r"\(R9\)") as error:
        build_component(data=None, uri=uri)
    assert "secret" not in str(error.value) and "abc" not in str(error.value)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"platform": "Solaris"},
            r"platform must be one of Platform.LINUX, Platform.WINDOWS, Platform.MACOS: got 'Solaris'",
        ),
        ({"data": {"schemaVersion": 1.0}}, r"lacks the required field 'phases'"),
        ({"data": {"phases": []}}, r"2 problems:\n  - the document lacks the required field 'schemaVersion'"),
    ],
)
def test_bad_component_input_is_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_component(**overrides)


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(ValueError, match=r"TestStack/Build: 3 problems") as error:
        build_workflow(name="x", version="1", workflow_type="NOPE")
    assert "name must be" in str(error.value) and "version must be" in str(error.value)


class TestVersionLock:
    """The opt-in strict lock: a changed document under the same version fails the synth."""

    @staticmethod
    def synth(
        lock: pathlib.Path,
        data: str,
        version: str = "1.0.0",
        *,
        record: bool = True,
        env: cdk.Environment | None = None,
    ) -> None:
        context = {
            "secure-imagebuilder:versions-file": str(lock),
            "secure-imagebuilder:record-versions": record,
        }
        app = make_app(context=context)
        stack = cdk.Stack(app, "TestStack", env=env) if env else make_stack(app)
        key = ImageBuilderKey(stack, "Key")
        EncryptedWorkflow(
            stack,
            "Build",
            key=key,
            name="sample",
            version=version,
            workflow_type=WorkflowType.BUILD,
            data=data,
        )

    def test_first_synth_records_the_version(self, tmp_path: pathlib.Path) -> None:
        lock = tmp_path / "imagebuilder.versions.json"
        self.synth(lock, WORKFLOW_YAML)
        assert list(json.loads(lock.read_text())) == ["*/*/workflow/sample/1.0.0"]

    def test_same_content_same_version_is_fine(self, tmp_path: pathlib.Path) -> None:
        lock = tmp_path / "lock.json"
        self.synth(lock, WORKFLOW_YAML)
        self.synth(lock, WORKFLOW_YAML)

    def test_changed_content_under_the_same_version_fails_and_names_the_next_version(
        self, tmp_path: pathlib.Path
    ) -> None:
        lock = tmp_path / "lock.json"
        self.synth(lock, WORKFLOW_YAML)
        changed = WORKFLOW_YAML.replace("ssmAgent", "nothing")
        with pytest.raises(
            ValueError,
            match=r"TestStack/Build: the content of \*/\*/workflow/sample/1.0.0 changed.*version='1.0.1'",
        ):
            self.synth(lock, changed)

    def test_a_new_version_is_recorded_next_to_the_old_one(self, tmp_path: pathlib.Path) -> None:
        lock = tmp_path / "lock.json"
        self.synth(lock, WORKFLOW_YAML)
        self.synth(lock, WORKFLOW_YAML.replace("ssmAgent", "nothing"), version="1.0.1")
        assert sorted(json.loads(lock.read_text())) == [
            "*/*/workflow/sample/1.0.0",
            "*/*/workflow/sample/1.0.1",
        ]

    def test_a_lock_file_edited_between_synths_is_read_again(self, tmp_path: pathlib.Path) -> None:
        lock = tmp_path / "lock.json"
        self.synth(lock, WORKFLOW_YAML)
        lock.write_text("{}")  # someone removed the record (e.g. the version was deleted in AWS)
        modified = lock.stat().st_mtime_ns + 1_000_000_000
        os.utime(lock, ns=(modified, modified))
        self.synth(lock, WORKFLOW_YAML.replace("ssmAgent", "nothing"))
        assert list(json.loads(lock.read_text())) == ["*/*/workflow/sample/1.0.0"]

    def test_a_tokenized_document_hashes_the_same_in_two_processes(self, tmp_path: pathlib.Path) -> None:
        """Token placeholders carry a per-process counter (${Token[TOKEN.n]}): the lock ignores it."""
        lock = tmp_path / "lock.json"
        script = (
            "import sys, aws_cdk as cdk\n"
            "sys.path[:0] = ['tests', '.']\n"
            "from conftest import make_app, make_stack\n"
            "from secure_imagebuilder import EncryptedWorkflow, ImageBuilderKey, WorkflowType\n"
            "context = {'secure-imagebuilder:versions-file': sys.argv[2],\n"
            "           'secure-imagebuilder:record-versions': True}\n"
            "stack = make_stack(make_app(context=context))\n"
            "for i in range(int(sys.argv[1])):\n"  # a different number of tokens before ours
            "    cdk.Fn.import_value(f'Other{i}')\n"
            f"data = {WORKFLOW_YAML!r}\n"
            "data += '# bucket ' + cdk.Fn.import_value('Bucket') + '\\n'\n"
            "EncryptedWorkflow(stack, 'Build', key=ImageBuilderKey(stack, 'Key'), name='sample',\n"
            "                  version='1.0.0', workflow_type=WorkflowType.BUILD, data=data)\n"
        )
        for tokens_before in ("0", "7"):
            result = subprocess.run(
                [sys.executable, "-c", script, tokens_before, str(lock)],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, result.stderr[-2000:]
        assert list(json.loads(lock.read_text())) == ["*/*/workflow/sample/1.0.0"]

    @pytest.mark.parametrize("content", ["{not json", "[]", "", '{"workflow/x/1.0.0": 3}'])
    def test_a_corrupt_lock_file_is_our_error_with_the_path(
        self, tmp_path: pathlib.Path, content: str
    ) -> None:
        lock = tmp_path / "lock.json"
        lock.write_text(content)
        with pytest.raises(
            ValueError, match=rf"TestStack/Build: the version lock {lock} cannot be read .*delete it"
        ):
            self.synth(lock, WORKFLOW_YAML)

    def test_a_directory_as_lock_file_is_our_error(self, tmp_path: pathlib.Path) -> None:
        with pytest.raises(ValueError, match=rf"the version lock {tmp_path} cannot be read"):
            self.synth(tmp_path, WORKFLOW_YAML)

    def test_a_missing_folder_is_our_error(self, tmp_path: pathlib.Path) -> None:
        lock = tmp_path / "missing" / "lock.json"
        with pytest.raises(ValueError, match=rf"the version lock {lock} cannot be written .*writable path"):
            self.synth(lock, WORKFLOW_YAML)

    def test_an_ordinary_synth_reads_the_lock_but_never_writes_it(self, tmp_path: pathlib.Path) -> None:
        lock = tmp_path / "lock.json"
        self.synth(lock, WORKFLOW_YAML, record=False)
        assert not lock.exists()
        self.synth(lock, WORKFLOW_YAML)  # the explicit -c secure-imagebuilder:record-versions=true
        changed = WORKFLOW_YAML.replace("ssmAgent", "nothing")
        with pytest.raises(ValueError, match=r"the content of \*/\*/workflow/sample/1\.0\.0 changed"):
            self.synth(lock, changed, record=False)

    def test_the_lock_is_keyed_by_account_and_region(self, tmp_path: pathlib.Path) -> None:
        """The same name/version may hold another document in another account or Region."""
        lock = tmp_path / "lock.json"
        ireland = cdk.Environment(account="111122223333", region="eu-west-1")
        virginia = cdk.Environment(account="111122223333", region="us-east-1")
        self.synth(lock, WORKFLOW_YAML, env=ireland)
        self.synth(lock, WORKFLOW_YAML.replace("ssmAgent", "nothing"), env=virginia)
        assert sorted(json.loads(lock.read_text())) == [
            "111122223333/eu-west-1/workflow/sample/1.0.0",
            "111122223333/us-east-1/workflow/sample/1.0.0",
        ]
        with pytest.raises(ValueError, match=r"the content of 111122223333/eu-west-1/workflow/sample"):
            self.synth(lock, WORKFLOW_YAML.replace("ssmAgent", "nothing"), env=ireland)

    def test_an_entry_written_before_the_environment_key_still_guards_its_version(
        self, tmp_path: pathlib.Path
    ) -> None:
        lock = tmp_path / "lock.json"
        self.synth(lock, WORKFLOW_YAML)
        recorded = json.loads(lock.read_text())
        lock.write_text(json.dumps({"workflow/sample/1.0.0": recorded["*/*/workflow/sample/1.0.0"]}))
        self.synth(lock, WORKFLOW_YAML)
        with pytest.raises(ValueError, match=r"turn the lock off \(Image Builder then deploys the change"):
            self.synth(lock, WORKFLOW_YAML.replace("ssmAgent", "nothing"))

    def test_without_the_context_key_nothing_is_written(
        self, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        build_workflow()
        assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "document",
    [
        "schemaVersion: 1.0\nphases:\n  - name: build\n    steps: []\n",  # plainly valid: the fast path
        "schemaVersion: 1.0\nphases:\n  - name: build\n    steps: !Sub x\n",  # a tag the safe loader refuses
        "schemaVersion: 1.0\nphases: [a]\nphases: []\n",  # a duplicate: the last one counts
        "schemaVersion: 1.0\n1: x\nphases: [a]\n",  # a key that is not a string
        "? [a]\n: b\nschemaVersion: 1\nphases: [a]\n",  # a key that is a list
        "<<: {schemaVersion: 1}\nphases: [a]\n",  # a merge key
        "schemaVersion: 1.0\nphases: [{name: 'hi!'}]\n",  # a "!" that is no tag
    ],
)
def test_the_fast_path_and_the_full_load_agree(document: str) -> None:
    """A plainly valid document skips building the YAML; anything else is judged by the full load."""
    from secure_imagebuilder.core import documents as docs
    from secure_imagebuilder.core.validation import ValidationProblems

    def judged() -> str:
        problems = ValidationProblems(make_stack())
        docs.load_document(problems, data=document, path=None, uri=None, required_sections=("phases",))
        try:
            problems.raise_if_any()
        except ValueError as error:
            return str(error)
        return ""

    fast = judged()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(docs, "_plainly_valid", lambda text, sections: False)
        assert judged() == fast
