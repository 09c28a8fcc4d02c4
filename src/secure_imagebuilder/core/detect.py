"""Text detectors shared by several rules: sensitive data (R8), credentials in URLs (R9), secrets (R19).

All pure regular expressions over rendered text (see ``_values.strings``); no jsii calls.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ARN = re.compile(r"arn:[^\s\"',;]+")
ACCOUNT = re.compile(r"(?<!\d)\d{12}(?!\d)|(?<![\d-])\d{4}-\d{4}-\d{4}(?![\d-])")
# UUIDs end in twelve hex digits that are often all decimal: removed before looking for account numbers.
_UUID = re.compile(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])")
PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
_SECRET_ASSIGNED = re.compile(
    r"(?i)(?:aws_?secret_?access_?key|secret_?access_?key|aws_?secret_?key)[\"']?\s*[:=]\s*[\"']?"
    r"[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"
)
_SECRET_SHAPE = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>`]+")
_USERINFO = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://([^/\s@?#]+)@")
_SIGNED_QUERY = re.compile(
    r"(?i)[?&;](?:x-amz-credential|x-amz-signature|x-amz-security-token|signature|sig|token|"
    r"access_token|awsaccesskeyid|password|passwd|api_key|apikey)="
)
_AUTH_HEADER = re.compile(
    r"(?i)(?:authorization\s*:\s*(?:basic|bearer|token)\s+(?!\{\{|\$)[A-Za-z0-9+/=._~-]{6,}"
    r"|(?:\s|^)(?:-u|--user)[\s=]+[\"']?(?!\{\{|\$)[^\s:\"']+:(?!\{\{|\$)[^\s\"']+"
    r"|--(?:http-)?password[\s=]+[\"']?(?!\{\{|\$)[^\s\"']+)"
)
_AWS_HOST = re.compile(r"(?i)^(?:[a-z0-9-]+|TOKEN)(?:\.(?:[a-z0-9-]+|TOKEN))*\.amazonaws\.com(?:\.cn)?$")


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def secret_kinds(text: str) -> list[str]:
    """Kinds of secret material in ``text``: ``private-key``, ``secret-access-key``."""
    kinds = []
    if PRIVATE_KEY.search(text):
        kinds.append("private-key")
    if _SECRET_ASSIGNED.search(text) or any(
        _looks_like_secret_key(m.group(0)) for m in _SECRET_SHAPE.finditer(text)
    ):
        kinds.append("secret-access-key")
    return kinds


def _looks_like_secret_key(candidate: str) -> bool:
    return (
        any(c.isupper() for c in candidate)
        and any(c.islower() for c in candidate)
        and any(c.isdigit() for c in candidate)
        and _entropy(candidate) > 4.3
    )


def sensitive_kinds(text: str) -> list[str]:
    """Kinds of sensitive data in free-form ``text``: e-mail, account number, access key id, secret."""
    kinds = []
    if EMAIL.search(text):
        kinds.append("email")
    if ACCOUNT.search(_UUID.sub(" ", _ARN.sub(" ", text))):
        kinds.append("account-id")
    if ACCESS_KEY_ID.search(text):
        kinds.append("access-key-id")
    kinds.extend(secret_kinds(text))
    return kinds


def urls(text: str) -> Iterator[str]:
    """URL-like substrings (``scheme://...``) of ``text``."""
    for match in _URL.finditer(text):
        yield match.group(0)


def url_credential_kinds(text: str) -> list[str]:
    """Kinds of credentials carried by URLs in ``text``: ``userinfo``, ``signed-query``."""
    kinds = []
    for url in urls(text):
        userinfo = _USERINFO.match(url)
        if userinfo and (":" in userinfo.group(1) or len(userinfo.group(1)) >= 20):
            kinds.append("userinfo")
        if _SIGNED_QUERY.search(url):
            kinds.append("signed-query")
    return sorted(set(kinds))


def has_auth_header(text: str) -> bool:
    """Whether a document embeds a basic/bearer authorization header or a ``--user``/``--password``."""
    return _AUTH_HEADER.search(text) is not None


def aws_host(text: str) -> str | None:
    """The host of a URL (or a bare host name) if it is an AWS endpoint, else ``None``."""
    host = text.split("://", 1)[1] if "://" in text else text
    host = re.split(r"[/?#]", host, maxsplit=1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
    return host if _AWS_HOST.match(host) else None


def is_fips_host(host: str) -> bool:
    """Whether an AWS endpoint host is a FIPS endpoint (``<service>-fips.`` or ``fips.`` labels)."""
    return any(label.endswith("-fips") or label == "fips" for label in host.lower().split("."))
