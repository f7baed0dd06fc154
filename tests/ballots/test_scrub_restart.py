"""A server killed right after the close (or the lock) leaves the clean-up owed; its start ends it.

``voting serve`` runs as a real process on SQLite. To make "the scrub did not
run" deterministic, a second process holds a read transaction open across the
close (or the lock), so the scrub can only wait, leave the marker set and
schedule its retry; then the server gets SIGKILL right after the answer, and
the reader is killed too (SIGKILL again: no clean close that could checkpoint
the WAL in the scrub's place). On disk the WAL still pairs every cast with its
token. Started again on the same instance, the server's start-up resume must
clear the marker and empty the WAL before it serves.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import token_of
from tests.security.live import Instance, open_conference
from tests.security.test_storage_order import wal_pairs

BALLOTS = 8
BOUND = 10.0

HOLD = """
import sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, isolation_level=None)
conn.execute("BEGIN")
conn.execute("SELECT count(*) FROM ballots").fetchone()
print("holding", flush=True)
sys.stdin.read()
"""


@contextmanager
def reader_process(db_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A second process with a read transaction open, killed (not closed) at the end."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"holding"
        yield process
    finally:
        process.kill()
        process.wait(10)


def on_disk(instance: Instance) -> dict[str, object]:
    """The files as they are, read without writing or checkpointing anything."""
    wal_path = instance.db_path.with_name(instance.db_path.name + "-wal")
    wal = wal_path.read_bytes() if wal_path.exists() else b""
    conn = sqlite3.connect(f"file:{instance.db_path}?mode=ro", uri=True)
    try:
        marks = dict(conn.execute("SELECT public_id, scrub_pending FROM conferences").fetchall())
        tokens = [r[0] for r in conn.execute("SELECT id FROM tokens")]
        ballots = [r[0] for r in conn.execute("SELECT id FROM ballots")]
    finally:
        conn.close()
    return {"wal": len(wal), "pairs": wal_pairs(wal, tokens, ballots), "marks": marks}


def vote(instance: Instance) -> tuple[dict[str, object], object, dict[str, str]]:
    chair, headers = instance.chair()
    conf = open_conference(instance.url, chair, headers, summoned=BALLOTS)
    for i, issued in enumerate(conf["tokens"]):
        r = chair.post(
            instance.url + "/api/v1/ballots",
            json={"token": token_of(issued), "choices": {"p1": [f"c{1 + i % 3}"]}},
            timeout=30,
        )
        assert r.status_code == 201, r.text
    return conf, chair, headers


@pytest.mark.parametrize("step", ["close", "lock"])
def test_sigkill_after_close_or_lock_then_start_up_finishes_the_scrub(
    tmp_path: Path, step: str
) -> None:
    instance = Instance(tmp_path)
    instance.start()
    try:
        conf, chair, headers = vote(instance)
        base = f"{instance.url}/api/v1/conferences/{conf['id']}"
        if step == "lock":
            r = chair.post(f"{base}/close", headers=headers, timeout=30)
            assert r.status_code == 200, r.text
            assert on_disk(instance)["marks"] == {conf["id"]: 0}  # no reader: done at once
        with reader_process(instance.db_path):
            start = time.monotonic()
            r = chair.post(f"{base}/{step}", headers=headers, timeout=30)
            took = time.monotonic() - start
            assert r.status_code == 200, r.text
            assert took < BOUND, f"the {step} took {took:.1f} s with a reader"
            instance.kill()  # right after the answer: no shutdown code runs
        before = on_disk(instance)
        assert before["marks"] == {conf["id"]: 1}
        assert before["wal"] > 0
        if step == "close":
            # The hazard the marker stands for: each cast's frames, token next to ballot.
            assert before["pairs"] == BALLOTS

        instance.start()  # `voting serve`: upgrade, then resume_pending, then serve
        after = on_disk(instance)
        assert after["marks"] == {conf["id"]: 0}
        assert after["wal"] == 0 and after["pairs"] == 0
        log = instance.log_text()
        assert f"conference {conf['id']} " in log
        assert "is waiting" in log and "retries in the background" in log
        assert "start-up: finishing the secrecy clean-up" in log
        for issued in conf["tokens"]:
            assert token_of(issued) not in log
    finally:
        instance.stop()


RESUME = """
from voting import create_app
from voting.ballots.scrub import pending_ids, resume_pending
app = create_app()
with app.app_context():
    resume_pending()
    print("left", sorted(pending_ids()), flush=True)
"""


def test_several_processes_resume_at_once(tmp_path: Path) -> None:
    """Three processes finish the same owed clean-up together: none fails, the marker clears."""
    import os

    from tests.security.test_storage_order import by_offset

    instance = Instance(tmp_path)
    instance.start()
    try:
        conf, chair, headers = vote(instance)
        with reader_process(instance.db_path):
            r = chair.post(
                f"{instance.url}/api/v1/conferences/{conf['id']}/close", headers=headers, timeout=30
            )
            assert r.status_code == 200, r.text
            instance.kill()
    finally:
        instance.stop()
    assert on_disk(instance)["marks"] == {conf["id"]: 1}

    env = {**os.environ, **instance.env}
    start = time.monotonic()
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", RESUME], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=60) for run in runs]
    took = time.monotonic() - start
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    assert took < 3 * BOUND
    after = on_disk(instance)
    assert after["marks"] == {conf["id"]: 0}
    assert after["pairs"] == 0
    # VACUUM ran: the ballots sit in the file in key order, not in order of arrival.
    raw = instance.db_path.read_bytes()
    with instance.sqlite() as conn:
        ballots = [r[0] for r in conn.execute("SELECT id FROM ballots")]
    assert by_offset(raw, ballots) in (sorted(ballots), sorted(ballots)[::-1])
