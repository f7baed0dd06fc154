"""The schema's revisions from the migration files, and Alembic only when it is needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from tests.servers import VOTING
from voting import create_app
from voting.cli import main
from voting.extensions import db
from voting.schema import MIGRATIONS, current_revisions, revisions, upgrade_if_behind

#: What a serving process whose database is at the head must not carry (11 MB).
MIGRATION_MODULES = ("alembic", "mako", "pygments", "flask_migrate")

_PROBE = """
import json, sys
from tests.servers import VOTING
from voting import create_app
from voting.doctor import run_checks
from voting.schema import upgrade_if_behind
app = create_app({"SECRET_KEY": "k", "DATABASE_URL": sys.argv[1], "LIVE_TICKER": False})
with app.app_context():
    upgraded = upgrade_if_behind()
# What `voting serve` does before it serves: the doctor's checks, the database's included.
findings = {f.check: f.status for f in run_checks(app, "127.0.0.1", 0, listening=False)}
client = app.test_client()
pages = [client.get(p).status_code for p in ("/healthz", "/login")]
loaded = [m for m in sys.argv[2:] if m in sys.modules]
print(json.dumps({"upgraded": upgraded, "database": findings["database"],
                  "pages": pages, "loaded": loaded}))
"""


def _probe(url: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, url, *MIGRATION_MODULES],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_the_revisions_read_from_the_files_are_alembics() -> None:
    script = ScriptDirectory(str(MIGRATIONS))
    graph = revisions()
    assert graph.heads == frozenset(script.get_heads())
    assert graph.known == frozenset(s.revision for s in script.walk_revisions())


def test_a_merge_revision_revises_both_parents(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    for name, down in (("a", None), ("b", "a"), ("c", "a"), ("m", ("b", "c"))):
        (versions / f"{name}.py").write_text(f"revision = {name!r}\ndown_revision = {down!r}\n")
    assert revisions(tmp_path).heads == {"m"}
    (versions / "broken.py").write_text("revision = 'x'\n")
    with pytest.raises(RuntimeError, match=r"broken\.py"):
        revisions(tmp_path)


def test_an_empty_database_is_upgraded_once(tmp_path: Path) -> None:
    app = create_app(
        {"SECRET_KEY": "k", "DATABASE_URL": f"sqlite:///{tmp_path / 'v.db'}", "LIVE_TICKER": False}
    )
    with app.app_context():
        assert current_revisions(db.engine) == set()
        assert upgrade_if_behind() is True
        assert current_revisions(db.engine) == set(revisions().heads)
        assert upgrade_if_behind() is False


def test_a_server_at_head_starts_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v.db'}"
    first = _probe(url)  # migrates: Alembic is loaded for that
    assert first["upgraded"] is True
    assert "alembic" in first["loaded"]  # type: ignore[operator]
    second = _probe(url)
    assert second["upgraded"] is False
    assert second["database"] == "ok"
    assert second["pages"] == [200, 200]
    assert second["loaded"] == []


def test_voting_db_still_offers_flask_migrates_commands(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["db", "--help"], env={"DATABASE_URL": f"sqlite:///{tmp_path}/v.db"}
    )
    assert result.exit_code == 0, result.output
    for command in ("upgrade", "downgrade", "current", "history"):
        assert command in result.output
    # Alembic prints to the stdout it found at import: a real process, not CliRunner's.
    heads = subprocess.run(
        [VOTING, "db", "heads"],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/v.db"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert next(iter(revisions().heads)) in heads.stdout
