"""Survive a restart at any moment: real ``voting serve`` processes, stopped and started.

One conference goes through every phase with the server restarted between
them — set-up, attendance taken, open during hand-out (some slips handed out
and used, some not), open mid-voting (a phone loaded its ballot before the
restart and submits after), closed, locked. The restarted server redraws the
QR sheet and the kiosk from the database and SECRET_KEY alone (no secret was
ever kept), so every person present votes exactly once, and the result and
the minutes count what was issued, voided and cast.

Then two server processes on one database at once (an SQLite file, and
PostgreSQL where it is reachable): the ballot opened through process A, its
slips drawn and voted through process B.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import requests

from tests import services
from tests.conftest import conference_payload, token_of
from tests.servers import Server, login, prepare_instance

CHAIR = ("chair", "chair-password")


class Instance:
    """An instance folder (SQLite file, generated secret key) and the server on it now."""

    def __init__(self, folder: Path, database: str | None = None) -> None:
        self.folder = folder
        self.env = {
            "VOTING_INSTANCE": str(folder),
            "DATABASE_URL": database or f"sqlite:///{folder / 'voting.db'}",
            "PYTHONUNBUFFERED": "1",
        }
        # No SECRET_KEY: it is generated once into the instance folder and read
        # back by every server started on it, as in production.
        prepare_instance(self.env, {CHAIR[0]: (CHAIR[1], "chair")})
        self.log: IO[bytes] = (folder / "server.log").open("ab")
        self.servers: list[Server] = []

    def start(self) -> Server:
        server = Server(self.env, self.log)
        self.servers.append(server)
        return server

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        self.log.close()


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[Instance]:
    inst = Instance(tmp_path)
    try:
        yield inst
    finally:
        inst.close()


class Chair:
    """The chair's browser session: it outlives a restart (the cookie is signed by the key)."""

    def __init__(self, server: Server, *, same_as: Chair | None = None) -> None:
        if same_as is None:
            self.session, self.headers = login(server.url, *CHAIR)
        else:
            self.session, self.headers = same_as.session, same_as.headers
        self.base = server.url

    def on(self, server: Server) -> Chair:
        self.base = server.url
        return self

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, timeout=30)

    def json(self, path: str) -> Any:
        r = self.get(path)
        assert r.status_code == 200, r.text
        return r.json()

    def post(self, path: str, json: Any = None) -> requests.Response:
        return self.session.post(self.base + path, json=json, headers=self.headers, timeout=60)

    def put(self, path: str, json: Any) -> requests.Response:
        return self.session.put(self.base + path, json=json, headers=self.headers, timeout=30)

    def form(self, path: str, data: list[tuple[str, str]]) -> requests.Response:
        data = [*data, ("csrf_token", self.headers["X-CSRFToken"])]
        return self.session.post(self.base + path, data=data, timeout=60, allow_redirects=False)

    def sheet(self, cid: str) -> list[str]:
        r = self.get(f"/c/{cid}/handout/sheet")
        assert r.status_code == 200, r.text
        return re.findall(r'<p class="slip-code">([^<]+)</p>', r.text)

    def kiosk(self, cid: str, shown: str | None = None) -> dict[str, Any]:
        return dict(
            self.json(
                f"/api/v1/conferences/{cid}/handout" + (f"?token_id={shown}" if shown else "")
            )
        )

    def kiosk_next(self, cid: str, shown: str | None) -> dict[str, Any]:
        r = self.post(f"/api/v1/conferences/{cid}/handout/next", json={"token_id": shown})
        assert r.status_code == 200, r.text
        return dict(r.json())


def cast(base: str, credential: str, choices: list[str]) -> requests.Response:
    """A phone casting as ballot.js does (no session, the token is the credential)."""
    return requests.post(
        base + "/api/v1/ballots", json={"token": credential, "choices": {"p1": choices}}, timeout=60
    )


def path_of(url: str) -> str:
    """A ballot URL without its origin (each test server has its own port)."""
    return "/v/" + token_of(url)


def restart(inst: Instance, server: Server, chair: Chair) -> Server:
    server.stop()
    assert server.process.returncode is not None
    new = inst.start()
    chair.on(new)
    return new


def test_restart_in_every_phase(instance: Instance) -> None:
    server = instance.start()
    chair = Chair(server)

    # ------------------------------------------------------------ set-up, then restart
    r = chair.post("/api/v1/conferences", json=conference_payload(summoned=8))
    assert r.status_code == 201, r.text
    conf = r.json()
    cid = conf["id"]
    server = restart(instance, server, chair)
    assert chair.json(f"/api/v1/conferences/{cid}")["status"] == "draft"

    # ------------------------------------------------------------ attendance, then restart
    people = chair.json(f"/api/v1/conferences/{cid}")["people"]
    r = chair.put(
        f"/api/v1/conferences/{cid}/attendance",
        json={
            "attendance": [
                {"person_id": p["id"], "present": i < 7, "reason": "" if i < 7 else "Đi công tác"}
                for i, p in enumerate(people)
            ]
        },
    )
    assert r.status_code == 200, r.text
    server = restart(instance, server, chair)
    people = chair.json(f"/api/v1/conferences/{cid}")["people"]
    assert sum(1 for p in people if p["present"]) == 7

    # ------------------------------------------------------------ open: hand-out begins
    r = chair.post(f"/api/v1/conferences/{cid}/open", json={"paper": 1})
    assert r.status_code == 200, r.text
    opened = {t["code"]: path_of(t["url"]) for t in r.json()["tokens"]}
    assert len(opened) == 6  # 7 present, one votes on paper
    assert sorted(chair.sheet(cid)) == sorted(opened)
    # The committee's one-time PINs, shown once now; they must outlive every restart.
    r = chair.form(f"/c/{cid}/paper/pins", [])
    assert r.status_code == 200, r.text[:300]
    pins = dict(
        re.findall(
            r'<tr data-member="([^"]+)"><td>[^<]+</td><td><code class="code" data-pin>([^<]+)<',
            r.text,
        )
    )
    assert set(pins) == {"Người dự 1", "Người dự 2"}, pins
    cast_choices: dict[str, list[str]] = {}  # slip code -> what its holder agreed with

    # Slip A from the kiosk, scanned; slip B after "next", typed on the phone's form.
    a = chair.kiosk(cid)
    assert a["remaining"] == 6 and path_of(a["url"]) == opened[a["code"]]
    assert cast(server.url, token_of(a["url"]), ["c1"]).status_code == 201
    cast_choices[a["code"]] = ["c1"]
    b = chair.kiosk_next(cid, a["token_id"])
    assert b["remaining"] == 5 and b["code"] != a["code"]
    r = requests.post(f"{server.url}/v/{b['code']}", data={"p1.c2": "agree"}, timeout=60)
    assert r.status_code == 200 and 'class="receipt"' in r.text, r.text[:500]
    cast_choices[b["code"]] = ["c2"]
    unused = sorted(set(opened) - {a["code"], b["code"]})
    assert sorted(chair.sheet(cid)) == unused
    server = restart(instance, server, chair)

    # ------------------------------------------------------------ after the restart: nothing lost
    # The new process never saw the ballot open; it draws exactly the four unused slips,
    # each with the very URL issued at the opening.
    assert sorted(chair.sheet(cid)) == unused
    shown = chair.kiosk(cid)
    assert shown["remaining"] == 4 and shown["code"] in unused
    assert path_of(shown["url"]) == opened[shown["code"]]
    again = chair.kiosk_next(cid, shown["token_id"])
    assert again["code"] in unused and again["code"] != shown["code"]
    # A lost slip is voided by the code on the redrawn sheet and replaced.
    lost, c_code, d_code, e_code = unused
    r = chair.post(f"/api/v1/conferences/{cid}/tokens/void", json={"code": lost})
    assert r.status_code == 200, r.text
    replacement = r.json()["replacement"]
    assert sorted(chair.sheet(cid)) == sorted([c_code, d_code, e_code, replacement["code"]])
    # Phones C and D load their ballot page; the server restarts before they submit.
    page_c = requests.get(server.url + opened[c_code], timeout=30)
    page_d = requests.get(server.url + opened[d_code], timeout=30)
    assert page_c.status_code == page_d.status_code == 200
    found = re.search(r'data-credential="([^"]+)"', page_d.text)
    cast_url = re.search(r'data-cast-url="([^"]+)"', page_d.text)
    assert found and cast_url, page_d.text[:800]
    server = restart(instance, server, chair)

    # ------------------------------------------------------------ mid-voting: the phones submit
    r = requests.post(
        server.url + opened[c_code], data={"p1.c1": "agree", "p1.c2": "agree"}, timeout=60
    )
    assert r.status_code == 200 and 'class="receipt"' in r.text, r.text[:500]
    cast_choices[c_code] = ["c1", "c2"]
    r = requests.post(
        server.url + cast_url.group(1),
        json={"token": found.group(1), "choices": {"p1": ["c3"]}},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    cast_choices[d_code] = ["c3"]
    # Replays and the voided slip are still refused after the restart.
    r = cast(server.url, token_of(opened[a["code"]]), ["c2"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_recorded"
    r = cast(server.url, lost, ["c2"])
    assert r.status_code == 410 and r.json()["error"]["code"] == "token_void"
    # The kiosk hands out the last two (E and the replacement), one after the other.
    choices_left = [[], ["c1", "c3"]]
    shown_id = None
    for choices in choices_left:
        state = chair.kiosk(cid, shown_id)
        assert state["code"] in (e_code, replacement["code"])
        assert cast(server.url, token_of(state["url"]), choices).status_code == 201
        cast_choices[state["code"]] = choices
        shown_id = state["token_id"]
    done = chair.kiosk(cid, shown_id)
    assert (done["remaining"], done["token_id"]) == (0, None)
    assert chair.sheet(cid) == []
    state = chair.json(f"/api/v1/conferences/{cid}")
    assert state["ballots_received"] == 6
    assert chair.post(f"/api/v1/conferences/{cid}/close").status_code == 200
    server = restart(instance, server, chair)

    # ------------------------------------------------------------ closed: paper, then lock
    state = chair.json(f"/api/v1/conferences/{cid}")
    assert state["status"] == "closed" and state["ballots_received"] == 6
    assert chair.sheet(cid) == [] and chair.kiosk(cid)["token_id"] is None
    r = cast(server.url, token_of(replacement["url"]), ["c1"])
    assert r.status_code == 409
    for member in ("Người dự 1", "Người dự 2"):
        r = chair.form(
            f"/c/{cid}/paper/entry", [("pin", pins[member]), ("mark", "p1.c1"), ("mark", "p1.c3")]
        )
        assert r.status_code == 302, r.text[:300]
    paper = ["c1", "c3"]
    assert chair.json(f"/api/v1/conferences/{cid}")["paper_entered"] == 1
    server = restart(instance, server, chair)
    r = chair.post(f"/api/v1/conferences/{cid}/lock")
    assert r.status_code == 200, r.text
    server = restart(instance, server, chair)

    # ------------------------------------------------------------ locked: the truthful count
    state = chair.json(f"/api/v1/conferences/{cid}")
    assert state["status"] == "locked"
    result = chair.json(f"/c/{cid}/result.json")
    # Every person present voted exactly once: six slips (one a replacement) and one paper.
    assert sorted(cast_choices) == sorted({*opened, replacement["code"]} - {lost})
    assert result["tokens"] == {"issued": 8, "voided": 1, "paper": 1}
    assert result["returned"] == {"phone": 6, "booth": 0, "paper": 1}
    decision = result["decision"]
    assert decision["ballots"] == {"received": 7, "valid": 7, "invalid": 0}
    ballots = [*cast_choices.values(), paper]
    expected = {c: sum(c in b for b in ballots) for c in ("c1", "c2", "c3")}
    assert expected == {"c1": 4, "c2": 2, "c3": 3}
    agree = {c["id"]: c["agree"] for c in decision["positions"][0]["candidates"]}
    assert agree == expected
    stored = sorted(sorted(b.get("p1", [])) for b in result["decide_input"]["ballots"])
    assert stored == sorted(sorted(b) for b in ballots)
    minutes = chair.get(f"/c/{cid}/minutes/counting?lang=vi").text
    assert (
        "Số phiếu phát ra: 07 (bảy) phiếu, gồm 06 (sáu) phiếu điện tử và 01 (một) phiếu giấy"
        " (đã hủy và cấp lại 01 (một) phiếu)." in minutes
    )
    assert (
        "Số phiếu thu về: 07 (bảy) phiếu (bỏ phiếu trên điện thoại 06 (sáu); phiếu giấy 01 (một))."
        in minutes
    )
    assert "không thu về" not in minutes
    with sqlite3.connect(instance.folder / "voting.db") as db:
        states = dict(db.execute("SELECT state, COUNT(*) FROM tokens GROUP BY state").fetchall())
        assert states == {"used": 7, "void": 1}
        assert db.execute("SELECT COUNT(*) FROM ballots").fetchone()[0] == 7
    # Seven restarts, each a process that really ended before the next began.
    assert len(instance.servers) == 8
    assert all(s.process.poll() is not None for s in instance.servers[:-1])


# ---------------------------------------------------------------- two processes at once


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)],
)
def two_processes(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Instance]:
    database = None
    if request.param == "postgresql":
        services.require_postgres()
        database = services.create_database("voting_restart")
    inst = Instance(tmp_path, database)
    try:
        yield inst
    finally:
        inst.close()
        if database:
            services.drop_database(database)


def test_ballot_opened_on_one_process_handed_out_by_another(two_processes: Instance) -> None:
    a = two_processes.start()
    b = two_processes.start()
    chair_a = Chair(a)
    # The same chair session, signed by the shared key, on the other process.
    chair_b = Chair(b, same_as=chair_a)

    r = chair_a.post("/api/v1/conferences", json=conference_payload(summoned=6))
    assert r.status_code == 201, r.text
    conf = r.json()
    cid = conf["id"]
    r = chair_a.put(
        f"/api/v1/conferences/{cid}/attendance",
        json={"attendance": [{"person_id": p["id"], "present": True} for p in conf["people"]]},
    )
    assert r.status_code == 200, r.text
    r = chair_a.post(f"/api/v1/conferences/{cid}/open")
    assert r.status_code == 200, r.text
    opened = {t["code"]: path_of(t["url"]) for t in r.json()["tokens"]}

    # B never opened anything, yet its sheet and kiosk hold every slip.
    assert sorted(chair_b.sheet(cid)) == sorted(opened)
    shown = chair_b.kiosk(cid)
    assert shown["remaining"] == 6 and path_of(shown["url"]) == opened[shown["code"]]
    # "next" answered by either process: another slip, no shared memory needed.
    nxt = chair_a.kiosk_next(cid, shown["token_id"])
    assert nxt["code"] != shown["code"] and nxt["code"] in opened
    assert chair_b.kiosk(cid, nxt["token_id"])["token_id"] == nxt["token_id"]

    # Half the slips vote through A, half through B, taken from B's kiosk and sheet.
    voted = 0
    shown_id: str | None = None
    for i in range(3):
        state = chair_b.kiosk(cid, shown_id)
        target = (a, b)[i % 2]
        assert cast(target.url, token_of(state["url"]), ["c1"]).status_code == 201
        voted += 1
        shown_id = state["token_id"]
        assert chair_a.kiosk(cid)["remaining"] == 6 - voted
    for i, code in enumerate(chair_b.sheet(cid)):
        target = (b, a)[i % 2]
        assert cast(target.url, code, ["c2"]).status_code == 201
        voted += 1
    assert voted == 6
    for chair in (chair_a, chair_b):
        assert chair.sheet(cid) == []
        assert chair.kiosk(cid)["remaining"] == 0
        assert chair.json(f"/api/v1/conferences/{cid}")["ballots_received"] == 6
    assert chair_b.post(f"/api/v1/conferences/{cid}/close").status_code == 200
    result = chair_a.json(f"/api/v1/conferences/{cid}/result")["result"]
    agree = {c["id"]: c["agree"] for c in result["decision"]["positions"][0]["candidates"]}
    assert agree == {"c1": 3, "c2": 3, "c3": 0}
