"""The database schema: its Alembic migrations, loaded only when the schema must change.

Alembic, with Mako and Pygments that it imports, costs a process 11 MB for as long as it
runs, and every serving process would carry it for a start-up that found nothing to do
(docs/performance.md). So this module knows the revisions from the migration files alone
(their ``revision`` and ``down_revision`` lines), asks the database where it stands with
one query, and imports Flask-Migrate only to upgrade, or for ``voting db …``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, current_app

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class Revisions:
    """This release's migration graph, read from its files."""

    heads: frozenset[str]
    known: frozenset[str]


def _assigned(tree: ast.Module, name: str) -> Any:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise ValueError(f"no {name} = … at the top level")


def revisions(migrations: Path = MIGRATIONS) -> Revisions:
    """Every revision of ``migrations/versions`` and the heads (those nothing revises)."""
    known: set[str] = set()
    revised: set[str] = set()
    for path in sorted((migrations / "versions").glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            revision = _assigned(tree, "revision")
            down = _assigned(tree, "down_revision")
        except (SyntaxError, ValueError) as exc:
            raise RuntimeError(f"{path.name}: not a migration ({exc})") from exc
        known.add(str(revision))
        if isinstance(down, str):
            revised.add(down)
        elif isinstance(down, (tuple, list)):  # a merge revises several
            revised.update(str(d) for d in down)
    return Revisions(heads=frozenset(known - revised), known=frozenset(known))


def current_revisions(engine: sa.engine.Engine) -> set[str]:
    """The revisions the database is at; empty for a database with no schema yet."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return set()
        rows = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
        return {str(row[0]) for row in rows}


def _migrate(app: Flask) -> None:
    """Flask-Migrate's configuration, made on first use (it imports Alembic)."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        from voting.extensions import db

        Migrate(app, db, directory=str(MIGRATIONS))


def upgrade(revision: str = "head") -> None:
    """Upgrade the current app's database to ``revision`` (this release's head)."""
    _migrate(current_app._get_current_object())  # type: ignore[attr-defined]
    from flask_migrate import upgrade as alembic_upgrade

    alembic_upgrade(revision=revision)


def downgrade(revision: str) -> None:
    """Downgrade the current app's database to ``revision`` (the migrations' own tests)."""
    _migrate(current_app._get_current_object())  # type: ignore[attr-defined]
    from flask_migrate import downgrade as alembic_downgrade

    alembic_downgrade(revision=revision)


def upgrade_if_behind() -> bool:
    """Upgrade only when the database is not at the head; whether it did."""
    from voting.extensions import db

    if current_revisions(db.engine) == set(revisions().heads):
        return False
    upgrade()
    return True


class _MigrationCommands(click.Group):
    """``voting db …``: Flask-Migrate's commands, imported when one is asked for."""

    def _commands(self) -> click.Group:
        _migrate(current_app._get_current_object())  # type: ignore[attr-defined]
        from flask_migrate.cli import db

        return db

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # Flask-Migrate's group parses its own options (--directory, -x) and runs its
        # callback: the context is its, so click invokes it, not this stand-in.
        return self._commands().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self._commands().list_commands(ctx))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._commands().get_command(ctx, cmd_name)


def init_app(app: Flask) -> None:
    app.cli.add_command(_MigrationCommands("db", help="Flask-Migrate's migration commands."))
