"""``voting doctor``: check what breaks a meeting room before the meeting starts.

Each check is a plain function returning a :class:`Finding` (a stable check
code, a status and a Vietnamese message saying what to fix), so it can be
tested alone; only :func:`run_checks` and :func:`newest_timestamp` need the app.
``voting serve`` calls :func:`run_checks` with ``listening=False`` before it
starts serving, and :func:`print_report` to show the result.

The messages are plain Vietnamese, not gettext: the chair reads them in a
terminal of the room's laptop, whatever the phones' language.
"""

from __future__ import annotations

import errno
import getpass
import http.client
import ipaddress
import json
import re
import shutil
import socket
import sqlite3
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from voting.network import lan_address

try:  # POSIX only; the app runs on Linux and macOS
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from flask import Flask

Status = Literal["ok", "warning", "problem"]

#: The stable check codes, in the order of the report.
CHECKS = ("lan_address", "port", "open_files", "timezone", "clock", "disk", "database")

LABELS = {
    "lan_address": "Địa chỉ cho điện thoại",
    "port": "Cổng",
    "open_files": "Giới hạn tệp mở",
    "timezone": "Múi giờ",
    "clock": "Đồng hồ",
    "disk": "Ổ đĩa",
    "database": "Cơ sở dữ liệu",
}
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "ok": ("ỔN", "green"),
    "warning": ("CẢNH BÁO", "yellow"),
    "problem": ("LỖI", "red"),
}

#: Below this the server cannot even raise its own limit to a room's need.
MIN_OPEN_FILES = 1024
#: A few hundred phones (one socket each) with room to spare: phones reconnecting while
#: their old socket lingers, the projector and the secretary, the database and its WAL.
ROOM_OPEN_FILES = 4096
#: Descriptors ``voting serve`` keeps back from its connection cap (voting.server).
RESERVED_FILES = 128
MIB = 1024 * 1024
DISK_PROBLEM = 100 * MIB
DISK_WARNING = 1024 * MIB
#: A clock this far behind the newest stored time is wrong, not NTP's jitter.
CLOCK_SLACK = timedelta(minutes=1)
#: The year of this release; the newest migration's year raises it.
RELEASE_YEAR = 2026
VIETNAM_OFFSET = timedelta(hours=7)
PROBE_TIMEOUT = 2.0
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class Finding:
    """The result of one check: ``check`` is one of :data:`CHECKS`."""

    check: str
    status: Status
    message: str


# --- 1. The address phones use, and whether the port answers there -------------------


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


# --- 2. Open files ---------------------------------------------------------------------


def _limit(value: int) -> str:
    infinity = resource.RLIM_INFINITY if resource else -1
    return "không giới hạn" if value == infinity or value < 0 else str(value)


def check_open_files(soft: int, hard: int) -> Finding:
    """Each phone holds a socket; ``voting serve`` raises the soft limit to the hard one.

    So the hard limit is what a room gets, less what the server keeps for itself.
    """
    infinity = resource.RLIM_INFINITY if resource else -1
    unlimited = hard == infinity or hard < 0
    values = f"giới hạn mềm {_limit(soft)}, giới hạn cứng {_limit(hard)}"
    phones = (
        "Mỗi điện thoại giữ một kết nối (một tệp mở) suốt cuộc họp; máy chủ giữ lại khoảng "
        f"{RESERVED_FILES} cho cơ sở dữ liệu, nhật ký và tệp xuất, nên chỉ khoảng "
        f"{max(0, hard - RESERVED_FILES)} điện thoại kết nối được cùng lúc"
    )
    user = _user()
    raise_hard = (
        f"Để nâng giới hạn cứng, thêm vào /etc/security/limits.conf hai dòng "
        f"`{user} soft nofile 65536` và `{user} hard nofile 65536` rồi đăng nhập lại "
        "(macOS: `sudo launchctl limit maxfiles 65536 200000`); sau đó `ulimit -n 65536` "
        "trong cửa sổ lệnh trước `voting serve`."
    )
    if not unlimited and hard < MIN_OPEN_FILES:
        return Finding(
            "open_files",
            "problem",
            f"Số tệp mở tối đa: {values}, dưới {MIN_OPEN_FILES}. {phones}: phòng đông sẽ có "
            "điện thoại không vào được. " + raise_hard,
        )
    if not unlimited and hard < ROOM_OPEN_FILES:
        return Finding(
            "open_files",
            "warning",
            f"Số tệp mở tối đa: {values}. {phones}, ít dư cho điện thoại kết nối lại (kết nối "
            "cũ còn treo), máy chiếu và máy của thư ký; nên có ít nhất "
            f"{ROOM_OPEN_FILES}. " + raise_hard,
        )
    raised = (
        f" `voting serve` tự nâng giới hạn mềm lên {_limit(hard)} khi khởi động."
        if soft != hard
        else ""
    )
    return Finding(
        "open_files",
        "ok",
        f"Số tệp mở tối đa: {values}, đủ cho một phòng vài trăm điện thoại.{raised}",
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "tên_người_dùng"


# --- 3. Time zone and clock ------------------------------------------------------------


def load_zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def check_timezone(name: str, now: datetime | None = None) -> Finding:
    """The minutes' times are printed in ``name`` (BABEL_DEFAULT_TIMEZONE)."""
    zone = load_zone(name)
    if zone is None:
        return Finding(
            "timezone",
            "problem",
            f"Không nạp được múi giờ {name}: thiếu dữ liệu múi giờ (gói tzdata) hoặc tên sai. "
            "Cài lại chương trình (`.venv/bin/pip install -e .` cài tzdata), hoặc đặt "
            "BABEL_DEFAULT_TIMEZONE=Asia/Ho_Chi_Minh.",
        )
    now = now or datetime.now(UTC)
    offset = now.astimezone(zone).utcoffset()
    if offset != VIETNAM_OFFSET:
        return Finding(
            "timezone",
            "warning",
            f"Múi giờ {name} (UTC{_offset(offset)}) không phải giờ Việt Nam (UTC+07:00): "
            "giờ trong biên bản sẽ lệch. Bỏ BABEL_DEFAULT_TIMEZONE hoặc đặt "
            "BABEL_DEFAULT_TIMEZONE=Asia/Ho_Chi_Minh.",
        )
    return Finding("timezone", "ok", f"Múi giờ {name} (UTC+07:00) nạp được.")


def _offset(offset: timedelta | None) -> str:
    minutes = int((offset or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def vietnamese_time(moment: datetime, zone: tzinfo | None) -> str:
    """``08:15:02 thứ Hai, 23/11/2026`` in ``zone`` (UTC if the zone is missing)."""
    local = moment.astimezone(zone or UTC)
    label = (
        "giờ Việt Nam"
        if local.utcoffset() == VIETNAM_OFFSET
        else f"UTC{_offset(local.utcoffset())}"
    )
    return f"{local:%H:%M:%S} {WEEKDAYS[local.weekday()]}, {local:%d/%m/%Y} ({label})"


def release_year(migrations: Path = MIGRATIONS) -> int:
    """This release cannot predate its newest migration."""
    years = [RELEASE_YEAR]
    for script in (migrations / "versions").glob("*.py"):
        match = re.search(r"^Create Date: (\d{4})-", script.read_text(encoding="utf-8"), re.M)
        if match:
            years.append(int(match.group(1)))
    return max(years)


def check_clock(
    now: datetime,
    newest_stored: datetime | None,
    floor_year: int,
    zone: tzinfo | None,
) -> Finding:
    """Warn when the system clock is behind what is already stored, or this release.

    ``now`` is aware; ``newest_stored`` is naive UTC, as the models store it.
    """
    shown = f"Đồng hồ máy đang chỉ {vietnamese_time(now, zone)}"
    fix = (
        "Chỉnh ngày giờ của máy (bật đặt giờ tự động, hoặc `sudo timedatectl set-time "
        "'YYYY-MM-DD HH:MM:SS'`) trước khi mở bỏ phiếu: giờ mở, đóng phiếu trong biên bản "
        "và nhật ký sẽ sai."
    )
    if newest_stored is not None and now < newest_stored.replace(tzinfo=UTC) - CLOCK_SLACK:
        return Finding(
            "clock",
            "warning",
            f"{shown}, sớm hơn bản ghi mới nhất trong cơ sở dữ liệu "
            f"({vietnamese_time(newest_stored.replace(tzinfo=UTC), zone)}): đồng hồ máy bị "
            f"lùi. {fix}",
        )
    if now.year < floor_year:
        return Finding(
            "clock",
            "warning",
            f"{shown}, trước năm {floor_year} của phiên bản chương trình này: đồng hồ máy "
            f"sai (có thể pin đồng hồ đã hết). {fix}",
        )
    return Finding(
        "clock", "ok", f"{shown}. Hãy so với đồng hồ treo tường hoặc điện thoại của mình."
    )


# --- 4. Disk ---------------------------------------------------------------------------


def _size(n: float) -> str:
    if n >= 1024 * MIB:
        return f"{n / (1024 * MIB):.1f} GB".replace(".", ",")
    return f"{n / MIB:.0f} MB"


def check_disk(folder: Path, database_bytes: int = 0) -> Finding:
    """Free space in the instance folder (its nearest existing parent)."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    why = (
        "Trong cuộc họp tệp nhật ký ghi trước (WAL) của cơ sở dữ liệu lớn dần theo số phiếu, "
        "`voting backup` chép toàn bộ cơ sở dữ liệu, sau khi đóng phiếu tệp được dựng lại "
        "(cần thêm chỗ bằng chính nó), và biên bản, tệp xuất (PDF, DOCX, XLSX) cũng ghi vào "
        "ổ đĩa."
    )
    fix = "Xoá bớt tệp không cần hoặc chép sang ổ khác trước cuộc họp."
    if free < DISK_PROBLEM:
        return Finding(
            "disk",
            "problem",
            f"Chỉ còn {_size(free)} trống ở {folder} (dưới {_size(DISK_PROBLEM)}): phiếu có "
            f"thể không ghi được. {why} {fix}",
        )
    if free < DISK_WARNING or free < 2 * database_bytes:
        return Finding(
            "disk",
            "warning",
            f"Còn {_size(free)} trống ở {folder} (nên có ít nhất "
            f"{_size(max(DISK_WARNING, 2 * database_bytes))}). {why} {fix}",
        )
    return Finding("disk", "ok", f"Còn {_size(free)} trống ở {folder}.")


# --- 5. Database -----------------------------------------------------------------------


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


def database_exists(url: str) -> bool:
    """False for a SQLite file not yet created (opening it would create it)."""
    path = sqlite_path(url)
    return path is None or (path.exists() and path.stat().st_size > 0)


def _revisions(migrations: Path) -> tuple[set[str], set[str]]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(migrations))
    return set(script.get_heads()), {s.revision for s in script.walk_revisions()}


def check_revisions(current: set[str], migrations: Path, prefix: str) -> Finding:
    """The schema's Alembic revision against this release's head."""
    heads, known = _revisions(migrations)
    head = ", ".join(sorted(heads))
    if current == heads:
        return Finding("database", "ok", f"{prefix}, lược đồ ở phiên bản mới nhất ({head}).")
    if not current:
        return Finding(
            "database",
            "warning",
            f"{prefix} nhưng chưa có bảng nào: `voting serve` sẽ tạo khi khởi động "
            "(hoặc `voting init-db`).",
        )
    unknown = sorted(current - known)
    if unknown:
        return Finding(
            "database",
            "problem",
            f"{prefix}, nhưng lược đồ ở phiên bản {', '.join(unknown)} không có trong "
            f"chương trình này (mới nhất là {head}): cơ sở dữ liệu thuộc một phiên bản "
            "chương trình mới hơn. Cập nhật chương trình, hoặc dùng cơ sở dữ liệu khác.",
        )
    return Finding(
        "database",
        "warning",
        f"{prefix}, lược đồ ở phiên bản {', '.join(sorted(current))}, bản mới nhất là {head}: "
        "`voting serve` sẽ nâng cấp khi khởi động (hoặc `voting init-db`). Sao lưu trước "
        "bằng `voting backup TỆP`.",
    )


def check_sqlite(path: Path, migrations: Path = MIGRATIONS) -> Finding:
    """``PRAGMA quick_check`` and the migration revision; never creates the file."""
    if not path.exists() or path.stat().st_size == 0:
        return Finding(
            "database",
            "warning",
            f"Chưa có cơ sở dữ liệu {path}: `voting serve` sẽ tạo khi khởi động "
            "(hoặc `voting init-db`).",
        )
    restore = (
        "Dừng máy chủ và khôi phục bản sao lưu gần nhất: `voting restore TỆP` "
        "(giữ lại tệp hỏng để đối chiếu)."
    )
    try:
        # mode=rw: fails on a missing file instead of creating an empty one.
        conn = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=10)
    except sqlite3.Error as exc:
        return Finding("database", "problem", f"Không mở được cơ sở dữ liệu {path}: {exc}.")
    try:
        rows = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
        if rows != ["ok"]:
            detail = "; ".join(" ".join(str(row).split()) for row in rows)
            return Finding(
                "database",
                "problem",
                f"Cơ sở dữ liệu {path} bị hỏng (quick_check: {detail}). {restore}",
            )
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        current: set[str] = set()
        if "alembic_version" in tables:
            current = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
        elif tables:
            return Finding(
                "database",
                "problem",
                f"Cơ sở dữ liệu {path} có bảng nhưng không có bảng alembic_version: không phải "
                "cơ sở dữ liệu của chương trình này. Kiểm tra DATABASE_URL và VOTING_INSTANCE.",
            )
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            return Finding(
                "database",
                "warning",
                f"Cơ sở dữ liệu {path} đang bận (một thao tác khác giữ khoá): chạy lại "
                "`voting doctor` sau ít phút.",
            )
        return Finding("database", "problem", f"Cơ sở dữ liệu {path} bị hỏng ({exc}). {restore}")
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
        return Finding("database", "problem", f"Cơ sở dữ liệu {path} bị hỏng ({exc}). {restore}")
    finally:
        conn.close()
    return check_revisions(current, migrations, f"Cơ sở dữ liệu {path} nguyên vẹn")


def check_server_database(url: str, migrations: Path = MIGRATIONS) -> Finding:
    """PostgreSQL (or another server database): connect, then the migration revision."""
    from alembic.migration import MigrationContext

    parsed = sa.engine.make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
    engine: sa.Engine | None = None
    try:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=args)
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            if "alembic_version" in tables:
                current = set(MigrationContext.configure(conn).get_current_heads())
            elif tables:
                return Finding(
                    "database",
                    "problem",
                    f"Cơ sở dữ liệu {shown} có bảng nhưng không có bảng alembic_version: không "
                    "phải cơ sở dữ liệu của chương trình này. Kiểm tra DATABASE_URL.",
                )
            else:
                current = set()
    except sa.exc.DBAPIError as exc:
        reason = (
            str(exc.orig).strip().splitlines()[0]
            if str(exc.orig).strip()
            else type(exc.orig).__name__
        )
        missing = "does not exist" in reason
        return Finding(
            "database",
            "problem",
            f"Không kết nối được cơ sở dữ liệu {shown} ({reason}). "
            + (
                f"Tạo cơ sở dữ liệu trước: `createdb {parsed.database}` (`voting serve` chỉ "
                "tạo các bảng, không tạo cơ sở dữ liệu)."
                if missing
                else "Kiểm tra máy chủ cơ sở dữ liệu đang chạy, địa chỉ, tên và mật khẩu "
                "trong DATABASE_URL."
            ),
        )
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        return Finding(
            "database",
            "problem",
            f"Thiếu thư viện cho {parsed.get_backend_name()} ({exc}): "
            + (
                "`.venv/bin/pip install -e '.[postgres]'`."
                if parsed.get_backend_name() == "postgresql"
                else "chương trình chỉ dùng SQLite hoặc PostgreSQL; sửa DATABASE_URL."
            ),
        )
    finally:
        if engine is not None:
            engine.dispose()
    return check_revisions(current, migrations, f"Kết nối được cơ sở dữ liệu {shown}")


def check_database(url: str, migrations: Path = MIGRATIONS) -> Finding:
    path = sqlite_path(url)
    if path is not None:
        return check_sqlite(path, migrations)
    if sa.engine.make_url(url).get_backend_name() == "sqlite":
        return Finding("database", "ok", "Cơ sở dữ liệu SQLite trong bộ nhớ (chỉ để thử).")
    return check_server_database(url, migrations)


def newest_timestamp(engine: sa.Engine, metadata: sa.MetaData) -> datetime | None:
    """The latest value of any DateTime column (naive UTC); tables not yet created skip."""
    newest: datetime | None = None
    with engine.connect() as conn:
        existing = set(sa.inspect(conn).get_table_names())
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.DateTime)]
            if table.name not in existing or not columns:
                continue
            row = conn.execute(sa.select(*[sa.func.max(c) for c in columns])).one()
            for value in row:
                if isinstance(value, datetime):
                    value = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
                    newest = value if newest is None or value > newest else newest
    return newest


# --- Gathering and reporting -----------------------------------------------------------


def run_checks(app: Flask, host: str, port: int, *, listening: bool) -> list[Finding]:
    """Every check, in :data:`CHECKS` order.

    ``listening``: the server already runs on ``port`` (the standalone ``voting
    doctor``), so its /healthz is called on the phones' address; otherwise (``voting
    serve`` before it starts) the check is whether ``port`` can be bound on ``host``.
    """
    from voting.extensions import db

    with app.app_context():
        public_url = app.config.get("PUBLIC_URL") or None
        lan = lan_address()
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        migrate = app.extensions.get("migrate")
        migrations = Path(migrate.directory) if migrate else MIGRATIONS
        zone_name = app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Ho_Chi_Minh"

        database = check_database(url, migrations)
        newest = None
        if database.status != "problem" and database_exists(url):
            try:
                newest = newest_timestamp(db.engine, db.metadata)
            except sa.exc.SQLAlchemyError:
                newest = None
        path = sqlite_path(url)
        size = path.stat().st_size if path and path.exists() else 0
        if resource is not None:
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            open_files = check_open_files(soft, hard)
        else:  # pragma: no cover - Windows
            open_files = Finding("open_files", "ok", "Không áp dụng trên hệ điều hành này.")
        now = datetime.now(UTC)
        return [
            check_lan_address(public_url, lan, port),
            check_port_answers(phone_urls(public_url, lan, port), port)
            if listening
            else check_port_free(host, port),
            open_files,
            check_timezone(zone_name, now),
            check_clock(now, newest, release_year(migrations), load_zone(zone_name)),
            check_disk(Path(app.instance_path), size),
            database,
        ]


def has_problem(findings: Iterable[Finding]) -> bool:
    return any(f.status == "problem" for f in findings)


def print_report(findings: Sequence[Finding]) -> bool:
    """Print the findings for the chair; True when none is a problem (the room can start)."""
    click.secho("Kiểm tra trước cuộc họp", bold=True)
    width = max(len(word) for word, _ in STATUS_WORDS.values()) + 2
    for f in findings:
        word, colour = STATUS_WORDS[f.status]
        click.secho(f"  {f'[{word}]':<{width}} ", fg=colour, bold=True, nl=False)
        click.echo(f"{LABELS.get(f.check, f.check)}: {f.message}")
    problems = sum(f.status == "problem" for f in findings)
    warnings = sum(f.status == "warning" for f in findings)
    if problems:
        click.secho(
            f"Có {problems} lỗi phải sửa trước cuộc họp"
            + (f" và {warnings} cảnh báo." if warnings else "."),
            fg="red",
            bold=True,
        )
    elif warnings:
        click.secho(f"Không có lỗi; {warnings} cảnh báo nên xem lại.", fg="yellow", bold=True)
    else:
        click.secho("Mọi thứ sẵn sàng.", fg="green", bold=True)
    return not problems


def report_json(findings: Sequence[Finding]) -> str:
    return json.dumps(
        {"ok": not has_problem(findings), "findings": [asdict(f) for f in findings]},
        ensure_ascii=False,
        indent=2,
    )


@click.command("doctor")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address `voting serve` uses.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port `voting serve` uses.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@with_appcontext
def doctor_command(host: str, port: int, as_json: bool) -> None:
    """Check the LAN address, port, open-file limit, clock, disk and database.

    If the port is already taken, the server is taken to be running and its
    /healthz is called on the phones' address; otherwise the port must be free.
    Exits 1 when a check finds a problem, 0 otherwise (also with warnings).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    findings = run_checks(app, host, port, listening=port_in_use(host, port))
    if as_json:
        click.echo(report_json(findings))
        ready = not has_problem(findings)
    else:
        ready = print_report(findings)
    raise SystemExit(0 if ready else 1)
