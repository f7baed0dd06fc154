"""The address phones must use: PUBLIC_URL, or this machine's LAN address."""

from __future__ import annotations

import socket

from flask import current_app, has_request_context, request


def lan_address() -> str | None:
    """The IPv4 address other devices on the LAN reach this machine at, if any.

    A UDP "connect" sends nothing; it only asks the kernel which interface
    would route outwards.
    """
    for probe in ("10.255.255.255", "192.168.255.255", "172.31.255.255"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((probe, 1))
                address = s.getsockname()[0]
        except OSError:
            continue
        if address and not address.startswith("127."):
            return address
    return None


def public_base_url() -> str:
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return str(configured).rstrip("/")
    if has_request_context():
        host = request.host.rsplit(":", 1)
        if host[0] in ("127.0.0.1", "localhost", "[::1]") and (lan := lan_address()):
            # QR codes with a loopback address would send phones to themselves.
            port = f":{host[1]}" if len(host) == 2 else ""
            return f"{request.scheme}://{lan}{port}"
        return request.host_url.rstrip("/")
    return "http://127.0.0.1:5000"
