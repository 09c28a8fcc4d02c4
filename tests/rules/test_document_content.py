"""DOC1-DOC3: what a component or workflow document does with TLS, on documents as people write them."""

from __future__ import annotations

import pytest

from secure_imagebuilder.rules.engine import assembly, run


def fired(data: str, resource_type: str = "AWS::ImageBuilder::Component") -> set[str]:
    props = {"Name": "c", "Version": "1.0.0", "Platform": "Linux", "Data": data, "KmsKeyId": "arn:aws:kms:x"}
    stack = assembly.stack_from_template(
        {"Resources": {"C": {"Type": resource_type, "Properties": props}}}, path="S"
    )
    return {
        f.rule_id.removeprefix("DataProtection-")
        for f in run.evaluate([stack])
        if f.rule.id.startswith("DOC")
    }


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("curl -fsSL http://downloads.example.com/agent.rpm -o agent.rpm", {"DOC1[Data]"}),
        ("Invoke-WebRequest -Uri http://example.com/setup.exe -OutFile setup.exe", {"DOC1[Data]"}),
        ("wget HTTP://Example.COM/x.tgz", {"DOC1[Data]"}),
        (
            "TOKEN=$(curl -X PUT http://169.254.169.254/latest/api/token -H 'X-ttl: 6')",
            set(),
        ),
        ("curl http://[fd00:ec2::254]/latest/meta-data/", set()),
        ("curl -s http://localhost:8080/health && curl http://127.0.0.1/ready", set()),
        ("curl -fsSL https://downloads.example.com/agent.rpm -o agent.rpm", set()),
        ("aws s3 cp s3://bucket/agent.rpm .", set()),
    ],
)
def test_doc1_plain_http_downloads(command: str, expected: set[str]) -> None:
    assert (
        fired(f"phases:\n  - name: build\n    steps:\n      - inputs:\n          commands: ['{command}']\n")
        == expected
    )


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("curl -k https://internal.example.com/pkg", {"DOC2[Data]"}),
        ("curl -fsSLk https://internal.example.com/pkg", {"DOC2[Data]"}),
        ("curl --insecure https://internal.example.com/pkg", {"DOC2[Data]"}),
        ("wget --no-check-certificate https://internal.example.com/pkg", {"DOC2[Data]"}),
        ("Invoke-RestMethod -Uri https://internal.example.com -SkipCertificateCheck", {"DOC2[Data]"}),
        ("[System.Net.ServicePointManager]::ServerCertificateValidationCallback = {$true}", {"DOC2[Data]"}),
        ("git config --global http.sslVerify false", {"DOC2[Data]"}),
        ("export NODE_TLS_REJECT_UNAUTHORIZED=0", {"DOC2[Data]"}),
        ("curl -fsSL https://example.com/pkg -o pkg", set()),
        ("tar -xkf archive.tar", set()),  # -k of another tool
        ("curl --cacert /etc/pki/internal-ca.pem https://internal.example.com/pkg", set()),
    ],
)
def test_doc2_certificate_checks(command: str, expected: set[str]) -> None:
    assert fired(f"commands:\n  - {command}\n") == expected


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls", {"DOC3[Data]"}),
        ("[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls11", {"DOC3[Data]"}),
        ("[System.Net.ServicePointManager]::SecurityProtocol = 'Ssl3'", {"DOC3[Data]"}),
        ("curl --tlsv1.0 https://example.com", {"DOC3[Data]"}),
        ("curl --tls-max 1.1 https://example.com", {"DOC3[Data]"}),
        ("[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12", set()),
        ("[Net.ServicePointManager]::SecurityProtocol = 'Tls12, Tls13'", set()),
        ("curl --tlsv1.2 https://example.com", set()),
    ],
)
def test_doc3_old_tls(command: str, expected: set[str]) -> None:
    assert fired(f"commands:\n  - {command}\n") == expected


def test_workflows_and_container_recipes_are_read_too() -> None:
    assert fired("curl -k https://x.example.com", "AWS::ImageBuilder::Workflow") == {"DOC2[Data]"}


def test_a_one_megabyte_document_is_read() -> None:
    assert fired("echo hello\n" * 100_000 + "curl http://example.com/x\n") == {"DOC1[Data]"}
