"""A server killed mid-burst loses no confirmed ballot and counts none twice.

``voting serve`` runs as a real process on SQLite (WAL, ``synchronous=FULL``).
Sixteen phones cast ballots from a 200-person conference; once 60 have been
confirmed (HTTP 201) the server gets SIGKILL — no shutdown code, no flush.
Restarted on the same instance folder it must hold every confirmed ballot,
with the ballots table, the ``ballots_received`` counter, the used tokens and
the receipts agreeing; the conference must still be open; and a phone whose
request died in flight may simply try again: it is recorded now, or it gets
``already_recorded`` because its commit landed just before the kill.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.conftest import token_of
from tests.security.live import Instance, open_conference

PEOPLE = 200
CLIENTS = 16
KILL_AFTER = 60


def test_sigkill_mid_burst_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    instance = Instance(tmp_path)
    instance.start()
    base = instance.url
    chair, headers = instance.chair()
    conf = open_conference(base, chair, headers, summoned=PEOPLE)
    tokens = [token_of(t) for t in conf["tokens"]]
    assert len(tokens) == PEOPLE

    confirmed: set[int] = set()  # 201 received
    in_flight: set[int] = set()  # the connection died before an answer
    refused: dict[int, int] = {}  # any other answer (there should be none)
    lock = threading.Lock()
    killed = threading.Event()
    local = threading.local()

    def cast(i: int) -> None:
        if killed.is_set():
            return  # never sent: this phone has not tried yet
        if not hasattr(local, "session"):
            local.session = requests.Session()
        try:
            r = local.session.post(
                base + "/api/v1/ballots",
                json={"token": tokens[i], "choices": {"p1": [f"c{1 + i % 3}"]}},
                timeout=30,
            )
        except requests.RequestException:
            with lock:
                in_flight.add(i)
            return
        with lock:
            if r.status_code == 201:
                confirmed.add(i)
                if len(confirmed) >= KILL_AFTER and not killed.is_set():
                    killed.set()
                    instance.kill()
            else:
                refused[i] = r.status_code

    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(cast, range(PEOPLE)))
        assert killed.is_set(), "the burst ended before the kill"
        assert refused == {}, refused
        assert len(confirmed) >= KILL_AFTER

        # The database file as the kill left it, before any restart.
        with instance.sqlite() as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = db.execute("SELECT COUNT(*) FROM ballots").fetchone()[0]
            assert stored >= len(confirmed)
            assert stored <= len(confirmed) + len(in_flight)

        instance.start()
        base = instance.url
        chair, headers = instance.chair()
        after = chair.get(f"{base}/api/v1/conferences/{conf['id']}").json()
        assert after["status"] == "open"
        with instance.sqlite() as db:
            ballots = db.execute("SELECT COUNT(*) FROM ballots").fetchone()[0]
            used = db.execute("SELECT COUNT(*) FROM tokens WHERE state = 'used'").fetchone()[0]
            receipts = db.execute("SELECT COUNT(*) FROM receipts").fetchone()[0]
        assert ballots == after["ballots_received"] == used == receipts == stored
        assert ballots >= len(confirmed)

        # Every confirmed phone that tries again is told its ballot is recorded.
        phone = requests.Session()
        for i in sorted(confirmed)[:10]:
            r = phone.post(base + "/api/v1/ballots", json={"token": tokens[i], "choices": {}})
            assert r.status_code == 409 and r.json()["error"]["code"] == "already_recorded"
        # A phone whose request died in flight tries again: recorded now, or already.
        landed = 0
        for i in sorted(in_flight):
            r = phone.post(base + "/api/v1/ballots", json={"token": tokens[i], "choices": {}})
            assert r.status_code in (201, 409), r.text
            if r.status_code == 409:
                assert r.json()["error"]["code"] == "already_recorded"
                landed += 1
        assert ballots == len(confirmed) + landed
        # The phones that had not sent yet vote as if nothing had happened.
        for i in sorted(set(range(PEOPLE)) - confirmed - in_flight):
            r = phone.post(base + "/api/v1/ballots", json={"token": tokens[i], "choices": {}})
            assert r.status_code == 201, r.text

        # Everyone voted exactly once: nothing lost, nothing doubled.
        final = chair.get(f"{base}/api/v1/conferences/{conf['id']}").json()
        assert final["ballots_received"] == PEOPLE
        with instance.sqlite() as db:
            assert db.execute("SELECT COUNT(*) FROM ballots").fetchone()[0] == PEOPLE
            assert db.execute("SELECT COUNT(*) FROM receipts").fetchone()[0] == PEOPLE
            assert (
                db.execute("SELECT COUNT(*) FROM tokens WHERE state = 'used'").fetchone()[0]
                == PEOPLE
            )
        r = chair.post(f"{base}/api/v1/conferences/{conf['id']}/close", headers=headers)
        assert r.status_code == 200 and r.json()["ballots_received"] == PEOPLE
        print(
            f"crash safety: {len(confirmed)} confirmed before SIGKILL, {stored} stored after, "
            f"{len(in_flight)} in flight ({landed} had landed)"
        )
    finally:
        instance.stop()


def test_sqlite_is_durable_by_configuration(app) -> None:  # type: ignore[no-untyped-def]
    """WAL and synchronous=FULL on every connection: a confirmed commit is on disk."""
    from voting.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
