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


def locked_b3(app: Flask, chair_api: Api, make: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    conf = make(step=("cuc", "term", "B3"), summoned=7, positions=POSITIONS)
    phone = app.test_client()
    plan = [["c1", "c2"]] * 2 + [["c1"]] + [[]] * 4
    for url, choice in zip(conf["tokens"], plan, strict=True):
        r = phone.post("/api/v1/ballots", json={"token": token_of(url), "choices": {"p1": choice}})
        assert r.status_code in (200, 201), r.get_json()
    base = f"/api/v1/conferences/{conf['id']}"
    assert chair_api.post(f"{base}/close").status_code == 200
    assert chair_api.post(f"{base}/lock").status_code == 200
    return conf
