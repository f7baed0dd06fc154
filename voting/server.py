"""The production server behind ``voting serve``: gevent's WSGI server, hardened for a room.

Why gevent (docs/performance.md has the figures): the app is CPU-bound on one core, and a
phone holds a socket for the whole meeting. One gevent process served ``scripts/bench``'s
2,000 phones at the offered 200 ballots/s with a p99 of 7 ms, where Werkzeug's threading
server (an OS thread per socket, 4 per phone with Engine.IO's pings) managed 75/s with a
p99 of 3.2 s; gunicorn's gthread pins a thread per socket, and its workers cap connections
at ``--worker-connections``. The process is patched by :mod:`voting.launch` before any
import, so database drivers, locks and sleeps yield instead of blocking every phone.

What a room needs on top of the bare server:

- **Client timeouts.** A connection that sends its request line and headers slower than
  ``SERVER_HEADER_SECONDS``, sits idle between keep-alive requests longer than
  ``SERVER_IDLE_SECONDS``, or stalls any single read or write for ``SERVER_IO_SECONDS``
  is dropped, so slow or abandoned sockets cannot pile up.
- **A connection cap below the open-file limit.** The soft limit is raised to the hard one at
  start (a laptop's default soft limit of 1,024 is about 1,000 phones); connections beyond
  the cap wait in the kernel's backlog instead of failing the database's own file opens.
- **A cap per client address** (``SERVER_MAX_PER_CLIENT``): a phone opens a handful of
  connections, so one machine holding hundreds is hoarding; its extra ones are closed at
  once and everyone else is served. Loopback (a reverse proxy, the benchmark) is exempt.
- **HTTPS and plain HTTP on one port.** The first byte of a TLS connection is 0x16
  (handshake). Anything else is plain HTTP, answered with a redirect to the https:// address
  so a phone that typed the address without ``https://`` still arrives, and never sends a
  ballot in clear: a plain POST is refused, not forwarded.
- **Casts before Flask.** A well-formed ``POST /api/v1/ballots`` is recorded by
  :class:`voting.ballots.fast_cast.CastFastPath` without Flask's request machinery, which
  cost as much CPU as the cast; refusals and every other request go to the app.
- **No access log.** A ballot's URL is its credential; gevent's per-request log line and its
  hub's error report (which prints the WSGI environ) would write it out. Errors go to the
  app's logger, whose filter redacts credentials (:mod:`voting.logs`).
"""

from __future__ import annotations

import logging
import re
import resource
import socket
import ssl
from dataclasses import dataclass
from typing import Any

import gevent
from gevent.pool import Pool
from gevent.pywsgi import WSGIHandler, WSGIServer

log = logging.getLogger(__name__)

#: Descriptors kept back from the connection cap: the database, its WAL, logs, exports.
RESERVED_FILES = 128
#: The first byte of a TLS record carrying a handshake.
TLS_HANDSHAKE = 0x16
#: Addresses exempt from the per-client cap: a reverse proxy in front, the benchmark.
LOOPBACK = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
_HOST = re.compile(r"^[A-Za-z0-9.\-]+$|^\[[0-9A-Fa-f:.]+\]$")


@dataclass(frozen=True)
class Timeouts:
    """Seconds a client may take, by phase of a connection."""

    header: float = 10.0
    idle: float = 75.0
    io: float = 60.0


@dataclass(frozen=True)
class FileLimit:
    """The process's open-file limit after :func:`raise_open_file_limit`."""

    soft: int
    hard: int
    #: Why the soft limit could not be raised to the hard one, if it could not.
    problem: str | None = None


def raise_open_file_limit() -> FileLimit:
    """Raise the soft open-file limit to the hard limit (each phone holds one socket)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # macOS reports an unlimited hard limit but refuses a soft limit above OPEN_MAX.
    target = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft != resource.RLIM_INFINITY and soft < target:
        for wanted in (target, 10240):
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
                soft = wanted
                break
            except (ValueError, OSError) as exc:
                problem = str(exc)
        else:
            return FileLimit(soft, hard, problem)
    return FileLimit(soft, hard)


def connection_cap(limit: FileLimit, wanted: int | None = None) -> int:
    """How many connections to serve at once: below the file limit, at least 64."""
    room = (limit.soft if limit.soft != resource.RLIM_INFINITY else 1 << 20) - RESERVED_FILES
    cap = max(64, room)
    return min(cap, wanted) if wanted else cap


#: Bytes buffered for reading a connection's requests. gevent's default of 8 KB stays
#: allocated for as long as the connection lives, and a phone's websocket, once upgraded,
#: never reads through it again: 2,000 phones held 16 MB of it. Request heads are well
#: under 2 KB, and a longer line or body is still read whole, through more reads.
READ_BUFFER = 2048


class RoomHandler(WSGIHandler):
    """gevent's request handler with the room's client timeouts and no access log."""

    timeouts = Timeouts()
    _served = 0

    def __init__(self, sock: Any, address: Any, server: Any) -> None:
        super().__init__(sock, address, server)
        self.rfile = sock.makefile("rb", READ_BUFFER)

    def read_requestline(self) -> str:
        # The first request of a connection gets the header deadline; waiting for the next
        # one on a kept-alive connection gets the (longer) idle deadline.
        limit = self.timeouts.idle if self._served else self.timeouts.header
        self._served += 1
        with gevent.Timeout(limit, TimeoutError("request line too slow")):
            return str(super().read_requestline())

    def read_request(self, raw_requestline: str) -> Any:
        with gevent.Timeout(self.timeouts.header, TimeoutError("headers too slow")):
            return super().read_request(raw_requestline)

    def get_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environ()
        if isinstance(self.socket, ssl.SSLSocket):
            environ["wsgi.url_scheme"] = "https"
            environ["HTTPS"] = "on"
        return environ

    def log_request(self) -> None:
        """No access log: a ballot's URL is its credential."""

    def handle_error(self, t: Any, v: Any, tb: Any) -> None:
        # gevent's default also hands the WSGI environ (with the URL) to the hub's report.
        log.error("request failed", exc_info=(t, v, tb))
        if not self.response_length:
            self.start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            self.write(b"Internal Server Error")
        self.close_connection = True


def room_application(application: Any) -> Any:
    """What the room's server runs: the app, with recorded casts answered in front of it."""
    from flask import Flask

    from voting.ballots.fast_cast import CastFastPath

    return CastFastPath(application) if isinstance(application, Flask) else application


class RoomServer(WSGIServer):
    """One port for the room: TLS when the client speaks it, a redirect when it does not."""

    handler_class = RoomHandler

    def __init__(
        self,
        listener: tuple[str, int],
        application: Any,
        *,
        tls: ssl.SSLContext | None,
        timeouts: Timeouts,
        max_connections: int,
        max_per_client: int = 0,
    ) -> None:
        self.tls = tls
        self.timeouts = timeouts
        self.max_per_client = max_per_client
        self._per_client: dict[str, int] = {}
        handler = type("ConfiguredRoomHandler", (RoomHandler,), {"timeouts": timeouts})
        super().__init__(
            listener,
            room_application(application),
            spawn=Pool(max_connections),
            # A room's phones connect in a burst when the QR goes up; gevent's default
            # backlog of 256 makes the rest retry their SYN a second later.
            backlog=2048,
            log=None,
            error_log=logging.getLogger("voting.server.errors"),
            handler_class=handler,
        )

    def handle(self, sock: Any, address: Any) -> None:
        client = str(address[0]) if isinstance(address, tuple) and address else ""
        if not self.max_per_client or client in LOOPBACK:
            self._serve_connection(sock, address)
            return
        held = self._per_client.get(client, 0)
        if held >= self.max_per_client:
            sock.close()
            return
        self._per_client[client] = held + 1
        try:
            self._serve_connection(sock, address)
        finally:
            left = self._per_client.pop(client, 1) - 1
            if left > 0:
                self._per_client[client] = left

    def _serve_connection(self, sock: Any, address: Any) -> None:
        sock.settimeout(self.timeouts.io)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            # gevent writes a response's headers and body apart: with Nagle's algorithm
            # and the client's delayed ACK, each kept-alive request then waits 40 ms.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls is not None:
            try:
                first = sock.recv(1, socket.MSG_PEEK)
            except OSError:
                sock.close()
                return
            if not first:
                sock.close()
                return
            if first[0] != TLS_HANDSHAKE:
                self._redirect_to_https(sock)
                return
            try:
                sock = self.tls.wrap_socket(sock, server_side=True)
            except (OSError, ssl.SSLError):
                # A phone that refused the self-signed certificate, or a scanner.
                sock.close()
                return
        super().handle(sock, address)

    def _redirect_to_https(self, sock: Any) -> None:
        """Answer a plain-HTTP request on the HTTPS port with the https:// address."""
        try:
            with gevent.Timeout(self.timeouts.header, False):
                head = b""
                while b"\r\n\r\n" not in head and len(head) < 8192:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    head += chunk
            lines = head.decode("latin-1").split("\r\n")
            method, _, rest = lines[0].partition(" ")
            path = rest.rsplit(" ", 1)[0] if rest else "/"
            host = next(
                (ln.split(":", 1)[1].strip() for ln in lines[1:] if ln.lower().startswith("host:")),
                "",
            )
            # The redirect keeps the name the phone used and puts this server's port.
            name = host.rpartition(":")[0] if host.count(":") == 1 else host
            if not _HOST.match(name or "") or not path.startswith("/") or "\n" in path:
                sock.sendall(_plain_response(400, "Bad Request", ""))
                return
            port_part = f":{self.server_port}"
            if method != "GET" and method != "HEAD":
                # A body sent in clear must not be forwarded (it may be a ballot): refuse.
                sock.sendall(_plain_response(400, "Bad Request", ""))
                return
            location = f"https://{name}{port_part}{_safe_path(path)}"
            # 302, not 301: a browser keeps a 301 for good, and the room may run plain HTTP later.
            sock.sendall(_plain_response(302, "Found", location))
        except OSError:
            pass
        finally:
            sock.close()


def _safe_path(path: str) -> str:
    # A path of the request line goes back in a header: no control characters.
    return "".join(ch for ch in path if 0x20 < ord(ch) < 0x7F) or "/"


def _plain_response(status: int, reason: str, location: str) -> bytes:
    body = (
        "Hãy dùng địa chỉ https:// (kết nối được mã hoá).\n"
        "Use the https:// address (an encrypted connection).\n"
    ).encode()
    headers = [
        f"HTTP/1.1 {status} {reason}",
        "Content-Type: text/plain; charset=utf-8",
        f"Content-Length: {len(body)}",
        "Connection: close",
        "Cache-Control: no-store",
    ]
    if location:
        headers.append(f"Location: {location}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode("latin-1") + body


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context
