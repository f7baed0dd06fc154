"""Saving the set-up again after attendance keeps who was marked present or absent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.conftest import Api


def _attendance(conf: dict[str, Any]) -> dict[str, tuple[bool | None, str]]:
    return {p["name"]: (p["present"], p["absence_reason"]) for p in conf["people"]}


def test_a_roster_saved_after_attendance_keeps_it(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(present=2, open_it=False)
    before = _attendance(conf)
    assert sorted(before.values(), key=str).count((True, "")) == 2
    people = [{"name": p["name"], "title": p["title"], "group": p["group"]} for p in conf["people"]]
    dropped = people.pop()  # one person leaves the roster ...
    people.append({"name": "Người dự mới", "title": "Chuyên viên"})  # ... one joins
    r = chair_api.patch(f"/api/v1/conferences/{conf['id']}", json={"people": people})
    assert r.status_code == 200, r.get_json()
    after = _attendance(chair_api.get(f"/api/v1/conferences/{conf['id']}").get_json())
    assert dropped["name"] not in after
    assert after.pop("Người dự mới") == (None, "")
    assert after == {name: before[name] for name in after}
    # The newcomer is still to be marked: the ballot cannot open yet.
    r = chair_api.post(f"/api/v1/conferences/{conf['id']}/open")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "attendance_incomplete"


def test_a_renamed_person_is_marked_again(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """Attendance follows the roster's line (name, title, group), never a position in it."""
    conf = create_conference(open_it=False)
    people = [{"name": p["name"], "title": p["title"], "group": p["group"]} for p in conf["people"]]
    people[0]["name"] += " Anh"
    people.reverse()
    r = chair_api.patch(f"/api/v1/conferences/{conf['id']}", json={"people": people})
    assert r.status_code == 200, r.get_json()
    after = _attendance(chair_api.get(f"/api/v1/conferences/{conf['id']}").get_json())
    renamed = people[-1]["name"]
    assert after.pop(renamed) == (None, "")
    assert all(present is True for present, _ in after.values())
