"""A self-signed certificate for the room's LAN address (``voting serve --https``).

A meeting room has no domain name and no certificate authority, but its Wi-Fi is shared:
anyone with the passphrase can read plain-HTTP ballots in transit. A self-signed
certificate encrypts the traffic; phones warn once ("Kết nối không riêng tư"), and the
chair reads out the fingerprint printed at start so the room can check it is this laptop.
The certificate and its key live in the instance folder and are reused while they cover
the addresses in use, so the fingerprint stays the same from one meeting to the next.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

#: Long enough for a term of meetings; phones do not check the expiry of an accepted cert
#: more strictly than that of any other.
VALID_DAYS = 825


@dataclass(frozen=True)
class Certificate:
    cert_path: Path
    key_path: Path
    #: SHA-256 of the DER certificate, as browsers show it (AA:BB:…).
    fingerprint: str


def fingerprint(cert_pem: bytes) -> str:
    cert = x509.load_pem_x509_certificate(cert_pem)
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def _covers(cert_pem: bytes, addresses: list[str]) -> bool:
    cert = x509.load_pem_x509_certificate(cert_pem)
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    ips = {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}
    still_valid = cert.not_valid_after_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    return still_valid and set(addresses) <= ips


def ensure_certificate(folder: str | Path, addresses: list[str]) -> Certificate:
    """The certificate in ``folder``, made (again) if it does not cover ``addresses``."""
    folder = Path(folder)
    cert_path, key_path = folder / "tls-cert.pem", folder / "tls-key.pem"
    wanted = sorted({*addresses, "127.0.0.1"})
    if cert_path.exists() and key_path.exists():
        pem = cert_path.read_bytes()
        if _covers(pem, wanted):
            return Certificate(cert_path, key_path, fingerprint(pem))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, wanted[-1])])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost")]
                + [x509.IPAddress(ipaddress.ip_address(a)) for a in wanted]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key_bytes)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_path.write_bytes(pem)
    return Certificate(cert_path, key_path, fingerprint(pem))
