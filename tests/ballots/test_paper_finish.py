"""A paper ballot that never comes back must not leave a closed conference stuck.

While paper ballots are outstanding after the close, the result is withheld (entered one
by one, they would show a ballot at a time). A person may leave with theirs: then a tie on
the last seat could be neither seen nor decided, and the result never locked. The
committee declares paper entry finished; the rest count as not returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.ballots.test_paper_and_booth import enter_twice, form, issue_pins, pin
from tests.conftest import Api, token_of
from voting.conferences.models import Conference
from voting.extensions import db


def paper_entered(app: Flask, cid: str) -> int:
    with app.app_context():
        return int(
            db.session.scalar(
                db.select(Conference.paper_entered).where(Conference.public_id == cid)
            )
        )


def test_finishing_paper_entry_shows_the_result_and_unblocks_a_tie(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    # B5 (more than half of the 20 summoned, ranked), quota 2. 17 phones: c1 12, c2 11, c3 11, so
    # c2/c3 tie for the last seat. 3 paper ballots: one comes back (c1 only, which
    # changes no tie), two never do.
    conf = create_conference(step=("cuc", "term", "B5"), summoned=20, open_it=False)
    cid = conf["id"]
    base = f"/api/v1/conferences/{cid}"
    r = chair_api.post(f"{base}/open", json={"paper": 3})
    assert r.status_code == 200, r.get_json()
    tokens = [token_of(t) for t in r.get_json()["tokens"]]
    issue_pins(chair_api, cid)
    assert chair_api.post(f"{base}/paper/finish").get_json()["error"]["code"] == (
        "ballot_not_closed"
    )
    plan = [["c1", "c2"]] * 6 + [["c1", "c3"]] * 6 + [["c2", "c3"]] * 5
    for token, chosen in zip(tokens, plan, strict=True):
        ballot = {"token": token, "choices": {"p1": chosen}}
        r = chair_api.client.post("/api/v1/ballots", json=ballot)
        assert r.status_code == 201, r.get_json()
    assert chair_api.post(f"{base}/close").status_code == 200
    enter_twice(chair_api, cid, ["p1.c1"])
    assert paper_entered(app, cid) == 1

    # Stuck without the new step: the result and the tie are withheld, the lock refused.
    page = chair_api.get(f"/c/{cid}").get_data(as_text=True)
    assert 'id="result-withheld"' in page and 'id="tie"' not in page
    assert 'id="paper-finish"' in page
    r = chair_api.post(f"{base}/lock")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "head_decision_needed"
    # Nor does a draft give the figures away (after each paper entry, one at a time).
    r = chair_api.get(f"{base}/result")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "result_withheld"
    for path in ("minutes/counting", "minutes/conference.pdf", "results.csv", "result.json"):
        assert chair_api.get(f"/c/{cid}/{path}").status_code == 409, path

    # A first entry waiting for its second blocks the declaration.
    form(chair_api, f"/c/{cid}/paper/entry", [pin(cid, "Người dự 1"), ("mark", "p1.c2")])
    r = chair_api.post(f"{base}/paper/finish")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "paper_entry_waiting"
    form(chair_api, f"/c/{cid}/paper/entry", [("action", "discard")])

    # The committee declares the rest not returned (the page's form, as the chair does).
    r = form(chair_api, f"/c/{cid}/paper/entry", [("action", "finish")])
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/c/{cid}")
    page = chair_api.get(f"/c/{cid}").get_data(as_text=True)
    assert 'id="result-withheld"' not in page and 'id="tie"' in page
    assert 'id="paper-finished"' in page and 'id="paper-finish"' not in page
    assert chair_api.get(f"{base}/result").status_code == 200
    assert chair_api.get(f"/c/{cid}/results.csv").status_code == 200
    tally = chair_api.get(f"{base}/tally").get_json()
    agree = {c["id"]: c["agree"] for c in tally["positions"][0]["candidates"]}
    assert agree == {"c1": 13, "c2": 11, "c3": 11}

    # Nothing more can be entered, and the declaration is made once.
    form(chair_api, f"/c/{cid}/paper/entry", [pin(cid, "Người dự 1"), ("mark", "p1.c2")])
    form(chair_api, f"/c/{cid}/paper/entry", [pin(cid, "Người dự 2"), ("mark", "p1.c2")])
    assert paper_entered(app, cid) == 1
    r = chair_api.post(f"{base}/paper/finish")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "no_paper_left"

    # The head decides the tie, the result locks, the minutes count 2 not returned.
    r = chair_api.post(
        f"{base}/head-decision", json={"decided_by": "Cục trưởng", "choice": {"p1": ["c2"]}}
    )
    assert r.status_code == 200, r.get_json()
    assert chair_api.post(f"{base}/lock").status_code == 200
    minutes = chair_api.get(f"/c/{cid}/minutes/counting").get_data(as_text=True)
    assert "Số phiếu không thu về: 02 (hai) phiếu (trong đó phiếu giấy: 02 (hai) phiếu)" in minutes
    verified = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
