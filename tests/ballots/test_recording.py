"""Every ballot — phone, booth, paper — is recorded by voting.ballots.recording alone.

The core takes the cast lock, claims the token, moves the counters in the database,
writes the choices in their one canonical spelling and commits before the lock is
released. These tests spy on it from each path, and read the source to check that
nothing else takes the lock or spells a ballot's choices.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.ballots.test_kiosk_binding import cast_json, kiosk, path
from tests.ballots.test_paper_and_booth import booth_link, form, issue_pins, pin
from tests.conftest import Api, token_of
from voting.ballots import recording
from voting.ballots.models import Ballot, Token
from voting.canonical import canonical_json
from voting.extensions import db

ROOT = Path(__file__).resolve().parents[2]
CORE = Path("voting/ballots/recording.py")


class Spy:
    """Records, in order, the core's transactions and the ballots written inside them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[str] = []
        self.published: list[bool] = []
        transaction, write = recording.cast_transaction, recording.write_ballot

        @contextmanager
        def spied_transaction() -> Iterator[None]:
            self.events.append("begin")
            with transaction():
                yield
            self.events.append("committed")

        def spied_write(*args: Any, published: bool) -> None:
            # Under the lock (SQLite) and inside the core's own transaction.
            locked = db.engine.dialect.name != "sqlite" or recording._sqlite_writer._held
            self.events.append("write" if locked else "write-unlocked")
            self.published.append(published)
            write(*args, published=published)

        monkeypatch.setattr(recording, "cast_transaction", spied_transaction)
        monkeypatch.setattr(recording, "write_ballot", spied_write)

    def take(self) -> list[str]:
        events, self.events = self.events, []
        return events


def ballots(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(Ballot.choices)).all())


def test_phone_booth_and_paper_each_go_through_the_one_core(
    app: Flask,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conf = create_conference(summoned=6, present=6, open_it=False)
    cid = conf["id"]
    r = chair_api.post(f"/api/v1/conferences/{cid}/open", json={"paper": 1})
    assert r.status_code == 200, r.get_json()
    slips = r.get_json()["tokens"]
    issue_pins(chair_api, cid)
    spy = Spy(monkeypatch)
    phone = app.test_client()
    recorded = ["begin", "write", "committed"]

    # The JSON API, ballot.js's cast to the slip's page, and the plain form (no JavaScript).
    r = phone.post("/api/v1/ballots", json={"token": token_of(slips[0]), "choices": {"p1": ["c1"]}})
    assert r.status_code == 201 and spy.take() == recorded
    r = cast_json(phone, token_of(slips[1]), ["c2"])
    assert r.status_code == 201 and spy.take() == recorded
    r = phone.post(f"/v/{token_of(slips[2])}", data={"p1.c1": "agree", "p1.c2": "disagree"})
    assert r.status_code == 200 and spy.take() == recorded

    # The booth.
    booth = booth_link(chair_api, cid)
    r = phone.post(f"{booth}/cast", json={"token": slips[3]["code"], "choices": {"p1": []}})
    assert r.status_code == 201 and spy.take() == recorded

    # A refused cast goes through the core too, and writes nothing.
    r = phone.post("/api/v1/ballots", json={"token": token_of(slips[0]), "choices": {"p1": ["c1"]}})
    assert r.status_code == 409 and spy.take() == ["begin"]

    # Paper: each entry is one core transaction; only the matching second writes a ballot.
    assert chair_api.post(f"/api/v1/conferences/{cid}/close").status_code == 200
    data = [("mark", "p1.c2"), ("spoilt", "")]
    entry = f"/c/{cid}/paper/entry"
    assert form(chair_api, entry, [pin(cid, "Người dự 1"), *data]).status_code == 302
    assert spy.take() == ["begin", "committed"]
    assert form(chair_api, entry, [pin(cid, "Người dự 2"), *data]).status_code == 302
    assert spy.take() == recorded

    # Phones and booth outside the live tally until published; paper after the close.
    assert spy.published == [False, False, False, False, True]
    assert ballots(app) == sorted(
        canonical_json(c)
        for c in ({"p1": ["c1"]}, {"p1": ["c2"]}, {"p1": ["c1"]}, {"p1": []}, {"p1": ["c2"]})
    )
    state = chair_api.get(f"/api/v1/conferences/{cid}").get_json()
    assert (state["ballots_received"], state["booth_cast"], state["paper_entered"]) == (5, 1, 1)


def test_the_kiosk_binding_and_double_scan_go_through_the_core(
    app: Flask,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conf = create_conference(summoned=2)
    cid = conf["id"]
    shown = kiosk(chair_api, cid)
    spy = Spy(monkeypatch)
    first, second = app.test_client(), app.test_client()
    assert first.get(path(shown["kiosk_url"])).status_code == 200
    assert spy.take() == ["begin", "committed"]
    # A second phone casting by ballot.js alone is flagged for the chair, once.
    r = cast_json(second, token_of(shown["url"]), ["c1"])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "slip_taken"
    # The refusal names no token: the slip's ids stay on the server.
    assert "details" not in r.get_json()["error"]
    assert spy.take() == ["begin", "begin", "committed"]  # the refused cast, then the flag
    assert kiosk(chair_api, cid, shown["token_id"])["double_scans"] == 1
    with app.app_context():
        contested = db.session.scalars(sa.select(Token).where(Token.contested)).all()
        assert [t.id for t in contested] == [shown["token_id"]]


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def shape(statement: str) -> str:
    """ "UPDATE tokens", "INSERT INTO ballots", "SELECT conferences": the verb and its table."""
    words = statement.replace("(", " ").split()
    if words[0] == "SELECT":
        return f"SELECT {words[1].split('.')[0]}"
    return " ".join(words[:3] if words[0] == "INSERT" else words[:2])


def test_a_cast_is_one_read_and_five_writes_on_every_path(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """Issue 17's budget: the token read, the claim, one counter row, the ballot, the
    agreed candidates, the receipt — from the API, ballot.js and the booth alike."""
    conf = create_conference(summoned=5)
    cid = conf["id"]
    slips = conf["tokens"]
    phone = app.test_client()
    booth = booth_link(chair_api, cid)
    choices = {"p1": ["c1"]}
    casts = [
        lambda: phone.post(
            "/api/v1/ballots", json={"token": token_of(slips[0]), "choices": choices}
        ),
        lambda: phone.post(f"/v/{token_of(slips[1])}", json={"choices": choices}),
        lambda: phone.post(f"{booth}/cast", json={"token": slips[2]["code"], "choices": choices}),
    ]
    phone.post("/api/v1/ballots", json={"token": token_of(slips[3]), "choices": choices})  # warm
    costs = []
    for cast in casts:
        with statements(app) as seen:
            assert cast().status_code == 201
        costs.append([shape(s) for s in seen])
    api, script, at_booth = costs
    assert api == [
        "SELECT tokens",  # the token and its conference, in one query
        "UPDATE tokens",  # the claim
        "UPDATE conferences",  # ballots received
        "INSERT INTO ballots",
        "UPDATE candidates",  # the live count of those agreed with
        "INSERT INTO receipts",
    ]
    assert script == api
    # The booth reads its link's conference first; its own count is the same UPDATE.
    assert at_booth == ["SELECT conferences", *api]


def test_paper_counters_move_in_the_database(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """One UPDATE adds one to ballots received and paper entered, never a value from Python."""
    conf = create_conference(summoned=3, present=3, open_it=False)
    cid = conf["id"]
    assert chair_api.post(f"/api/v1/conferences/{cid}/open", json={"paper": 2}).status_code == 200
    issue_pins(chair_api, cid)
    assert chair_api.post(f"/api/v1/conferences/{cid}/close").status_code == 200
    data = [("mark", "p1.c1"), ("spoilt", "")]
    form(chair_api, f"/c/{cid}/paper/entry", [pin(cid, "Người dự 1"), *data])
    with statements(app) as seen:
        form(chair_api, f"/c/{cid}/paper/entry", [pin(cid, "Người dự 2"), *data])
    counts = [s for s in seen if s.startswith("UPDATE conferences")]
    assert len(counts) == 1, counts
    assert "ballots_received=(conferences.ballots_received +" in counts[0]
    assert "paper_entered=(conferences.paper_entered +" in counts[0]
    claims = [s for s in seen if s.startswith("UPDATE tokens")]
    assert len(claims) == 1 and not [s for s in seen if s.startswith("SELECT tokens")]
    state = chair_api.get(f"/api/v1/conferences/{cid}").get_json()
    assert (state["ballots_received"], state["paper_entered"]) == (1, 1)


def sources() -> Iterator[tuple[Path, str]]:
    for file in sorted((ROOT / "voting").rglob("*.py")):
        relative = file.relative_to(ROOT)
        if relative.parts[1] != "migrations":
            yield relative, file.read_text(encoding="utf-8")


def test_nothing_outside_the_core_takes_the_cast_lock() -> None:
    users = {
        path
        for path, text in sources()
        if re.search(r"\b(serialized_casts|_sqlite_writer|FairLock)\b", text)
    }
    assert users == {CORE}


def test_nothing_outside_the_core_spells_a_ballots_choices() -> None:
    """Choices are serialised once (recording.choices_json), JSON canonically once."""
    spelling = re.compile(r"(json\.dumps|canonical_json)\(\s*[^)]*\bchoices\b")
    assert {path for path, text in sources() if spelling.search(text)} == {CORE}
    canonical = re.compile(r"sort_keys=True,\s*separators=")
    assert {path for path, text in sources() if canonical.search(text)} == {
        Path("voting/canonical.py")
    }
    # Counters of ballots are never read, added to in Python and written back.
    counters = re.compile(r"\b(ballots_received|paper_entered|booth_cast|live_agree)\s*\+=")
    assert not [path for path, text in sources() if counters.search(text)]
    # Ballot rows are inserted by the core alone.
    inserts = re.compile(
        r"(?<!class )\bBallot\(|insert\((_ballots|Ballot)\b|(_ballots|Ballot\.__table__)\.insert\("
    )
    assert {path for path, text in sources() if inserts.search(text)} == {CORE}
