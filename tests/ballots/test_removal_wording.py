"""A removal vote's ballot asks about removal from planning (issue 19).

The annual review's B1 votes people *out* of planning: a bare "Đồng ý" beside a name
would read as agreeing to keep them. The phone (and booth) row, the server-side review
without JavaScript, ballot.js's review and the printed paper all say
"đề xuất đưa ra khỏi quy hoạch"; a nomination ballot keeps its plain words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.ballots.test_print_pages import text_of
from tests.conftest import Api, token_of

REMOVAL = ("cuc", "annual-local", "B1")
QUESTION = "Đồng ý đề xuất đưa ra khỏi quy hoạch"


def _labels(html: str) -> list[str]:
    return re.findall(r'class="(?:agree|disagree)">([^<]+)</label>', html)


def _review_words(html: str) -> str:
    """ballot.js writes its review's line from this JSON, not from the page's markup."""
    found = re.search(
        r'<script type="application/json" id="ballot-i18n">(.*?)</script>', html, re.S
    )
    assert found
    return str(json.loads(found.group(1))["agree_with"])


def test_the_removal_ballot_asks_about_removal_on_every_row_and_in_the_review(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3, step=REMOVAL)
    credential = token_of(conf["tokens"][0])
    phone = app.test_client()
    page = phone.get(f"/v/{credential}").get_data(as_text=True)
    labels = _labels(page)
    assert labels and labels == [QUESTION, "Không đồng ý"] * (len(labels) // 2)
    assert _review_words(page) == QUESTION

    # Without JavaScript: the server's review names what agreeing means.
    r = phone.post(f"/v/{credential}", data={"p1.c1": "agree", "action": "review"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="server-review"' in html
    review = text_of(html[html.index('id="server-review"') : html.index("</form>")])
    assert f"{QUESTION}: Lê Thị Phương Tâm" in review
    assert "Đồng ý với" not in review


def test_the_removal_ballot_in_english(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3, step=REMOVAL)
    phone = app.test_client()
    page = phone.get(f"/v/{token_of(conf['tokens'][0])}?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "Agree to propose removal from planning" in _labels(page)
    assert _review_words(page) == "Agree to propose removal from planning"


def test_a_nomination_ballot_keeps_its_plain_words(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    credential = token_of(conf["tokens"][0])
    phone = app.test_client()
    page = phone.get(f"/v/{credential}").get_data(as_text=True)
    assert _labels(page)[:2] == ["Đồng ý", "Không đồng ý"]
    assert _review_words(page) == "Đồng ý với"
    assert "quy hoạch" not in " ".join(_labels(page))
    html = phone.post(f"/v/{credential}", data={"p1.c1": "agree", "action": "review"})
    assert "Đồng ý với:" in text_of(html.get_data(as_text=True))


def _paper(api: Api, make: Callable[..., dict[str, Any]], **kw: Any) -> str:
    conf = make(summoned=4, open_it=False, **kw)
    r = api.post(f"/api/v1/conferences/{conf['id']}/open", json={"paper": 1})
    assert r.status_code == 200, r.get_json()
    return text_of(api.get(f"/c/{conf['id']}/paper").get_data(as_text=True))


def test_the_paper_removal_ballot_says_what_agreeing_means(
    chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    text = _paper(chair_api, create_conference, step=REMOVAL)
    assert "PHIẾU BẦU Hội nghị bước B1 Đề xuất đưa ra khỏi quy hoạch" in text
    assert "nếu đồng ý đề xuất đưa người đó ra khỏi quy hoạch" in text
    assert "không đồng ý đề xuất đưa ra khỏi quy hoạch" in text

    nomination = _paper(chair_api, create_conference)
    assert "ra khỏi quy hoạch" not in nomination
    assert "vào ô “Đồng ý” hoặc “Không đồng ý” cạnh mỗi người" in nomination
