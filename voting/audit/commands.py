"""``voting audit verify``, ``voting backup FILE`` and ``voting restore FILE``."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from voting.extensions import db


@click.group("audit", cls=AppGroup)
def audit_group() -> None:
    """Tamper evidence: the audit chain and the locked results."""


#: Exit status of ``voting audit verify`` when nothing was tampered with but the
#: secrecy clean-up is owed somewhere (tampering exits 1, whatever else is found).
EXIT_TRACES = 3


def _echo_traces(traces: list[str]) -> None:
    for trace in traces:
        click.echo(f"traces: {trace}", err=True)
    click.echo(
        f"secrecy clean-up incomplete for {len(traces)} conference(s) -- not tampering. "
        "End whatever holds the database open (a backup, a second process): the running "
        "server retries by itself, and `voting serve` finishes it when it starts.",
        err=True,
    )


@audit_group.command("verify")  # AppGroup: runs in the app context
@click.option(
    "--expect",
    metavar="HEAD",
    help="The chain head printed in the minutes (its short form will do): it must be in "
    "the chain, so a chain cut back or rebuilt is caught.",
)
@click.option(
    "--key",
    "key_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The audit key file (default: audit_key in the instance folder).",
)
def verify_command(expect: str | None, key_file: Path | None) -> None:
    """Recompute the audit chain and every locked result; exit 1 naming the first break.

    Also names each conference whose clean-up of the traces of arrival order is
    still owed (exit 3 when that is all that is wrong).
    """
    from voting.audit.verify import verify_all

    report = verify_all(key_file, expect)
    db.session.rollback()
    if not report.intact:
        for problem in report.problems:
            click.echo(f"broken: {problem}", err=True)
        if report.traces:
            _echo_traces(report.traces)
        click.echo(
            f"audit check FAILED: {len(report.problems)} problem(s) in {report.entries} "
            f"entries checked, {report.locked} locked results",
            err=True,
        )
        sys.exit(1)
    click.echo(report.summary())
    click.echo(f"chain head: {report.head}")
    if expect:
        click.echo(f"printed head {expect} found in the chain")
    if report.traces:
        _echo_traces(report.traces)
        sys.exit(EXIT_TRACES)


def _sqlite_file() -> Path:
    from voting.audit.backup import BackupError, sqlite_path

    url = str(db.engine.url)
    try:
        path = sqlite_path(url)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if path is None:
        click.echo(
            f"{db.engine.url.get_backend_name()}: back up and restore with the database's own "
            'tools, pg_dump and pg_restore (e.g. pg_dump -Fc -f voting.dump "$DATABASE_URL").',
            err=True,
        )
        sys.exit(2)
    return path


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Copy the live SQLite database into FILE (consistent, also while voting goes on)."""
    from voting.audit.backup import BackupError, backup

    source = _sqlite_file()
    try:
        revision = backup(source, file)
    except (BackupError, OSError, sqlite3.Error) as exc:
        raise click.ClickException(f"backup failed: {exc}") from None
    click.echo(f"backup written: {file} ({file.stat().st_size} bytes, schema {revision})")
    click.echo(
        "keep the instance's secret_key and audit_key too: ballot tokens and sessions "
        "depend on the one, checking the audit chain on the other"
    )


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force", is_flag=True, help="Restore even if the database seems in use.")
def restore_command(file: Path, yes: bool, force: bool) -> None:
    """Replace the SQLite database with the backup FILE (stop the server first)."""
    from voting.audit.backup import BackupError, in_use, restore
    from voting.audit.verify import verify_all
    from voting.schema import upgrade

    target = _sqlite_file()
    # Our own pooled connections must not count as "in use".
    db.session.remove()
    db.engine.dispose()
    if in_use(target) and not force:
        raise click.ClickException(
            f"{target} seems to be in use ({target.name}-wal exists): stop the server "
            "first (or pass --force)"
        )
    if not yes:
        click.confirm(
            f"Replace {target} with {file}? Everything recorded since the backup is lost.",
            abort=True,
        )
    try:
        revision = restore(file, target)
    except (BackupError, OSError, sqlite3.Error) as exc:
        raise click.ClickException(f"restore failed: {exc}") from None
    click.echo(f"restored {file} into {target} (schema {revision})")
    upgrade()  # a backup from an older version gets the current schema, as serve would
    report = verify_all()
    db.session.rollback()
    if report.traces:
        click.echo(
            f"note: {len(report.traces)} conference(s) of the backup await the secrecy "
            "clean-up; `voting serve` finishes it when it starts",
            err=True,
        )
    if report.intact:
        click.echo(report.summary())
    else:
        click.echo(
            f"warning: the restored database fails the audit check: {report.problems[0]}",
            err=True,
        )
