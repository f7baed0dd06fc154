"""The app factory's choices: which language a page speaks when nobody chose one."""

from __future__ import annotations

from pathlib import Path

import pytest

from voting import create_app


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
        from flask_migrate import upgrade

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
