"""A form part whose name cannot be read is refused as malformed, not a crash."""

from __future__ import annotations

from flask import Flask

from tests.conftest import Api

BODY = (
    b'--B\r\nContent-Disposition: form-data; name="\n"\r\n\r\nnull\r\n'
    b'--B\r\nContent-Disposition: form-data; name="met_on"\r\n\r\n2000-01-01\r\n--B--\r\n'
)


def test_a_nameless_form_part_is_a_400_with_a_stable_code(app: Flask, chair_api: Api) -> None:
    before = chair_api.get("/api/v1/processes").get_json()
    r = chair_api.client.post(
        "/api/v1/processes/x/steps/B3/consult/file",
        data=BODY,
        content_type="multipart/form-data; boundary=B",
        headers={"X-CSRFToken": chair_api.csrf},
    )
    assert r.status_code == 400, r.get_data()
    assert r.get_json()["error"]["code"] == "bad_request"
    assert chair_api.get("/api/v1/processes").get_json() == before
    page = chair_api.client.post(
        "/processes/new", data=BODY, content_type="multipart/form-data; boundary=B"
    )
    assert page.status_code == 400
