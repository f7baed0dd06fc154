"""A process's conference gets its counting committee on the conference's edit page
(issue 19): the ballot stays the process's, the committee counts paper ballots and
signs the counting minutes."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from tests.planning.conftest import TCCB, Flow


def _field(page: str, name: str) -> str:
    textarea = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?([^<]*)</textarea>', page)
    if textarea:
        return html.unescape(textarea.group(1))
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return html.unescape(value.group(1)) if value else ""


def test_the_committee_of_a_process_conference_is_named_on_its_edit_page(
    start_flow: Callable[..., Flow],
) -> None:
    flow = start_flow("phong", "term", {"Trưởng phòng": 1}, department=TCCB)
    flow.source_list("B1", {"Trưởng phòng": ["Lê Thị Phương Tâm"]})
    flow.approve("B2")
    step_page = flow.api.get(f"/p/{flow.public_id}?lang=vi").get_data(as_text=True)
    assert "data-committee-hint" in step_page  # where to name it, said before creating
    conf = flow.conference("B3")
    api, cid = flow.api, conf["id"]
    page = api.get(f"/c/{cid}/edit").get_data(as_text=True)
    assert "readonly" in page  # the ballot is the process's; the committee is not
    fields = ("step", "title", "held_on", "place", "chair_name", "roster", "positions")
    data = {name: _field(page, name) for name in fields}
    head, member = "Phạm Thị Yến", "Bùi Minh Trí"  # Trí is on the ballot: a reason keeps him
    post = {**data, "committee_head": head, "committee_members": "Ai đó"}
    r = api.client.post(f"/c/{cid}/edit", data=post, headers={"X-CSRFToken": api.csrf})
    assert r.status_code == 422 and "Ai đó" in r.get_data(as_text=True)
    post = {**data, "committee_head": head, "committee_members": member}
    r = api.client.post(f"/c/{cid}/edit", data=post, headers={"X-CSRFToken": api.csrf})
    assert r.status_code == 422  # on the ballot, the same rule as the chair's own form
    post["committee_override"] = "Phòng chỉ có năm người"
    r = api.client.post(f"/c/{cid}/edit", data=post, headers={"X-CSRFToken": api.csrf})
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]

    after = api.get(f"/api/v1/conferences/{cid}").get_json()
    assert after["positions"] == conf["positions"]  # the process's ballot, untouched
    roles = {p["name"]: p["committee_role"] for p in after["people"] if p["committee_role"]}
    assert roles == {head: "head", member: "member"}
    marks = [{"person_id": p["id"], "present": True} for p in after["people"]]
    r = api.put(f"/api/v1/conferences/{cid}/attendance", json={"attendance": marks})
    assert r.status_code == 200, r.get_json()
    r = api.post(f"/api/v1/conferences/{cid}/open", json={"paper": 2})
    assert r.status_code == 200, r.get_json()
    assert api.post(f"/api/v1/conferences/{cid}/close").status_code == 200
    # The committee declares the paper ballots not returned: the result shows.
    assert api.post(f"/api/v1/conferences/{cid}/paper/finish").status_code == 200
    minutes = api.get(f"/c/{cid}/minutes/counting").get_data(as_text=True)
    assert head in minutes and member in minutes
