"""Whatever a user passes as names, versions, URIs and documents, the library either synthesizes or raises
our error (a ValueError naming the construct path): never another exception (issue 9).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_app, make_stack
from secure_imagebuilder import EncryptedComponent, EncryptedWorkflow, ImageBuilderKey, Platform

TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["hello", "1.0.0", "1.0.0\n", "a b", "x" * 200, "arn:aws:kms:x", "s3://b/k", ""]),
    st.integers(),
    st.none(),
)
DOCUMENT = st.one_of(
    st.text(max_size=200),
    st.dictionaries(
        st.one_of(st.text(max_size=10), st.integers()),
        st.one_of(st.text(max_size=10), st.lists(st.text(max_size=5), max_size=3)),
        max_size=4,
    ),
    st.sampled_from(
        [
            "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: a, action: ExecuteBash}]}]\n",
            "a: &a [1]\nb: *a\n",
            "[]",
            "{",
        ]
    ),
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _our_error_or_success(build: Any) -> None:
    try:
        build()
    except ValueError as error:
        assert str(error).startswith("TestStack/"), str(error)[:200]


@SETTINGS
@given(name=TEXT, version=TEXT, data=DOCUMENT)
def test_components_synthesize_or_raise_our_error(name: Any, version: Any, data: Any) -> None:
    app = make_app()
    stack = make_stack(app)
    key = ImageBuilderKey(stack, "Key")
    _our_error_or_success(
        lambda: EncryptedComponent(
            stack, "C", key=key, name=name, version=version, platform=Platform.LINUX, data=data
        )
    )


@SETTINGS
@given(name=TEXT, uri=TEXT, workflow_type=st.sampled_from(["BUILD", "TEST", "DISTRIBUTION", "build", ""]))
def test_workflows_from_uris_synthesize_or_raise_our_error(name: Any, uri: Any, workflow_type: str) -> None:
    stack = make_stack()
    key = ImageBuilderKey(stack, "Key")
    _our_error_or_success(
        lambda: EncryptedWorkflow(
            stack, "W", key=key, name=name, version="1.0.0", workflow_type=workflow_type, uri=uri
        )
    )
