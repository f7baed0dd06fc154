"""Two spellings of one name are one name: no look-alike twin on a ballot or a roster."""

from __future__ import annotations

import unicodedata

from flask import Flask

from tests.conftest import Api, conference_payload

NAME = "Trương Ngọc Ánh"


def test_an_nfd_twin_of_a_candidate_is_refused_naming_the_row(
    app: Flask, chair_api: Api
) -> None:
    payload = conference_payload()
    twin = dict(payload["positions"][0]["candidates"][2])
    twin["name"] = unicodedata.normalize("NFD", NAME)
    assert twin["name"] != NAME and unicodedata.normalize("NFC", twin["name"]) == NAME
    payload["positions"][0]["candidates"].append(twin)
    r = chair_api.post("/api/v1/conferences", json=payload)
    assert r.status_code == 422, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "invalid_field"
    assert error["details"]["field"] == "positions[0].candidates[3].name"
    assert "hai lần" in error["message"]
    assert chair_api.get("/api/v1/conferences").get_json()["conferences"] == []


def test_a_namesake_with_another_post_or_year_is_a_different_person(
    app: Flask, chair_api: Api
) -> None:
    payload = conference_payload()
    namesake = {"name": NAME, "birth_year": 1990, "post": "Chấp hành viên"}
    payload["positions"][0]["candidates"].append(namesake)
    payload["people"].append({"name": "Người dự 1", "title": "Chánh Văn phòng"})
    r = chair_api.post("/api/v1/conferences", json=payload)
    assert r.status_code == 201, r.get_json()


def test_a_roster_twin_is_refused(app: Flask, chair_api: Api) -> None:
    payload = conference_payload()
    payload["people"].append({"name": "Người  dự 3", "title": "trưởng phòng"})
    r = chair_api.post("/api/v1/conferences", json=payload)
    assert r.status_code == 422, r.get_json()
    last = len(payload["people"]) - 1
    assert r.get_json()["error"]["details"]["field"] == f"people[{last}].name"
