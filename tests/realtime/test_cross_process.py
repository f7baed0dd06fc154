"""Two real server processes, one PostgreSQL, one Redis: a ballot cast through
process A shows in the chair's live tally served by process B."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests import services
from tests.servers import Server, login, prepare_instance

pytestmark = pytest.mark.services


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    services.require_postgres()
    services.require_redis()
    database = services.create_database("voting_xproc")
    env = {
        "DATABASE_URL": database,
        "SOCKETIO_MESSAGE_QUEUE": services.REDIS_URL,
        # Both processes share the instance folder, hence the same SECRET_KEY.
        "VOTING_INSTANCE": str(tmp_path),
        "LIVE_TICK_SECONDS": "0.1",
    }
    prepare_instance(env, {"chair": ("chair-password", "chair")})
    log = (tmp_path / "servers.log").open("wb")
    a = Server(env, log)
    b = Server(env, log)
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()
        log.close()
        services.drop_database(database)


def test_ballot_through_a_reaches_the_chair_on_b(two_servers: tuple[Server, Server]) -> None:
    a, b = two_servers
    chair_b, csrf_b = login(b.url, "chair", "chair-password")
    conf = chair_b.post(
        b.url + "/api/v1/conferences",
        headers=csrf_b,
        json={
            "level": "cuc",
            "flow": "term",
            "step": "B4",
            "title": "Hai tiến trình",
            "held_on": "2026-11-23",
            "people": [{"name": f"Người {i}"} for i in range(7)],
            "positions": [
                {"name": "Phó Cục trưởng", "quota": 2, "candidates": [{"name": "A"}, {"name": "B"}]}
            ],
        },
    ).json()
    chair_b.put(
        f"{b.url}/api/v1/conferences/{conf['id']}/attendance",
        headers=csrf_b,
        json={"attendance": [{"person_id": p["id"], "present": True} for p in conf["people"]]},
    )
    tokens = chair_b.post(f"{b.url}/api/v1/conferences/{conf['id']}/open", headers=csrf_b).json()[
        "tokens"
    ]

    tallies: list[dict[str, Any]] = []
    arrived = threading.Event()
    client = socketio.Client(http_session=chair_b)

    @client.on("tally")
    def on_tally(snapshot: dict[str, Any]) -> None:
        tallies.append(snapshot)
        if snapshot["positions"][0]["candidates"][0]["agree"] == 3:
            arrived.set()

    client.connect(
        b.url,
        auth={"conference": conf["id"], "view": "chair"},
        transports=["websocket"],
        wait_timeout=10,
    )
    try:
        time.sleep(0.3)
        assert tallies and tallies[0]["received"] == 0
        phone = __import__("requests").Session()
        # 2k = 6 ballots: the first publication adds 3 and holds 3 back.
        for issued in tokens[:6]:
            token = issued["url"].rsplit("/v/", 1)[1]
            r = phone.post(
                a.url + "/api/v1/ballots", json={"token": token, "choices": {"p1": ["c1"]}}
            )
            assert r.status_code == 201, r.text
        assert arrived.wait(10), tallies[-1:]
        assert tallies[-1]["received"] == 6 and tallies[-1]["published_received"] == 3
    finally:
        client.disconnect()
