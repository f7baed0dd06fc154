"""A locked B3 conference: 7 present, Tâm 3 agree (Đạt, 42,86%), Phúc 2 agree (Không đạt)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.conftest import Api, token_of

POSITIONS = [
    {
        "name": "Phó Cục trưởng",
        "quota": 2,
        "candidates": [
            {"name": "Lê Thị Phương Tâm", "birth_year": 1982, "post": "Phó Trưởng phòng"},
            {"name": "Nguyễn Hoàng Phúc", "birth_year": 1979, "post": "Trưởng phòng"},
        ],
    }
]


def locked_b3(
    app: Flask,
    chair_api: Api,
    make: Callable[..., dict[str, Any]],
    *,
    absent: int = 0,
    before_lock: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """``absent``: that many more summoned, away on business ("Đi công tác");
    ``before_lock(conference_id)``: a change made once the ballot is closed."""
    conf = make(step=("cuc", "term", "B3"), summoned=7 + absent, present=7, positions=POSITIONS)
    phone = app.test_client()
    plan = [["c1", "c2"]] * 2 + [["c1"]] + [[]] * 4
    for url, choice in zip(conf["tokens"], plan, strict=True):
        r = phone.post("/api/v1/ballots", json={"token": token_of(url), "choices": {"p1": choice}})
        assert r.status_code in (200, 201), r.get_json()
    base = f"/api/v1/conferences/{conf['id']}"
    assert chair_api.post(f"{base}/close").status_code == 200
    if before_lock is not None:
        before_lock(conf["id"])
    assert chair_api.post(f"{base}/lock").status_code == 200
    return conf


def locked_b5_tie(
    app: Flask, chair_api: Api, make: Callable[..., dict[str, Any]]
) -> dict[str, Any]:
    """A locked B5 (ranked, quota 2): Tâm 6 agree, Phúc and Ánh 4 each, tied on the last
    seat; the Cục trưởng chose Phúc."""
    conf = make(step=("cuc", "term", "B5"), summoned=7)
    phone = app.test_client()
    plan = [["c1", "c2"]] * 3 + [["c1", "c3"]] * 3 + [["c2", "c3"]]
    for url, choice in zip(conf["tokens"], plan, strict=True):
        r = phone.post("/api/v1/ballots", json={"token": token_of(url), "choices": {"p1": choice}})
        assert r.status_code in (200, 201), r.get_json()
    base = f"/api/v1/conferences/{conf['id']}"
    assert chair_api.post(f"{base}/close").status_code == 200
    r = chair_api.post(
        f"{base}/head-decision", json={"decided_by": "Cục trưởng", "choice": {"p1": ["c2"]}}
    )
    assert r.status_code == 200, r.get_json()
    assert chair_api.post(f"{base}/lock").status_code == 200
    return conf
