"""Each branch of the one detector (``core.detect``), by a value just inside and just outside it.

tests/core/test_one_detector.py checks that the constructs and SD1 agree; this table pins what the
detector itself finds, so that a changed pattern, bound or branch (``make mutation``) fails a test.
"""

from __future__ import annotations

import pytest

from secure_imagebuilder.core import detect

# A bare secret access key's shape: 40 base64 characters with upper, lower and digits, high entropy.
KEY = "Xy7Kq2Lm9Pz4Rt8Vw3Nb6Hc1Jd5Fg0Sa2Qe4Tu7Y"
AWS_EXAMPLE_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        (PEM, ["private-key"]),
        ("-----BEGIN PRIVATE KEY-----", ["private-key"]),
        ("-----BEGIN ENCRYPTED PRIVATE KEY-----", ["private-key"]),
        ("-----BEGIN CERTIFICATE-----", []),
        ("-----BEGIN PUBLIC KEY-----", []),
        (f"aws_secret_access_key = {AWS_EXAMPLE_KEY}", ["secret-access-key"]),
        (f'"SecretAccessKey": "{AWS_EXAMPLE_KEY}"', ["secret-access-key"]),
        (f"AWS_SECRET_KEY={KEY}", ["secret-access-key"]),
        (f"aws_secret_access_key = {KEY}x", []),  # 41 characters: not a key
        # The bare key: exactly 40 characters, upper, lower and digits, entropy over 4.3 bits.
        (KEY, ["secret-access-key"]),
        (AWS_EXAMPLE_KEY, ["secret-access-key"]),
        (f"export KEY {KEY} now", ["secret-access-key"]),
        (KEY[:39], []),
        (KEY + "Z", []),
        (KEY.lower(), []),
        (KEY.upper(), []),
        ("".join(c for c in KEY if not c.isdigit()).ljust(40, "x"), []),
        ("Aa1" + "b" * 37, []),  # the three kinds of character, and almost no entropy
        ("ABCDEFGabcdefg123456" * 2, ["secret-access-key"]),  # 20 symbols, evenly: 4.32 bits
        (("ABCDEabcde123456" * 3)[:40], []),  # 16 symbols: 3.97 bits
        (KEY + "=", []),  # followed by '=': base64 padding of a longer value, not a key
        (f"arn:aws:iam::aws:policy/{KEY}", []),
        (f"https://example.com/{KEY}", []),
        (f"/images/{KEY}", []),
        (f"{PEM}\naws_secret_access_key={AWS_EXAMPLE_KEY}", ["private-key", "secret-access-key"]),
    ],
)
def test_secret_kinds(text: str, kinds: list[str]) -> None:
    assert detect.secret_kinds(text) == tuple(kinds)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("owner: jane.doe@example.com", ["email"]),
        ("j@example.co.uk", ["email"]),
        ("@example.com", []),  # no local part
        ("x @example.com", []),
        ("jane@localhost", []),  # no top-level label
        ("jane@example.c", []),  # a one-letter top-level label
        ("account 123456789012", ["account-id"]),
        ("1234-5678-9012", ["account-id"]),
        ("1234567890123", []),  # 13 digits
        ("12345678901", []),  # 11 digits
        ("1234-5678-90123", []),
        ("arn:aws:iam::123456789012:role/Builder", []),
        ("run 9b2f4c1e-8d7a-4f3b-9c2d-123456789012", []),
        ("key AKIAIOSFODNN7EXAMPLE", ["access-key-id"]),
        ("ASIAIOSFODNN7EXAMPLE", ["access-key-id"]),
        ("AKIAIOSFODNN7EXAMPLEX", []),  # 21 characters
        ("XAKIAIOSFODNN7EXAMPLE", []),
        (f"by jane@example.com in 123456789012 with {KEY}", ["email", "account-id", "secret-access-key"]),
    ],
)
def test_sensitive_kinds(text: str, kinds: list[str]) -> None:
    assert detect.sensitive_kinds(text) == tuple(kinds)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "get https://example.com/a and http://b.example/c.",
            ["https://example.com/a", "http://b.example/c."],
        ),
        ('url="s3://bucket/key"', ["s3://bucket/key"]),
        ("no url :// here", []),
        ("://example.com", []),
        ("9http://x", ["http://x"]),  # a scheme starts with a letter: the URL starts there
    ],
)
def test_urls(text: str, found: list[str]) -> None:
    assert list(detect.urls(text)) == found


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("https://user:pass@example.com/x", ["userinfo"]),
        ("https://" + "t" * 20 + "@example.com", ["userinfo"]),  # a token as the user name
        ("https://" + "t" * 19 + "@example.com", []),
        ("git@github.com:org/repo.git", []),
        ("https://bucket.s3.amazonaws.com/k?X-Amz-Signature=abc", ["signed-query"]),
        ("https://example.com/?a=1&token=abc", ["signed-query"]),
        ("https://example.com/?tokens=abc", []),
        ("https://u:p@example.com/?sig=1", ["signed-query", "userinfo"]),
    ],
)
def test_url_credential_kinds(text: str, kinds: list[str]) -> None:
    assert detect.url_credential_kinds(text) == tuple(kinds)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("curl -H 'Authorization: Bearer abcdef123'", True),
        ("Authorization: Basic dXNlcjpwYXNz", True),
        ("authorization: token ghp_abcdefgh", True),
        ("Authorization: Bearer {{ token }}", False),
        ("Authorization: Bearer $TOKEN", False),
        ("Authorization: Bearer abc", False),  # too short for a credential
        ("curl -u admin:secret https://x", True),
        ("curl --user=admin:secret https://x", True),
        ("curl -u $USER:$PASS https://x", False),
        ("mysql --password=hunter2", True),
        ("wget --http-password hunter2", True),
        ("--password $PASSWORD", False),
        ("echo authorization", False),
    ],
)
def test_auth_headers(text: str, found: bool) -> None:
    assert detect.has_auth_header(text) is found


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("https://s3.us-west-2.amazonaws.com/b/k", "s3.us-west-2.amazonaws.com"),
        ("kms.us-east-1.amazonaws.com", "kms.us-east-1.amazonaws.com"),
        ("https://ec2.cn-north-1.amazonaws.com.cn?x=1", "ec2.cn-north-1.amazonaws.com.cn"),
        ("https://user@sts.amazonaws.com:443#frag", "sts.amazonaws.com"),
        ("https://kms.TOKEN.amazonaws.com/", "kms.TOKEN.amazonaws.com"),
        ("https://example.com/amazonaws.com", None),
        ("https://amazonaws.com", None),
        ("https://kms.us-east-1.amazonaws.com.evil.example", None),
        ("https://kms_x.amazonaws.com", None),
    ],
)
def test_aws_host(text: str, host: str | None) -> None:
    assert detect.aws_host(text) == host


@pytest.mark.parametrize(
    ("host", "fips"),
    [
        ("kms-fips.us-east-1.amazonaws.com", True),
        ("fips.s3.amazonaws.com", True),
        ("s3-fips.dualstack.us-east-1.amazonaws.com", True),
        ("KMS-FIPS.us-east-1.amazonaws.com", True),
        ("kms.us-east-1.amazonaws.com", False),
        ("fipsx.us-east-1.amazonaws.com", False),
        ("kms-fipsy.us-east-1.amazonaws.com", False),
    ],
)
def test_fips_hosts(host: str, fips: bool) -> None:
    assert detect.is_fips_host(host) is fips


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("curl http://example.com/x", ["http://example.com/x"]),
        ("curl HTTP://Example.com/x", ["HTTP://Example.com/x"]),
        ("curl https://example.com/x", []),
        ("curl http://169.254.169.254/latest/meta-data", []),
        ("curl http://[fd00:ec2::254]/latest", []),
        ("curl http://169.254.170.2/v2", []),
        ("curl http://localhost:8080/", []),
        ("curl http://127.0.0.1/", []),
        ("curl http://user@169.254.169.254/", []),
        ("curl http://169.254.169.254.evil.example/", ["http://169.254.169.254.evil.example/"]),
    ],
)
def test_plain_http_urls(text: str, found: list[str]) -> None:
    assert detect.plain_http_urls(text) == tuple(found)


@pytest.mark.parametrize(
    ("text", "disabled"),
    [
        ("curl -k https://x", True),
        ("curl -sSLk https://x", True),
        ("curl --insecure https://x", True),
        ("wget --no-check-certificate https://x", True),
        ("Invoke-WebRequest -SkipCertificateCheck https://x", True),
        ("git config http.sslVerify false", True),
        ("NODE_TLS_REJECT_UNAUTHORIZED=0 node app.js", True),
        ("NODE_TLS_REJECT_UNAUTHORIZED=1 node app.js", False),
        ("curl -sSL https://x", False),
        ("tar -k -xf a.tar", False),  # -k of another command
        ("curl https://x/-k", False),
    ],
)
def test_certificate_checks(text: str, disabled: bool) -> None:
    assert detect.disables_certificate_checks(text) is disabled


@pytest.mark.parametrize(
    ("text", "old"),
    [
        ("[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls", True),
        ("[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls11", True),
        ("[Net.ServicePointManager]::SecurityProtocol = 'Ssl3'", True),
        ("[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12", False),
        ("curl --tlsv1.0 https://x", True),
        ("curl --tlsv1.1 https://x", True),
        ("curl --tlsv1 https://x", True),
        ("curl --tlsv1.2 https://x", False),
        ("curl --tls-max 1.1 https://x", True),
        ("curl --tls-max 1.3 https://x", False),
    ],
)
def test_old_tls(text: str, old: bool) -> None:
    assert detect.forces_old_tls(text) is old
