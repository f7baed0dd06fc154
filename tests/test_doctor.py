"""``voting doctor``: each check at its boundaries, the gathering, the report, the CLI."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import shutil
import socket
import sqlite3
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask

from tests import services
from tests.servers import VOTING, free_port
from voting import create_app, doctor
from voting.doctor import (
    CHECKS,
    DISK_PROBLEM,
    DISK_WARNING,
    MIB,
    MIGRATIONS,
    Finding,
    check_clock,
    check_database,
    check_disk,
    check_lan_address,
    check_open_files,
    check_port_answers,
    check_port_free,
    check_sqlite,
    check_timezone,
    newest_timestamp,
    phone_urls,
    port_in_use,
    print_report,
    release_year,
    run_checks,
)
from voting.extensions import db

SCRIPT = ScriptDirectory(str(MIGRATIONS))
HEAD = SCRIPT.get_current_head()
VIETNAM = doctor.load_zone("Asia/Ho_Chi_Minh")
INFINITY = doctor.resource.RLIM_INFINITY


class Usage(NamedTuple):
    total: int
    used: int
    free: int


def fake_disk(monkeypatch: pytest.MonkeyPatch, free: int) -> list[Path]:
    """shutil.disk_usage reports ``free`` bytes; returns the folders it was asked about."""
    asked: list[Path] = []

    def usage(path: Any) -> Usage:
        asked.append(Path(path))
        return Usage(500 * 1024 * MIB, 500 * 1024 * MIB - free, free)

    monkeypatch.setattr(shutil, "disk_usage", usage)
    return asked


def database_file(app: Flask) -> Path:
    path = doctor.sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    assert path is not None
    return path


def release(app: Flask) -> None:
    """Close the app's connections so the file is checkpointed and can be edited."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- the HTTP servers the listening checks call -----------------------------------------


class Healthz(http.server.BaseHTTPRequestHandler):
    status = 200
    body = b"ok"
    location = ""

    def do_GET(self) -> None:
        code, body = (self.status, self.body) if self.path == "/healthz" else (404, b"")
        self.send_response(code)
        if self.location:
            self.send_header("Location", self.location)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def http_server(
    *,
    host: str = "127.0.0.1",
    status: int = 200,
    body: bytes = b"ok",
    location: str = "",
    tls: ssl.SSLContext | None = None,
) -> Iterator[int]:
    """A real HTTP(S) server on a free port answering /healthz; yields the port."""
    attributes = {"status": status, "body": body, "location": location}
    handler = type("Handler", (Healthz,), attributes)
    server = http.server.ThreadingHTTPServer((host, 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server TLS context with the certificate `voting serve --https` makes for 127.0.0.1."""
    from voting.server import tls_context
    from voting.tls import ensure_certificate

    made = ensure_certificate(tmp_path, ["127.0.0.1"])
    return tls_context(str(made.cert_path), str(made.key_path))


@pytest.fixture
def occupied_port() -> Iterator[int]:
    """A port some other program listens on (and never answers HTTP)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", 0))
        s.listen(1)
        yield s.getsockname()[1]


# --- 1. The LAN address --------------------------------------------------------------


def test_no_lan_address_is_a_problem_that_says_what_to_do() -> None:
    f = check_lan_address(None, None, 5000)
    assert f == Finding("lan_address", "problem", f.message)
    assert "127.0.0.1" in f.message and "Wi-Fi" in f.message and "PUBLIC_URL" in f.message


def test_the_lan_address_found_is_what_phones_open() -> None:
    f = check_lan_address(None, "192.168.1.20", 5001)
    assert f.status == "ok"
    assert "http://192.168.1.20:5001" in f.message


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000",
        "http://127.0.1.1:5000",
        "http://localhost:5000/",
        "https://LOCALHOST",
        "http://[::1]:5000",
        "http://0.0.0.0:5000",
    ],
)
def test_a_public_url_on_loopback_is_a_problem_naming_the_lan_address(url: str) -> None:
    f = check_lan_address(url, "192.168.1.20", 5000)
    assert f.status == "problem"
    assert "PUBLIC_URL=http://192.168.1.20:5000" in f.message
    assert "điện thoại" in f.message


def test_a_public_url_without_scheme_is_a_problem() -> None:
    f = check_lan_address("192.168.1.20:5000", "192.168.1.20", 5000)
    assert f.status == "problem"
    assert "http://" in f.message


@pytest.mark.parametrize(
    ("lan", "status"),
    [
        ("169.253.255.255", "ok"),
        ("169.254.0.1", "warning"),
        ("169.254.255.254", "warning"),
        ("169.255.0.1", "ok"),
    ],
)
def test_a_link_local_address_is_a_warning(lan: str, status: str) -> None:
    f = check_lan_address(None, lan, 5000)
    assert f.status == status
    if status == "warning":
        assert "169.254" in f.message and "Wi-Fi" in f.message


def test_a_link_local_public_url_is_a_warning_and_a_name_is_fine() -> None:
    assert check_lan_address("http://169.254.7.7:5000", None, 5000).status == "warning"
    f = check_lan_address("https://vote.example.lan/", None, 5000)
    assert f.status == "ok"
    assert "https://vote.example.lan" in f.message and "PUBLIC_URL" in f.message


def test_phones_use_the_public_url_or_the_lan_address_over_http_then_https() -> None:
    assert phone_urls("https://vote.example.lan/", "10.0.0.5", 5000) == ["https://vote.example.lan"]
    assert phone_urls(None, "10.0.0.5", 5002) == ["http://10.0.0.5:5002", "https://10.0.0.5:5002"]


# --- 1b. The port ----------------------------------------------------------------------


def test_a_port_in_use_is_a_problem_before_serving(occupied_port: int) -> None:
    assert port_in_use("0.0.0.0", occupied_port)
    f = check_port_free("0.0.0.0", occupied_port)
    assert f.status == "problem"
    assert f"Cổng {occupied_port} đã có chương trình khác dùng" in f.message
    assert f"--port {occupied_port + 1}" in f.message


def test_a_free_port_can_be_bound() -> None:
    port = free_port()
    assert not port_in_use("0.0.0.0", port)
    f = check_port_free("0.0.0.0", port)
    assert f.status == "ok"
    assert f"Cổng {port} còn trống" in f.message


def test_a_host_that_is_not_this_machine_is_a_problem() -> None:
    f = check_port_free("203.0.113.77", free_port())  # TEST-NET-3, never this machine
    assert f.status == "problem"
    assert "0.0.0.0" in f.message


def test_a_server_answering_healthz_is_ok_on_a_lan_address() -> None:
    lan = doctor.lan_address()
    if lan is None:
        pytest.skip("this machine has no LAN address")
    with http_server(host="0.0.0.0") as port:
        f = check_port_answers(phone_urls(None, lan, port), port)
    assert f.status == "ok"
    assert f"http://{lan}:{port}/healthz" in f.message


def test_a_server_answering_only_on_loopback_is_a_warning() -> None:
    with http_server() as port:
        f = check_port_answers([f"http://127.0.0.1:{port}"], port)
    assert f.status == "warning"
    assert "điện thoại không tới được" in f.message


def test_a_self_signed_https_server_is_accepted_after_http_fails(
    self_signed: ssl.SSLContext,
) -> None:
    with http_server(tls=self_signed) as port:
        f = check_port_answers(phone_urls(None, "127.0.0.1", port), port)
    assert f.status == "warning"  # loopback, but answered over https
    assert f"https://127.0.0.1:{port}/healthz" in f.message


def test_a_redirect_to_https_is_followed_and_reported(self_signed: ssl.SSLContext) -> None:
    # What `voting serve --https` answers a phone that typed http://.
    with http_server(tls=self_signed) as tls_port:
        location = f"https://127.0.0.1:{tls_port}/healthz"
        with http_server(status=302, location=location) as port:
            f = check_port_answers([f"http://127.0.0.1:{port}"], port)
    assert f.status == "warning"  # loopback, but answered after the redirect
    assert f"Máy chủ trả lời tại {location}." in f.message


def test_another_program_on_the_port_is_a_problem() -> None:
    with http_server(status=404, body=b"") as port:
        f = check_port_answers([f"http://127.0.0.1:{port}"], port)
    assert f.status == "problem"
    assert "trả lời 404" in f.message
    with http_server(body=b"<html>router</html>") as port:
        assert check_port_answers([f"http://127.0.0.1:{port}"], port).status == "problem"


def test_nothing_answering_is_a_problem_naming_host_and_firewall() -> None:
    port = free_port()
    f = check_port_answers([f"http://127.0.0.1:{port}"], port, timeout=0.5)
    assert f.status == "problem"
    assert "--host 0.0.0.0" in f.message and f"ufw allow {port}/tcp" in f.message


def test_a_listening_socket_that_never_answers_times_out_as_a_problem(occupied_port: int) -> None:
    f = check_port_answers([f"http://127.0.0.1:{occupied_port}"], occupied_port, timeout=0.3)
    assert f.status == "problem"


# --- 2. Open files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("soft", "hard", "status"),
    [
        (256, 1023, "problem"),
        (1023, 1023, "problem"),
        (1024, 1024, "warning"),
        (1024, 4095, "warning"),
        (1024, 4096, "ok"),
        (256, INFINITY, "ok"),
        (INFINITY, INFINITY, "ok"),
    ],
)
def test_open_file_limit_boundaries(soft: int, hard: int, status: str) -> None:
    f = check_open_files(soft, hard)
    assert f.check == "open_files"
    assert f.status == status
    if status != "ok":
        assert "ulimit -n" in f.message and "/etc/security/limits.conf" in f.message
        assert f"giới hạn cứng {hard}" in f.message


def test_open_files_says_how_many_phones_the_hard_limit_allows() -> None:
    assert "khoảng 896 điện thoại" in check_open_files(1024, 1024).message
    assert "khoảng 872 điện thoại" in check_open_files(256, 1000).message


def test_open_files_reports_both_limits_and_that_serve_raises_the_soft_one() -> None:
    f = check_open_files(1024, 524288)
    assert "giới hạn mềm 1024, giới hạn cứng 524288" in f.message
    assert "tự nâng giới hạn mềm lên 524288" in f.message
    assert "không giới hạn" in check_open_files(256, INFINITY).message
    assert "tự nâng" not in check_open_files(8192, 8192).message


# --- 3. Time zone and clock ------------------------------------------------------------


def test_the_vietnam_zone_loads() -> None:
    assert check_timezone("Asia/Ho_Chi_Minh").status == "ok"
    assert check_timezone("Asia/Saigon").status == "ok"  # the old name, same offset


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "Asia", "", "../etc/passwd"])
def test_a_zone_that_cannot_load_is_a_problem(name: str) -> None:
    f = check_timezone(name)
    assert f.status == "problem"
    assert "tzdata" in f.message and "BABEL_DEFAULT_TIMEZONE=Asia/Ho_Chi_Minh" in f.message


def test_a_zone_other_than_vietnam_is_a_warning() -> None:
    f = check_timezone("Europe/Paris", dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
    assert f.status == "warning"
    assert "UTC+01:00" in f.message and "UTC+07:00" in f.message


NOW = dt.datetime(2026, 11, 23, 1, 15, 2, tzinfo=dt.UTC)  # 08:15:02 in Vietnam


def test_the_clock_shows_vietnam_time_for_the_wall_clock() -> None:
    f = check_clock(NOW, None, 2026, VIETNAM)
    assert f.status == "ok"
    assert "08:15:02 thứ Hai, 23/11/2026 (giờ Việt Nam)" in f.message


def test_a_clock_behind_the_newest_stored_time_is_a_warning() -> None:
    stored = NOW.replace(tzinfo=None)
    assert check_clock(NOW, stored + dt.timedelta(seconds=59), 2026, VIETNAM).status == "ok"
    f = check_clock(NOW, stored + dt.timedelta(minutes=1, seconds=1), 2026, VIETNAM)
    assert f.status == "warning"
    assert "sớm hơn bản ghi mới nhất" in f.message and "08:16:03" in f.message
    assert "timedatectl" in f.message


def test_a_clock_before_the_release_year_is_a_warning() -> None:
    assert check_clock(NOW, None, 2026, VIETNAM).status == "ok"
    f = check_clock(dt.datetime(2025, 12, 31, 16, 59, tzinfo=dt.UTC), None, 2026, VIETNAM)
    assert f.status == "warning"
    assert "trước năm 2026" in f.message and "23:59:00" in f.message


def test_the_release_year_comes_from_the_newest_migration(tmp_path: Path) -> None:
    assert release_year() >= 2026
    (tmp_path / "versions").mkdir()
    (tmp_path / "versions" / "0099_x.py").write_text('"""x\n\nCreate Date: 2031-02-03\n"""\n')
    assert release_year(tmp_path) == 2031


def test_without_the_zone_the_clock_is_shown_in_utc() -> None:
    f = check_clock(NOW, None, 2026, None)
    assert "01:15:02" in f.message and "UTC+00:00" in f.message


# --- 4. Disk ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("free", "status"),
    [
        (DISK_PROBLEM - 1, "problem"),
        (DISK_PROBLEM, "warning"),
        (DISK_WARNING - 1, "warning"),
        (DISK_WARNING, "ok"),
    ],
)
def test_disk_boundaries(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, free: int, status: str
) -> None:
    asked = fake_disk(monkeypatch, free)
    f = check_disk(tmp_path)
    assert asked == [tmp_path]
    assert f.status == status
    if status != "ok":
        assert "WAL" in f.message and "voting backup" in f.message


def test_a_large_database_needs_twice_its_size(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_disk(monkeypatch, 2 * DISK_WARNING)
    assert check_disk(tmp_path, database_bytes=DISK_WARNING).status == "ok"
    f = check_disk(tmp_path, database_bytes=DISK_WARNING + MIB)
    assert f.status == "warning"
    assert "2,0 GB" in f.message


def test_disk_of_a_folder_not_yet_created_is_its_parent(tmp_path: Path) -> None:
    f = check_disk(tmp_path / "instance" / "deeper")
    assert f.check == "disk"
    assert str(tmp_path) in f.message
    assert not (tmp_path / "instance").exists()


# --- 5. Database -----------------------------------------------------------------------


def test_a_migrated_database_is_intact_and_at_head(app: Flask) -> None:
    f = check_database(app.config["SQLALCHEMY_DATABASE_URI"])
    assert f.status == "ok"
    assert "nguyên vẹn" in f.message and f"({HEAD})" in f.message


def test_a_database_not_yet_created_is_a_warning_and_stays_uncreated(tmp_path: Path) -> None:
    path = tmp_path / "voting.db"
    f = check_database(f"sqlite:///{path}")
    assert f.status == "warning"
    assert "`voting serve` sẽ tạo" in f.message
    assert not path.exists()
    path.touch()  # an empty file is a database not yet created, too
    assert check_sqlite(path).status == "warning"


def test_a_file_that_is_not_a_database_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "voting.db"
    path.write_bytes(b"this is not SQLite " * 200)
    f = check_sqlite(path)
    assert f.status == "problem"
    assert "bị hỏng" in f.message and "voting restore" in f.message


def test_a_corrupted_page_is_found_by_quick_check(app: Flask) -> None:
    path = database_file(app)
    release(app)
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'users'").fetchone()[0]
    with path.open("r+b") as f:  # the users table's page: its cell pointers overwritten
        f.seek((root - 1) * page_size + 8)
        f.write(b"\xff" * 64)
    f = check_sqlite(path)
    assert f.status == "problem"
    # Found by quick_check, or already when SQLite reads the damaged page: either way
    # the chair is told the file is damaged and what to do.
    assert "bị hỏng" in f.message and "voting restore" in f.message
    assert "quick_check" in f.message or "malformed" in f.message
    assert "\n" not in f.message


def test_a_schema_behind_head_is_a_warning(tmp_path: Path) -> None:
    previous = SCRIPT.get_revision(HEAD).down_revision
    assert isinstance(previous, str)
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "DATABASE_URL": url})
    with app.app_context():
        from voting.schema import upgrade

        upgrade(revision=previous)
    release(app)
    f = check_database(url)
    assert f.status == "warning"
    assert f"phiên bản {previous}" in f.message and f"mới nhất là {HEAD}" in f.message
    assert "voting backup" in f.message


def test_a_schema_from_a_newer_release_is_a_problem(app: Flask) -> None:
    path = database_file(app)
    release(app)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    f = check_sqlite(path)
    assert f.status == "problem"
    assert "9999" in f.message and "mới hơn" in f.message


def test_tables_without_migrations_are_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    f = check_sqlite(path)
    assert f.status == "problem"
    assert "alembic_version" in f.message


@pytest.fixture
def pg_url() -> Iterator[str]:
    services.require_postgres()
    url = services.create_database("voting_doctor")
    yield url
    services.drop_database(url)


def _pg(url: str) -> str:
    return "postgresql+psycopg://" + url.removeprefix("postgresql://")


def test_postgresql_empty_then_migrated(pg_url: str) -> None:
    f = check_database(_pg(pg_url))
    assert f.status == "warning"
    assert "chưa có bảng nào" in f.message
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "DATABASE_URL": pg_url})
    with app.app_context():
        from voting.schema import upgrade

        upgrade()
    release(app)
    f = check_database(_pg(pg_url))
    assert f.status == "ok"
    assert f"({HEAD})" in f.message and "Kết nối được" in f.message


def test_postgresql_database_that_does_not_exist_is_a_problem(pg_url: str) -> None:
    missing = pg_url.rsplit("/", 1)[0] + "/voting_doctor_missing_database"
    f = check_database(_pg(missing))
    assert f.status == "problem"
    assert "createdb voting_doctor_missing_database" in f.message


def test_postgresql_unreachable_is_a_problem() -> None:
    port = free_port()
    f = check_database(f"postgresql+psycopg://voting:secret@127.0.0.1:{port}/voting")
    assert f.status == "problem"
    assert "Không kết nối được" in f.message
    assert "secret" not in f.message  # the password is never printed


def test_a_database_this_app_has_no_driver_for_is_a_problem() -> None:
    f = check_database("mysql+nodriver://u:pw@127.0.0.1/voting")
    assert f.status == "problem"
    assert "SQLite hoặc PostgreSQL" in f.message


# --- Gathering, report, CLI ------------------------------------------------------------


@pytest.fixture
def roomy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with limits and disk fit for a room, whatever runs the tests."""
    monkeypatch.setattr(doctor.resource, "getrlimit", lambda _which: (1024, 65536))
    fake_disk(monkeypatch, 50 * DISK_WARNING)


def test_run_checks_gives_every_check_in_order(app: Flask, roomy: None) -> None:
    findings = run_checks(app, "0.0.0.0", free_port(), listening=False)
    assert [f.check for f in findings] == list(CHECKS)
    assert {f.check: f.status for f in findings} == dict.fromkeys(CHECKS, "ok")
    by_check = {f.check: f for f in findings}
    assert "http://192.0.2.10:5000" in by_check["lan_address"].message  # PUBLIC_URL
    assert "65536" in by_check["open_files"].message


def test_run_checks_reads_the_real_limits_and_lan_address(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PUBLIC_URL", None)
    monkeypatch.setattr(doctor, "lan_address", lambda: None)
    monkeypatch.setattr(doctor.resource, "getrlimit", lambda _which: (512, 512))
    findings = {f.check: f for f in run_checks(app, "0.0.0.0", free_port(), listening=False)}
    assert findings["lan_address"].status == "problem"
    assert findings["open_files"].status == "problem"
    assert "giới hạn mềm 512, giới hạn cứng 512" in findings["open_files"].message


def test_run_checks_finds_the_newest_stored_time(app: Flask, roomy: None) -> None:
    with app.app_context():
        db.session.execute(sa.text("UPDATE users SET created_dt = '2099-01-02 03:04:05.000000'"))
        db.session.commit()
        assert newest_timestamp(db.engine, db.metadata) == dt.datetime(2099, 1, 2, 3, 4, 5)
    clock = {f.check: f for f in run_checks(app, "0.0.0.0", free_port(), listening=False)}["clock"]
    assert clock.status == "warning"
    assert "10:04:05" in clock.message and "02/01/2099 (giờ Việt Nam)" in clock.message


def test_run_checks_while_serving_calls_healthz(
    app: Flask, roomy: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with http_server() as port:
        monkeypatch.setitem(app.config, "PUBLIC_URL", f"http://127.0.0.1:{port}")
        findings = {f.check: f for f in run_checks(app, "0.0.0.0", port, listening=True)}
    assert findings["lan_address"].status == "problem"
    assert findings["port"].status == "warning"
    assert f"http://127.0.0.1:{port}/healthz" in findings["port"].message


def test_print_report_is_true_without_problems(capsys: pytest.CaptureFixture[str]) -> None:
    ok = [Finding("disk", "ok", "Còn 10 GB."), Finding("clock", "warning", "Đồng hồ lệch.")]
    assert print_report(ok) is True
    out = capsys.readouterr().out
    assert "[ỔN]" in out and "Ổ đĩa: Còn 10 GB." in out and "[CẢNH BÁO]" in out
    assert "Không có lỗi; 1 cảnh báo" in out
    assert print_report([*ok, Finding("database", "problem", "Hỏng.")]) is False
    out = capsys.readouterr().out
    assert "[LỖI]" in out and "Cơ sở dữ liệu: Hỏng." in out and "Có 1 lỗi" in out


def test_cli_exits_1_on_a_problem_in_vietnamese(
    app: Flask, monkeypatch: pytest.MonkeyPatch, roomy: None
) -> None:
    port = str(free_port())
    result = app.test_cli_runner().invoke(args=["doctor", "--port", port])
    assert result.exit_code == 0, result.output
    assert "Mọi thứ sẵn sàng." in result.output
    fake_disk(monkeypatch, DISK_PROBLEM - 1)
    result = app.test_cli_runner().invoke(args=["doctor", "--port", port])
    assert result.exit_code == 1
    assert "[LỖI]" in result.output and "Ổ đĩa: Chỉ còn" in result.output


def test_cli_json(app: Flask, monkeypatch: pytest.MonkeyPatch, roomy: None) -> None:
    monkeypatch.setattr(doctor.resource, "getrlimit", lambda _which: (1024, 2048))
    result = app.test_cli_runner().invoke(args=["doctor", "--json", "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] is True
    assert [f["check"] for f in report["findings"]] == list(CHECKS)
    statuses = {f["check"]: f["status"] for f in report["findings"]}
    assert statuses["open_files"] == "warning"
    assert "Số tệp mở tối đa" in report["findings"][2]["message"]  # UTF-8, not \u escapes
    assert "Số tệp" in result.output


def test_cli_takes_a_taken_port_for_the_running_server(
    app: Flask, roomy: None, occupied_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PUBLIC_URL", f"http://127.0.0.1:{occupied_port}")
    result = app.test_cli_runner().invoke(args=["doctor", "--json", "--port", str(occupied_port)])
    assert result.exit_code == 1
    port = next(f for f in json.loads(result.output)["findings"] if f["check"] == "port")
    assert port["status"] == "problem"
    assert "Không gọi được máy chủ bỏ phiếu" in port["message"]


def _doctor(instance: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PUBLIC_URL")}
    env |= {"VOTING_INSTANCE": str(instance), "PUBLIC_URL": "http://192.0.2.10:5000"}
    return subprocess.run(
        [VOTING, "doctor", "--port", str(free_port()), *args],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_voting_doctor_on_a_fresh_instance(tmp_path: Path) -> None:
    result = _doctor(tmp_path, "--json")
    report = json.loads(result.stdout)
    findings = {f["check"]: f for f in report["findings"]}
    assert list(findings) == list(CHECKS)
    problems = [f for f in report["findings"] if f["status"] == "problem"]
    assert result.returncode == (1 if problems else 0), result.stderr
    assert report["ok"] is not problems
    assert findings["database"]["status"] == "warning"
    assert "sẽ tạo" in findings["database"]["message"]
    assert findings["timezone"]["status"] == "ok"
    assert not (tmp_path / "voting.db").exists()  # the doctor creates nothing


def test_voting_doctor_on_a_corrupted_database(tmp_path: Path) -> None:
    (tmp_path / "voting.db").write_bytes(b"\x00garbage" * 512)
    result = _doctor(tmp_path)
    assert result.returncode == 1, result.stderr
    assert "[LỖI]" in result.stdout
    assert "Cơ sở dữ liệu: Cơ sở dữ liệu" in result.stdout and "bị hỏng" in result.stdout
    assert "Có " in result.stdout and "lỗi phải sửa trước cuộc họp" in result.stdout
