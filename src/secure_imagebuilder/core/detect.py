"""The one detector: sensitive data (R8), credentials in URLs (R9), secrets and private keys (R19).

Used by the constructs' synth-time checks and by the rules (tests/core/test_one_detector.py runs one
table against both). Pure Python, and linear in the length of the text: every pattern either starts at
a fixed marker (``@``, ``://``, ``arn:``) found with ``str.find`` or has bounded repetitions, so a 1 MB
property is scanned in well under a second (``make bench`` measures it).

The same text is judged once (``_once``) until ``forget()``, which each pack run calls: templates repeat
text (tags the CDK puts on every resource, a document shared by components, the same ARN in many
policies). The answers are tuples, so no caller can change what the next one is told. The memoized names
wrap plain functions (``_secret_kinds``), which a mutation run can still change.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import TypeVar

_T = TypeVar("_T")
_CLEARS: list[Callable[[], None]] = []  # each memo's cache_clear, for forget()


def _once(detector: Callable[[str], _T]) -> Callable[[str], _T]:
    """``detector`` memoized on its text until ``forget``.

    Bounded, so a template of many distinct large texts does not hold them all.
    """
    memo = functools.lru_cache(maxsize=1024)(detector)
    _CLEARS.append(memo.cache_clear)
    return memo


# An e-mail address: local part (RFC 5321: at most 64 characters) @ a domain with a top-level label.
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_AT_DOMAIN = re.compile(r"@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z])")
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
_BASE64_RUN = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]+")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,31}\Z")
_URL_REST = re.compile(r"[^\s\"'<>`]+")
# Not secrets, whatever their shape: ARNs (managed policy names), URLs (ECR image URIs), parameter paths.
_NOT_SECRET = re.compile(
    r"arn:[^\s\"',;]{1,2048}|[A-Za-z][A-Za-z0-9+.-]{0,31}://[^\s\"'<>`]{1,4096}|(?<![^\s\"'=:(])/[A-Za-z0-9_./+-]{1,2048}"
)
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


def _secret_kinds(text: str) -> tuple[str, ...]:
    """Kinds of secret material in ``text``: ``private-key``, ``secret-access-key``."""
    kinds = []
    if PRIVATE_KEY.search(text):
        kinds.append("private-key")
    if _SECRET_ASSIGNED.search(text) or any(_looks_like_secret_key(c) for c in _secret_candidates(text)):
        kinds.append("secret-access-key")
    return tuple(kinds)


def _secret_candidates(text: str) -> Iterator[str]:
    """Maximal runs of exactly 40 base64 characters, outside ARNs, URLs and parameter paths."""
    if "arn:" in text or "/" in text:
        text = _NOT_SECRET.sub(" ", text)
    for run in _BASE64_RUN.finditer(text):
        if run.end() - run.start() == 40 and not text.startswith("=", run.end()):
            yield run.group(0)


def _looks_like_secret_key(candidate: str) -> bool:
    return (
        any(c.isupper() for c in candidate)
        and any(c.islower() for c in candidate)
        and any(c.isdigit() for c in candidate)
        and _entropy(candidate) > 4.3
    )


def _sensitive_kinds(text: str) -> tuple[str, ...]:
    """Kinds of sensitive data in free-form ``text``: e-mail, account number, access key id, secret."""
    kinds = []
    if _has_email(text):
        kinds.append("email")
    without_ids = _ARN.sub(" ", text) if "arn:" in text else text
    if "-" in without_ids:
        without_ids = _UUID.sub(" ", without_ids)
    if ACCOUNT.search(without_ids):
        kinds.append("account-id")
    if ACCESS_KEY_ID.search(text):
        kinds.append("access-key-id")
    kinds.extend(secret_kinds(text))
    return tuple(kinds)


def _has_email(text: str) -> bool:
    """An ``@domain.tld`` (matched from the ``@``) preceded by a local-part character."""
    return any(at.start() > 0 and text[at.start() - 1] in _LOCAL_CHARS for at in _AT_DOMAIN.finditer(text))


def urls(text: str) -> Iterator[str]:
    """URL-like substrings (``scheme://...``) of ``text``, found from each ``://`` (linear time)."""
    marker = text.find("://")
    while marker != -1:
        scheme = _SCHEME.search(text, max(0, marker - 32), marker)
        rest = _URL_REST.match(text, marker + 3) if scheme else None
        if scheme and rest:
            yield text[scheme.start() : rest.end()]
            marker = text.find("://", rest.end())  # URLs do not overlap: go on after this one
        else:
            marker = text.find("://", marker + 3)


def _url_credential_kinds(text: str) -> tuple[str, ...]:
    """Kinds of credentials carried by URLs in ``text``: ``userinfo``, ``signed-query``."""
    kinds = []
    for url in urls(text):
        userinfo = _USERINFO.match(url)
        if userinfo and (":" in userinfo.group(1) or len(userinfo.group(1)) >= 20):
            kinds.append("userinfo")
        if _SIGNED_QUERY.search(url):
            kinds.append("signed-query")
    return tuple(sorted(set(kinds)))


def _has_auth_header(text: str) -> bool:
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


# --- Document content: downloads and TLS in component and workflow documents (R3, R9) ---------------

# Plain HTTP to these hosts never leaves the instance: instance metadata (IPv4, IPv6), the ECS task
# metadata endpoint, the loopback interface.
_LOCAL_HOSTS = frozenset(
    {"169.254.169.254", "[fd00:ec2::254]", "169.254.170.2", "localhost", "127.0.0.1", "[::1]"}
)
_HOST = re.compile(r"[a-z][a-z0-9+.-]{0,31}://(?:[^/?#@\s]{0,256}@)?(\[[0-9a-f:]{2,39}\]|[^/?#:\s]{1,253})")
_INSECURE_FLAGS = re.compile(
    r"(?i)(?:--insecure\b|--no-check-certificate\b|-SkipCertificateCheck\b|ServerCertificateValidationCallback"
    r"|http\.sslVerify[\s=]{1,3}false\b|NODE_TLS_REJECT_UNAUTHORIZED[\s=]{1,3}[\"']?0\b)"
)
_CURL_SHORT_K = re.compile(r"(?:^|\s)-[A-Za-z]{0,8}k[A-Za-z]{0,8}(?=\s|$)")
_OLD_TLS = re.compile(
    r"(?i)(?:SecurityProtocol(?:Type\]::|[\s=\"'$]{1,6}(?:\[[\w.]{1,60}\]::)?)(?:Ssl3|Tls11|Tls)(?![0-9])"
    r"|--tlsv1(?:\.[01])?(?![0-9.])|--tls-max[\s=]{1,3}1\.[01]\b)"
)


def _plain_http_urls(text: str) -> tuple[str, ...]:
    """``http://`` URLs in ``text`` that leave the instance (metadata and loopback endpoints excluded)."""
    found = []
    for url in urls(text):
        if url[:7].lower() != "http://":
            continue
        host = _HOST.match(url.lower())
        if host is None or host.group(1) not in _LOCAL_HOSTS:
            found.append(url)
    return tuple(found)


def _disables_certificate_checks(text: str) -> bool:
    """Whether ``text`` turns TLS certificate verification off (curl -k, wget, PowerShell, git, Node)."""
    if _INSECURE_FLAGS.search(text):
        return True
    return any("curl" in line and _CURL_SHORT_K.search(line) for line in text.splitlines())


def _forces_old_tls(text: str) -> bool:
    """Whether ``text`` forces a protocol below TLS 1.2 (.NET SecurityProtocol, curl --tlsv1.0/1.1)."""
    return _OLD_TLS.search(text) is not None


# --- Memoized: the names the rules and the constructs call ----------------------------------------------

secret_kinds = _once(_secret_kinds)
sensitive_kinds = _once(_sensitive_kinds)
url_credential_kinds = _once(_url_credential_kinds)
plain_http_urls = _once(_plain_http_urls)
has_auth_header = _once(_has_auth_header)
disables_certificate_checks = _once(_disables_certificate_checks)
forces_old_tls = _once(_forces_old_tls)


def forget() -> None:
    """Empty the memo (a pack run starts without one, so a run sees only its own text)."""
    for clear in _CLEARS:
        clear()
