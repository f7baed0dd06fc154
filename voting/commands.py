"""CLI commands that need the app: ``voting serve``, ``create-user``, ``demo``."""

from __future__ import annotations

import os
import secrets

import click
import sqlalchemy as sa
from flask import Flask, current_app

from voting.audit.commands import audit_group, backup_command, restore_command
from voting.auth.models import User
from voting.auth.operations import create_user
from voting.doctor import doctor_command
from voting.effects import transaction
from voting.errors import DomainError
from voting.extensions import db, socketio
from voting.logs import serve_to_console
from voting.network import lan_address
from voting.schema import upgrade, upgrade_if_behind
from voting.server import FileLimit, connection_cap, raise_open_file_limit


def init_app(app: Flask) -> None:
    app.cli.add_command(serve_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(init_db_command)
    app.cli.add_command(audit_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(doctor_command)


@click.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    upgrade()
    click.echo("database ready")


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "chair", "secretary"]), default="chair")
@click.option("--name", "display_name", default="", help="Full name shown in the minutes.")
@click.password_option(help="At least 8 characters.")
def create_user_command(username: str, role: str, display_name: str, password: str) -> None:
    """Create an account (admin, chair or secretary)."""
    try:
        with transaction():
            create_user(username, password, role, display_name)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"created {role} {username}")


def ensure_first_admin() -> str | None:
    """On an empty database create ``admin`` with a random password; return it."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        return None
    password = secrets.token_urlsafe(9)
    with transaction():
        create_user("admin", password, "admin", "Quản trị viên")
    return password


@click.command("demo")
def demo_command() -> None:
    """Load a ready demo: chair 'chutri' / 'chutri123' and a B3 conference, attendance taken."""
    from voting.demo import load_demo

    conference = load_demo()
    click.echo(f"demo conference ready: /c/{conference.public_id}  (log in as chutri / chutri123)")


@click.command("serve")
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Also load the demo conference.")
@click.option(
    "--https",
    "use_https",
    is_flag=True,
    help="HTTPS with a self-signed certificate for the LAN address (made once, kept).",
)
@click.option("--cert", type=click.Path(exists=True, dir_okay=False), help="TLS certificate (PEM).")
@click.option("--key", type=click.Path(exists=True, dir_okay=False), help="TLS private key (PEM).")
@click.option(
    "--debug",
    is_flag=True,
    help="Werkzeug's development server with the debugger (never in a room).",
)
def serve_command(
    host: str,
    port: int,
    demo: bool,
    use_https: bool,
    cert: str | None,
    key: str | None,
    debug: bool,
) -> None:
    """Migrate the database, then serve the app to the room's LAN (HTTPS with --https)."""
    if bool(cert) != bool(key):
        raise click.UsageError("--cert and --key go together")
    serve_to_console()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    lan = lan_address()
    cert, key, fingerprint = _certificate(app, lan, use_https, cert, key)
    scheme = "https" if cert else "http"
    if cert:
        app.config["SESSION_COOKIE_SECURE"] = True
    # Alembic is imported only when there is something to upgrade (voting.schema).
    upgrade_if_behind()
    from voting.ballots.scrub import resume_pending

    resume_pending()
    password = ensure_first_admin()
    if demo:
        from voting.demo import load_demo

        load_demo()
    public = _public_url(app, lan, scheme, port)
    limit = raise_open_file_limit()
    _preflight(app, host, port)
    _print_start(app, public, f"{scheme}://127.0.0.1:{port}", fingerprint, password, demo)
    if limit.problem:
        click.secho(
            f"  Cảnh báo: giới hạn số tệp mở là {limit.soft} (tối đa {limit.hard}), không nâng"
            f" được ({limit.problem}); chỉ khoảng {connection_cap(limit)} điện thoại kết nối"
            " cùng lúc. Chạy `ulimit -n 65536` trước khi khởi động.",
            fg="yellow",
        )
    _run(app, host, port, debug=debug, cert=cert, key=key, limit=limit)


def _certificate(
    app: Flask, lan: str | None, use_https: bool, cert: str | None, key: str | None
) -> tuple[str | None, str | None, str | None]:
    """The certificate and key to serve with (made for ``--https``) and its fingerprint."""
    if use_https and not cert:
        from voting.tls import ensure_certificate

        made = ensure_certificate(app.instance_path, [lan] if lan else [])
        return str(made.cert_path), str(made.key_path), made.fingerprint
    if cert:
        from voting.tls import fingerprint as read_fingerprint

        with open(cert, "rb") as f:
            return cert, key, read_fingerprint(f.read())
    return cert, key, None


def _public_url(app: Flask, lan: str | None, scheme: str, port: int) -> str:
    """The address phones are sent to: PUBLIC_URL, else set to the LAN address."""
    if not app.config.get("PUBLIC_URL"):
        if lan:
            app.config["PUBLIC_URL"] = f"{scheme}://{lan}:{port}"
        else:
            click.secho(
                "warning: no LAN address found; phones cannot reach 127.0.0.1. Set PUBLIC_URL.",
                fg="yellow",
            )
    return app.config.get("PUBLIC_URL") or f"{scheme}://127.0.0.1:{port}"


def _preflight(app: Flask, host: str, port: int) -> None:
    """The doctor's checks before serving; exits when the port cannot be had."""
    from voting.doctor import print_report, run_checks

    findings = run_checks(app, host, port, listening=False)
    # The full report is `voting doctor`; at start only what needs the chair's eye.
    if any(f.status != "ok" for f in findings):
        print_report([f for f in findings if f.status != "ok"])
    if any(f.check == "port" and f.status == "problem" for f in findings):
        raise SystemExit(1)  # nothing to serve on: the report said why


def _print_start(
    app: Flask,
    public: str,
    local: str,
    fingerprint: str | None,
    password: str | None,
    demo: bool,
) -> None:
    """What the chair needs at start: the addresses, the certificate, the first login."""
    click.echo("")
    click.secho(f"  Phones and the chair open:  {public}", bold=True)
    click.echo(f"  On this computer also:      {local}")
    if fingerprint:
        click.echo(f"  Certificate (SHA-256):      {fingerprint}")
        click.echo("                (phones warn about a self-signed certificate once; compare")
        click.echo("                 the fingerprint the browser shows with this one)")
    if password:
        click.secho(f"  First login:  admin / {password}", bold=True)
        click.echo("                (change it after logging in: click your name at the top)")
    if demo:
        click.echo("  Demo chair:   chutri / chutri123")
    click.echo(f"  Database:     {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")
    click.echo("")


def _run(
    app: Flask,
    host: str,
    port: int,
    *,
    debug: bool,
    cert: str | None,
    key: str | None,
    limit: FileLimit,
) -> None:
    """Serve until stopped: gevent's server in a room, Werkzeug's with ``--debug``."""
    # Flask's CLI marks itself so that app.run() refuses to block; serving is
    # exactly what this command is for.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)
    if debug or socketio.async_mode != "gevent":
        click.secho("  Development server (--debug): not for a meeting room.", fg="yellow")
        socketio.run(
            app,
            host=host,
            port=port,
            debug=debug,
            allow_unsafe_werkzeug=True,
            use_reloader=False,
            ssl_context=(cert, key) if cert else None,
        )
        return
    from voting.server import RoomServer, Timeouts, tls_context

    server = RoomServer(
        (host, port),
        app,
        tls=tls_context(cert, key) if cert and key else None,
        timeouts=Timeouts(
            header=app.config["SERVER_HEADER_SECONDS"],
            idle=app.config["SERVER_IDLE_SECONDS"],
            io=app.config["SERVER_IO_SECONDS"],
        ),
        max_connections=connection_cap(limit, app.config.get("SERVER_MAX_CONNECTIONS")),
        max_per_client=app.config["SERVER_MAX_PER_CLIENT"],
    )
    server.serve_forever()  # until interrupted (SIGINT/SIGTERM stop the process)
