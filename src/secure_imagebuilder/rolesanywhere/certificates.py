"""PEM, X.509 and CRL checks for IAM Roles Anywhere inputs, done with ``cryptography`` at synth time.

Everything here reads public material (CA certificates, CRLs) and refuses private keys (R19): a finding
describes *what kind* of key was seen and where, never its content, so no error message, log or template
ever carries key material. The values that go into the template are re-serialized from the parsed objects,
so comments, stray blocks or whitespace in the user's file never reach it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

# Limits of the service (IAM Roles Anywhere API: SourceData.x509CertificateData max 8000 characters,
# ImportCrl crlData max 300000 bytes).
MAX_BUNDLE_CHARS = 8000
MAX_CRL_BYTES = 300_000

_BEGIN = "-----BEGIN "
_END = "-----END "
_DASHES = "-----"
CERTIFICATE_LABEL = "CERTIFICATE"
CRL_LABEL = "X509 CRL"

# Key formats that ``cryptography`` cannot parse but that must never be accepted either; matched as
# markers (the same ones the pre-commit ``detect-private-key`` hook looks for).
_OTHER_KEY_MARKERS = {
    "PuTTY-User-Key-File-": "a PuTTY private key",
    "OpenVPN Static key": "an OpenVPN static key",
}

KEEP_KEYS_OUT = (
    "keep private keys out of the app and out of source control (R19): pass only the public ca "
    "certificate(s); the private key stays on the host that signs with it, readable only by its owner. "
    "if this file was ever committed or shared, treat the key as disclosed: revoke it and issue a new one"
)


@dataclass(frozen=True)
class PemBlock:
    """One ``-----BEGIN <label>-----`` block; ``text`` holds it whole (or to the end if unterminated)."""

    label: str
    text: bytes
    terminated: bool


@dataclass(frozen=True)
class Finding:
    """One problem with an input: what is wrong and how to fix it (no key material, ever)."""

    what: str
    fix: str


def pem_blocks(data: bytes) -> list[PemBlock]:
    """Split ``data`` into PEM blocks by their armour lines; text outside blocks is ignored."""
    lines = data.decode("utf-8", errors="replace").splitlines()
    blocks: list[PemBlock] = []
    label: str | None = None
    body: list[str] = []
    for raw in lines:
        # A byte-order mark or zero-width space (editors add them) must not hide an armour line.
        line = raw.strip().strip("\ufeff\u200b").strip()
        if line.startswith(_BEGIN) and line.endswith(_DASHES):
            if label is not None:  # a BEGIN inside an open block: keep the unterminated one
                blocks.append(PemBlock(label, "\n".join(body).encode(), terminated=False))
            label = line[len(_BEGIN) : -len(_DASHES)].strip()
            body = [line]
        elif label is not None:
            body.append(line)
            if line.startswith(_END) and line.endswith(_DASHES):
                blocks.append(PemBlock(label, ("\n".join(body) + "\n").encode(), terminated=True))
                label = None
                body = []
    if label is not None:
        blocks.append(PemBlock(label, "\n".join(body).encode(), terminated=False))
    return blocks


def _describe_pem_key(block: PemBlock) -> str:
    """Name the kind of a PEM private-key block, parsing it with ``cryptography`` where possible."""
    key: object
    try:
        if block.label == "OPENSSH PRIVATE KEY":
            key = serialization.load_ssh_private_key(block.text, password=None)
        else:
            key = serialization.load_pem_private_key(block.text, password=None)
    except TypeError:  # the key is encrypted; refused all the same
        return f"an encrypted private key ('{block.label}' block)"
    except (ValueError, UnsupportedAlgorithm):
        return f"a private key block ('{block.label}')"
    kind = _key_kind(key)
    return f"an unencrypted {kind + ' ' if kind else ''}private key ('{block.label}' block)"


def _key_kind(key: object) -> str:
    """Name the algorithm of a parsed private key (for messages)."""
    kinds = {
        rsa.RSAPrivateKey: "rsa",
        ec.EllipticCurvePrivateKey: "ec",
        ed25519.Ed25519PrivateKey: "ed25519",
        ed448.Ed448PrivateKey: "ed448",
        dsa.DSAPrivateKey: "dsa",
    }
    return next((name for cls, name in kinds.items() if isinstance(key, cls)), "")


def private_key_findings(data: bytes) -> list[str]:
    """Describe every private key in ``data``: PEM, OpenSSH, DER (PKCS#8/PKCS#1/SEC1) or known markers.

    Any block whose label contains ``PRIVATE KEY`` counts, parseable or not, encrypted or not.
    """
    found = [_describe_pem_key(block) for block in pem_blocks(data) if "PRIVATE KEY" in block.label.upper()]
    text = data.decode("utf-8", errors="replace")
    found += [kind for marker, kind in _OTHER_KEY_MARKERS.items() if marker in text]
    if not found and _BEGIN not in text:
        try:
            serialization.load_der_private_key(data, password=None)
            found.append("a der-encoded private key")
        except TypeError:
            found.append("an encrypted der-encoded private key")
        except (ValueError, UnsupportedAlgorithm):
            pass
    return found


def summarize(data: bytes) -> str:
    """Describe PEM text by its block labels only, safe to show in an error message."""
    labels = [block.label for block in pem_blocks(data)]
    if not labels:
        return f"<{len(data)} bytes, no pem blocks>"
    return f"<pem text with {len(labels)} block(s): {', '.join(labels)}>"


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _check_ca(index: int, cert: x509.Certificate, now: datetime.datetime) -> list[Finding]:
    """Check one parsed certificate is a currently valid CA certificate."""
    name = f"certificate {index} ({cert.subject.rfc4514_string()})"
    problems: list[Finding] = []
    if cert.not_valid_after_utc <= now:
        problems.append(
            Finding(
                f"{name} expired on {cert.not_valid_after_utc:%Y-%m-%d}",
                "renew the ca certificate and pass the new one",
            )
        )
    if cert.not_valid_before_utc > now:
        problems.append(
            Finding(
                f"{name} is not valid before {cert.not_valid_before_utc:%Y-%m-%d %H:%M} utc",
                "check the ca certificate's validity period and the clock of the machine that made it",
            )
        )
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        problems.append(
            Finding(
                f"{name} is not a ca certificate (basic constraints ca=true is not set)",
                "pass the ca certificate that issues your hosts' certificates, not an end-entity certificate",
            )
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and not usage.key_cert_sign:
        problems.append(
            Finding(
                f"{name} has a key usage extension without keyCertSign",
                "pass a ca certificate whose key usage allows signing certificates",
            )
        )
    return problems


def _no_pem_finding(data: bytes, expected: str, der_loader_ok: bool) -> Finding:
    if not data.strip():
        return Finding("is empty", f"pass a file with one or more '{expected}' pem blocks")
    if der_loader_ok:
        return Finding(
            "is der-encoded, not pem",
            "convert it to pem (openssl x509 -inform der -in ca.der -out ca.pem) and pass the pem file",
        )
    return Finding(
        f"contains no '{expected}' pem block",
        f"pass pem text or a pathlib.Path to a pem file with '-----BEGIN {expected}-----' blocks",
    )


@dataclass(frozen=True)
class LoadedBundle:
    """The certificates of a bundle and their PEM serialization (what goes into the template)."""

    certificates: list[x509.Certificate]
    pem: str


def load_ca_bundle(
    data: bytes, *, now: datetime.datetime | None = None
) -> tuple[LoadedBundle | None, list[Finding]]:
    """Parse a PEM bundle of CA certificates; return them (if any parsed) and the problems found.

    Refuses private keys, blocks other than ``CERTIFICATE``, unparseable, expired or not-yet-valid
    certificates and certificates without the CA basic constraint.
    """
    keys = private_key_findings(data)
    if keys:
        return None, [Finding(f"contains {', '.join(keys)}", KEEP_KEYS_OUT)]
    now = now or _utcnow()
    blocks = pem_blocks(data)
    if not blocks:
        try:
            x509.load_der_x509_certificate(data)
            is_der = True
        except ValueError:
            is_der = False
        return None, [_no_pem_finding(data, CERTIFICATE_LABEL, is_der)]
    problems: list[Finding] = []
    certs: list[x509.Certificate] = []
    for index, block in enumerate(blocks, start=1):
        if block.label != CERTIFICATE_LABEL:
            problems.append(
                Finding(
                    f"block {index} is a '{block.label}' block",
                    f"pass only '{CERTIFICATE_LABEL}' blocks (the public ca certificates)",
                )
            )
            continue
        try:
            cert = x509.load_pem_x509_certificate(block.text)
        except ValueError:
            problems.append(
                Finding(
                    f"block {index} does not parse as an x.509 certificate",
                    "re-export the ca certificate in pem format",
                )
            )
            continue
        certs.append(cert)
        problems += _check_ca(index, cert, now)
    pem = "".join(cert.public_bytes(serialization.Encoding.PEM).decode() for cert in certs)
    if len(pem) > MAX_BUNDLE_CHARS:
        problems.append(
            Finding(
                f"is {len(pem)} characters of pem, over the service limit of {MAX_BUNDLE_CHARS}",
                "pass fewer certificates (the root and the issuing intermediate are enough)",
            )
        )
    return (LoadedBundle(certs, pem) if certs else None), problems


@dataclass(frozen=True)
class LoadedCrl:
    """A parsed CRL and its PEM serialization (what the service imports)."""

    crl: x509.CertificateRevocationList
    pem: str


def load_crl(
    data: bytes, *, issuers: list[x509.Certificate] | None = None
) -> tuple[LoadedCrl | None, list[Finding]]:
    """Parse a PEM or DER CRL; if ``issuers`` is given, check one of them signed it."""
    keys = private_key_findings(data)
    if keys:
        return None, [Finding(f"contains {', '.join(keys)}", KEEP_KEYS_OUT)]
    if not data.strip():
        return None, [_no_pem_finding(data, CRL_LABEL, der_loader_ok=False)]
    blocks = pem_blocks(data)
    try:
        if blocks:
            crl_blocks = [block for block in blocks if block.label == CRL_LABEL]
            if len(crl_blocks) != 1 or len(blocks) != 1:
                labels = ", ".join(block.label for block in blocks)
                return None, [
                    Finding(
                        f"has pem blocks [{labels}], expected exactly one '{CRL_LABEL}' block",
                        "pass one crl per file",
                    )
                ]
            crl = x509.load_pem_x509_crl(crl_blocks[0].text)
        else:
            crl = x509.load_der_x509_crl(data)
    except ValueError:
        return None, [
            Finding(
                "does not parse as an x.509 crl",
                "pass the crl your ca publishes (pem or der), e.g. from openssl ca -gencrl",
            )
        ]
    problems: list[Finding] = []
    if issuers is not None:
        signer = next((cert for cert in issuers if cert.subject == crl.issuer), None)
        if signer is None:
            problems.append(
                Finding(
                    f"is issued by {crl.issuer.rfc4514_string()}, not by a ca of the certificate bundle",
                    "pass the crl of a ca in certificate_bundle",
                )
            )
        elif not crl.is_signature_valid(signer.public_key()):  # type: ignore[arg-type]
            problems.append(
                Finding(
                    f"signature does not verify with the key of {signer.subject.rfc4514_string()}",
                    "pass the crl published by that ca",
                )
            )
    pem = crl.public_bytes(serialization.Encoding.PEM).decode()
    if len(pem.encode()) > MAX_CRL_BYTES:
        problems.append(
            Finding(
                f"is {len(pem.encode())} bytes of pem, over the service limit of {MAX_CRL_BYTES}",
                "publish a smaller crl (e.g. drop entries of expired certificates)",
            )
        )
    return LoadedCrl(crl, pem), problems
