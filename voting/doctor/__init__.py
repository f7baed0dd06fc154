"""``voting doctor``: check what breaks a meeting room before the meeting starts.

Each check is a plain function returning a :class:`Finding` (a stable check
code, a status and a Vietnamese message saying what to fix), so it can be
tested alone; only :func:`run_checks` and :func:`newest_timestamp` need the app.
``voting serve`` calls :func:`run_checks` with ``listening=False`` before it
starts serving, and :func:`print_report` to show the result.

The checks live by what they look at: :mod:`.network` (the phones' address and
the port), :mod:`.machine` (open files, disk), :mod:`.clock` (time zone, clock),
:mod:`.database`; :mod:`.report` prints them. This module gathers them for an app.

The messages are plain Vietnamese, not gettext: the chair reads them in a
terminal of the room's laptop, whatever the phones' language.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from voting.doctor.clock import (
    CLOCK_SLACK,
    RELEASE_YEAR,
    VIETNAM_OFFSET,
    check_clock,
    check_timezone,
    load_zone,
    release_year,
    vietnamese_time,
)
from voting.doctor.database import (
    MIGRATIONS,
    check_database,
    check_revisions,
    check_server_database,
    check_sqlite,
    database_exists,
    newest_timestamp,
    sqlite_path,
)
from voting.doctor.finding import CHECKS, Finding, Status
from voting.doctor.machine import (
    DISK_PROBLEM,
    DISK_WARNING,
    MIB,
    MIN_OPEN_FILES,
    RESERVED_FILES,
    ROOM_OPEN_FILES,
    check_disk,
    check_open_files,
    resource,
)
from voting.doctor.network import (
    PROBE_TIMEOUT,
    check_lan_address,
    check_port_answers,
    check_port_free,
    phone_urls,
    port_in_use,
)
from voting.doctor.report import LABELS, STATUS_WORDS, has_problem, print_report, report_json
from voting.network import lan_address

if TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "CHECKS",
    "CLOCK_SLACK",
    "DISK_PROBLEM",
    "DISK_WARNING",
    "LABELS",
    "MIB",
    "MIGRATIONS",
    "MIN_OPEN_FILES",
    "PROBE_TIMEOUT",
    "RELEASE_YEAR",
    "RESERVED_FILES",
    "ROOM_OPEN_FILES",
    "STATUS_WORDS",
    "VIETNAM_OFFSET",
    "Finding",
    "Status",
    "check_clock",
    "check_database",
    "check_disk",
    "check_lan_address",
    "check_open_files",
    "check_port_answers",
    "check_port_free",
    "check_revisions",
    "check_server_database",
    "check_sqlite",
    "check_timezone",
    "database_exists",
    "doctor_command",
    "has_problem",
    "lan_address",
    "load_zone",
    "newest_timestamp",
    "phone_urls",
    "port_in_use",
    "print_report",
    "release_year",
    "report_json",
    "resource",
    "run_checks",
    "sqlite_path",
    "vietnamese_time",
]


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
        zone_name = app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Ho_Chi_Minh"

        database = check_database(url)
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
            check_clock(now, newest, release_year(), load_zone(zone_name)),
            check_disk(Path(app.instance_path), size),
            database,
        ]


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
