"""The app factory's choices: which language a page speaks when nobody chose one."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from voting import create_app
from voting.extensions import db


def _app(tmp_path: Path, **config: object):  # type: ignore[no-untyped-def]
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'v.db'}",
            **config,
        }
    )
    with app.app_context():
        from voting.schema import upgrade

        upgrade()
    return app


@pytest.mark.parametrize(("default", "lang"), [("vi", "vi"), ("en", "en"), ("fr", "vi")])
def test_the_configured_default_locale_is_the_login_pages_language(
    tmp_path: Path, default: str, lang: str
) -> None:
    page = _app(tmp_path, BABEL_DEFAULT_LOCALE=default).test_client().get("/login")
    assert f'<html lang="{lang}"' in page.get_data(as_text=True)


def test_an_explicit_choice_beats_the_default(tmp_path: Path) -> None:
    client = _app(tmp_path, BABEL_DEFAULT_LOCALE="en").test_client()
    assert '<html lang="vi"' in client.get("/login?lang=vi").get_data(as_text=True)


def test_postgresql_keeps_the_configured_pool_and_sqlite_its_default(
    app: Flask, db_backend: str
) -> None:
    """A burst of socket connects must not close and reopen PostgreSQL connections."""
    with app.app_context():
        pool = db.engine.pool
        assert isinstance(pool, sa.pool.QueuePool)
        if db_backend.startswith("postgresql"):
            assert (pool.size(), pool._max_overflow) == (10, 10)
        else:
            assert (pool.size(), pool._max_overflow) == (5, 10)  # SQLAlchemy's for a file
