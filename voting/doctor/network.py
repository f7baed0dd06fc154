"""The address phones use, and whether the port answers there (or can be bound)."""

from __future__ import annotations

import errno
import http.client
import ipaddress
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Sequence
from urllib.parse import urlsplit

from voting.doctor.finding import Finding

PROBE_TIMEOUT = 2.0


def _loopback_name(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def _link_local(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_link_local
    except ValueError:
        return False


def phone_urls(public_url: str | None, lan: str | None, port: int) -> list[str]:
    """The base URLs phones will open, most likely first.

    PUBLIC_URL when set (``voting serve`` puts it into every QR code as is);
    otherwise the LAN address on ``port``, over http or, with ``--cert``, https.
    """
    if public_url:
        return [public_url.rstrip("/")]
    host = lan or "127.0.0.1"
    return [f"http://{host}:{port}", f"https://{host}:{port}"]


def check_lan_address(public_url: str | None, lan: str | None, port: int) -> Finding:
    """Problem when phones would be sent to this machine's loopback or nowhere."""
    if public_url:
        parts = urlsplit(public_url)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host:
            return Finding(
                "lan_address",
                "problem",
                f"PUBLIC_URL={public_url} không phải một địa chỉ web: phải có dạng "
                f"http://192.168.1.20:{port} (có http:// hoặc https://).",
            )
        if _loopback_name(host):
            hint = f"http://{lan}:{port}" if lan else f"http://<địa chỉ LAN>:{port}"
            return Finding(
                "lan_address",
                "problem",
                f"PUBLIC_URL={public_url} trỏ tới {host}: điện thoại quét mã QR sẽ gọi "
                f"chính điện thoại, không tới máy này. Đặt PUBLIC_URL={hint} "
                "hoặc bỏ PUBLIC_URL để `voting serve` tự tìm địa chỉ LAN.",
            )
        if _link_local(host):
            return Finding(
                "lan_address",
                "warning",
                f"PUBLIC_URL={public_url} là địa chỉ tự cấp 169.254.x.x (link-local): "
                "máy chưa nhận địa chỉ từ bộ phát Wi-Fi, nhiều điện thoại sẽ không tới được. "
                "Kết nối lại Wi-Fi của phòng họp rồi đặt PUBLIC_URL theo địa chỉ mới.",
            )
        return Finding(
            "lan_address",
            "ok",
            f"Điện thoại sẽ mở {public_url.rstrip('/')} (theo PUBLIC_URL).",
        )
    if not lan:
        return Finding(
            "lan_address",
            "problem",
            "Không tìm thấy địa chỉ LAN (máy chỉ có 127.0.0.1): điện thoại không thể tới "
            "máy này. Kết nối máy vào Wi-Fi của phòng họp (cùng mạng với điện thoại), "
            f"hoặc đặt PUBLIC_URL=http://<địa chỉ máy>:{port}.",
        )
    if _link_local(lan):
        return Finding(
            "lan_address",
            "warning",
            f"Địa chỉ {lan} là địa chỉ tự cấp 169.254.x.x (link-local): máy chưa nhận địa chỉ "
            "từ bộ phát Wi-Fi (DHCP), nhiều điện thoại sẽ không tới được. Kết nối lại Wi-Fi "
            "của phòng họp, hoặc kiểm tra bộ phát Wi-Fi.",
        )
    return Finding("lan_address", "ok", f"Điện thoại sẽ mở http://{lan}:{port}.")


def _get(url: str, timeout: float) -> tuple[int, bytes, str]:
    """Status, start of the body and the final URL (a redirect to https is followed)."""
    context = ssl.create_default_context()
    # The room's certificate is self-signed for the LAN address: accepted here.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # No proxy: the room's server is on this LAN, whatever http_proxy says.
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
    )
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, response.read(64), response.geturl()
    except urllib.error.HTTPError as exc:
        return exc.code, b"", url


def check_port_answers(urls: Sequence[str], port: int, timeout: float = PROBE_TIMEOUT) -> Finding:
    """``GET <url>/healthz`` on each base URL until one answers like this app."""
    failures: list[str] = []
    for base in urls:
        url = f"{base}/healthz"
        try:
            status, body, answered = _get(url, timeout)
        # URLError, timeouts and TLS errors are OSErrors; HTTPException: not HTTP at all.
        except (OSError, ValueError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            failures.append(f"{url}: {reason}")
            continue
        if status == 200 and body.strip() == b"ok":
            local = _loopback_name(urlsplit(answered).hostname or "")
            return Finding(
                "port",
                "warning" if local else "ok",
                f"Máy chủ trả lời tại {answered}. "
                + (
                    "Nhưng đó là địa chỉ của riêng máy này: điện thoại không tới được."
                    if local
                    else "Tường lửa chỉ kiểm được từ điện thoại: hãy mở địa chỉ này trên "
                    "một điện thoại trong phòng."
                ),
            )
        failures.append(f"{url}: trả lời {status}, không phải máy chủ bỏ phiếu")
    return Finding(
        "port",
        "problem",
        "Không gọi được máy chủ bỏ phiếu (" + "; ".join(failures) + "). "
        f"Kiểm tra: `voting serve --port {port}` đang chạy với --host 0.0.0.0 (không phải "
        f"127.0.0.1), không có chương trình khác chiếm cổng {port}, và tường lửa cho phép "
        f"cổng TCP {port} (vd. `sudo ufw allow {port}/tcp`).",
    )


def _bind(host: str, port: int) -> None:
    family, kind, proto, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    with socket.socket(family, kind, proto) as s:
        # As the server does: a connection in TIME_WAIT does not hold the port.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(address)
        s.listen(1)


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on ``port`` at ``host``."""
    try:
        _bind(host, port)
    except OSError as exc:
        return exc.errno == errno.EADDRINUSE
    return False


def check_port_free(host: str, port: int) -> Finding:
    """Before the server starts: can it bind ``port`` on ``host``?"""
    try:
        _bind(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            message = (
                f"Cổng {port} đã có chương trình khác dùng (có thể là một `voting serve` "
                f"khác đang chạy). Dừng chương trình đó (xem bằng `ss -ltnp | grep :{port}` "
                f"hoặc `lsof -i :{port}`) hoặc chọn cổng khác: `voting serve --port "
                f"{port + 1}`."
            )
        elif exc.errno == errno.EACCES:
            message = (
                f"Không có quyền mở cổng {port} (cổng dưới 1024 cần quyền quản trị). "
                "Dùng cổng 5000: `voting serve --port 5000`."
            )
        elif exc.errno == errno.EADDRNOTAVAIL:
            message = (
                f"Địa chỉ {host} không thuộc máy này: dùng `--host 0.0.0.0` để nghe trên "
                "mọi địa chỉ của máy."
            )
        else:
            message = f"Không mở được cổng {port} trên {host}: {exc.strerror or exc}."
        return Finding("port", "problem", message)
    return Finding(
        "port",
        "ok",
        f"Cổng {port} còn trống trên {host}: `voting serve --port {port}` sẽ mở được. "
        f"Nhớ cho phép cổng TCP {port} trong tường lửa của máy.",
    )
