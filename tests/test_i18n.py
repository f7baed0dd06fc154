"""The translation catalogs: complete, consistent, compiled and in use.

Refresh everything with ``scripts/i18n.sh`` (extract → update → compile), then
translate the new entries in ``voting/translations/vi/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

import ast
import io
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "voting" / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("vi", "en")

# A printf conversion as Python's % operator reads it: %(name)s, %s, %d, %%...
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<conv>[diouxXeEfFgGcrsa%])"
)


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def msgids(catalog: Catalog) -> set[str]:
    return {m.id for m in catalog if m.id}


def placeholders(text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for match in PLACEHOLDER.finditer(text):
        name, conv = match["name"], match["conv"]
        found["%%" if conv == "%" else f"%{conv}" if name is None else f"%({name}){conv}"] += 1
    return found


def pybabel() -> str:
    beside = Path(sys.executable).parent / "pybabel"
    found = str(beside) if beside.exists() else shutil.which("pybabel")
    assert found, "pybabel not found next to the interpreter or on PATH"
    return found


@pytest.fixture(scope="module")
def vi() -> Catalog:
    return load(po_path("vi"), "vi")


# (a) ------------------------------------------------------------------ complete


def test_vietnamese_catalog_is_fully_translated_and_not_fuzzy(vi: Catalog) -> None:
    assert not vi.fuzzy, "the catalog header is marked fuzzy"
    untranslated = [m.id for m in vi if m.id and not m.string]
    fuzzy = [m.id for m in vi if m.id and m.fuzzy]
    assert not untranslated, f"untranslated msgids: {untranslated}"
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert len(msgids(vi)) > 200


def test_no_plural_entries_left_half_translated(vi: Catalog) -> None:
    for m in vi:
        if m.id and m.pluralizable:
            assert all(m.string), m.id


# (b) ------------------------------------------------------------------ placeholders


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_match_between_msgid_and_msgstr(locale: str) -> None:
    problems = []
    for m in load(po_path(locale), locale):
        if not m.id or not m.string:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strs = [m.string] if isinstance(m.string, str) else list(m.string)
        for s in strs:
            if placeholders(s) != placeholders(ids[0]):
                problems.append((ids[0], s))
    assert not problems, problems


def test_every_translation_formats_with_the_msgids_variables(vi: Catalog) -> None:
    """Jinja's newstyle gettext always applies ``%``: a stray '%' would crash a page."""
    for m in vi:
        if not m.id:
            continue
        names = {match["name"] for match in PLACEHOLDER.finditer(m.id) if match["name"]}
        values = {name: 1 for name in names}
        expected = m.id % values
        got = m.string % values
        assert got, m.id
        assert ("%" in expected) == ("%" in got), (m.id, m.string)


def test_python_format_flags_are_consistent(vi: Catalog) -> None:
    errors = [(m.id, errs) for m, errs in vi.check()]
    assert not errors, errors


# (c) ------------------------------------------------------------------ compiled


def _entries(catalog: Catalog) -> dict[object, object]:
    """What gettext looks up: msgid (and context) to msgstr, header excluded.

    Compared as parsed entries, not bytes: the .mo header records the Babel version that
    wrote it ("Generated-By: Babel 2.18.0"), and a fresh install may have another.
    """
    return {(m.context, m.id): m.string for m in catalog if m.id and m.string and not m.fuzzy}


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_mo_is_up_to_date(locale: str) -> None:
    catalog = load(po_path(locale), locale)
    mo = po_path(locale).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run scripts/i18n.sh"
    with mo.open("rb") as f:
        compiled = read_mo(f)
    assert _entries(compiled) == _entries(catalog), f"{mo} is stale: run scripts/i18n.sh"
    assert len(_entries(compiled)) > 200 or locale != "vi"


def test_a_stale_mo_is_detected(tmp_path: Path) -> None:
    """The comparison above fails when one translation differs (it is not vacuous)."""
    catalog = load(po_path("vi"), "vi")
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    compiled = read_mo(buf)
    assert _entries(compiled) == _entries(catalog)
    first = next(m for m in compiled if m.id and m.string)
    first.string = first.string + "!"
    assert _entries(compiled) != _entries(catalog)


# (d) ------------------------------------------------------------------ extraction


@pytest.fixture(scope="module")
def fresh_pot(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """Re-extract with the exact command the project uses (scripts/i18n.sh)."""
    out = tmp_path_factory.mktemp("i18n") / "messages.pot"
    env = {**os.environ, "PYBABEL": pybabel()}
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "i18n.sh"), "extract", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return load(out)


def test_catalogs_match_the_source(fresh_pot: Catalog, vi: Catalog) -> None:
    current = msgids(fresh_pot)
    new = sorted(current - msgids(vi))
    gone = sorted(msgids(vi) - current)
    assert not new, f"strings not in the vi catalog (run scripts/i18n.sh, then translate): {new}"
    assert not gone, f"obsolete strings in the vi catalog (run scripts/i18n.sh): {gone}"


@pytest.mark.parametrize("path", [POT, po_path("en")], ids=["pot", "en"])
def test_other_catalogs_match_the_source(fresh_pot: Catalog, path: Path) -> None:
    assert msgids(load(path)) == msgids(fresh_pot), f"{path} is stale: run scripts/i18n.sh"


def _domain_messages() -> list[tuple[str, int, str]]:
    """Literal messages given to DomainError / invalid_field / error_response, and N_ marks."""
    found = []
    for path in sorted((ROOT / "voting").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            keywords = {"DomainError": 1, "invalid_field": 1, "error_response": 1, "N_": 0}
            index = keywords.get(name or "")
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append((str(path.relative_to(ROOT)), node.lineno, arg.value))
    return found


def test_every_domain_error_message_is_translated(vi: Catalog) -> None:
    """Guards against extractor blind spots (e.g. a marker nested two calls deep)."""
    messages = _domain_messages()
    assert len(messages) > 50
    missing = [m for m in messages if m[2] not in msgids(vi)]
    assert not missing, missing


# (e) ------------------------------------------------------------------ in the app


def test_login_page_is_vietnamese_by_default(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    assert "Tên đăng nhập" in page and "Mật khẩu" in page
    assert "Log in" not in page


def test_login_page_is_english_with_lang_en(client: FlaskClient) -> None:
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in" in page and "User name" in page and "Password" in page
    assert "Đăng nhập" not in page


def test_phone_pages_follow_the_phone_language(client: FlaskClient) -> None:
    """The attendee's pages follow Accept-Language; the chair's stay Vietnamese."""
    english = {"Accept-Language": "en-US,en;q=0.9"}
    assert '<html lang="en">' in client.get("/v", headers=english).get_data(as_text=True)
    vietnamese = {"Accept-Language": "vi-VN,vi;q=0.9"}
    assert '<html lang="vi">' in client.get("/v", headers=vietnamese).get_data(as_text=True)
    assert '<html lang="vi">' in client.get("/v").get_data(as_text=True)
    page = client.get("/login", headers=english).get_data(as_text=True)
    assert "Đăng nhập" in page


def test_error_messages_are_translated(client: FlaskClient) -> None:
    r = client.post("/api/v1/session", json={"username": "chair", "password": "wrong-password"})
    assert r.status_code == 401
    assert r.get_json()["error"] == {
        "code": "bad_credentials",
        "message": "Sai tên đăng nhập hoặc mật khẩu.",
    }
    r = client.post("/api/v1/session?lang=en", json={"username": "chair", "password": "wrong"})
    assert r.get_json()["error"]["message"] == "Wrong user name or password."


def test_http_error_pages_are_translated(client: FlaskClient) -> None:
    r = client.get("/no-such-page")
    assert r.status_code == 404
    assert "Không tìm thấy." in r.get_data(as_text=True)
