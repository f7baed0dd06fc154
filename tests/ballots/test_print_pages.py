"""What the printed paper says: the paper ballot's validity rule and the slips' secrecy.

How they print (cut lines, page breaks) is checked in Chromium by
``tests/browser/test_print.py``; here the words, from the Flask test client.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import unescape
from typing import Any

from flask import Flask

from tests.conftest import Api
from voting.conferences.models import Conference
from voting.extensions import db

POSITIONS = [
    {
        "name": "Cục trưởng",
        "quota": 1,
        "candidates": [{"name": "Lê Văn An", "birth_year": 1975, "post": "Phó Cục trưởng"}],
    },
    {
        "name": "Phó Cục trưởng",
        "quota": 3,
        "candidates": [
            {"name": f"Người {i}", "birth_year": 1980 + i, "post": "Trưởng phòng"}
            for i in range(1, 6)
        ],
    },
    {
        "name": "Chánh Văn phòng",
        "quota": 2,
        "candidates": [
            {"name": "Trần Thị Bình", "birth_year": 1983, "post": "Phó Chánh Văn phòng",
             "unit": "Văn phòng Cục"},
            {"name": "Phạm Văn Cường", "birth_year": 1986, "post": "Chuyên viên chính"},
            {"name": "Võ Thị Dung", "birth_year": 1984, "post": "Trưởng phòng",
             "write_in": True},
        ],
    },
]
INVALID_OVER_QUOTA = (
    "Phiếu đồng ý nhiều hơn số lượng ở bất kỳ chức danh nào là phiếu không hợp lệ."
)


def text_of(html: str) -> str:
    """The page's words, tags and runs of white space removed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def paper(api: Api, create_conference: Callable[..., dict[str, Any]], **kw: Any) -> str:
    conf = create_conference(summoned=4, open_it=False, **kw)
    r = api.post(f"/api/v1/conferences/{conf['id']}/open", json={"paper": 2})
    assert r.status_code == 200, r.get_json()
    r = api.get(f"/c/{conf['id']}/paper")
    assert r.status_code == 200
    return str(r.get_data(as_text=True))


def test_paper_ballot_states_each_positions_quota_and_that_more_spoils_it(
    chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    html = paper(chair_api, create_conference, positions=POSITIONS)
    text = text_of(html)
    assert html.count('<article class="paper-ballot">') == 2
    # The rule of the ballot, once per copy, in the procedure's words.
    assert text.count(INVALID_OVER_QUOTA) == 2
    assert "(kể cả người giới thiệu thêm)" in text  # POSITIONS has someone to introduce
    for position in POSITIONS:
        quota = position["quota"]
        # Each position with its own quota, on each copy.
        assert text.count(f"{position['name']} — đồng ý tối đa {quota} người") == 2
        rule = f"Đồng ý quá {quota} người ở chức danh này thì phiếu không hợp lệ."
        assert text.count(rule) == 2 * sum(p["quota"] == quota for p in POSITIONS)
    assert re.findall(r'data-quota="(\d+)"', html) == ["1", "3", "2"] * 2
    # A ballot agreeing with nobody is valid under this rule: nothing says otherwise.
    assert "data-blank-rule" not in html
    # The post and the unit of a candidate both print in their column.
    assert "Phó Chánh Văn phòng, Văn phòng Cục" in text


def test_paper_ballot_without_a_quota_cap_states_none(
    chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """The removal vote (B1 of the annual flow) does not cap at the quota: no such rule."""
    html = paper(chair_api, create_conference, step=("cuc", "annual-local", "B1"))
    text = text_of(html)
    assert "data-quota" not in html and "đồng ý tối đa" not in text
    assert "kể cả người giới thiệu thêm" not in text
    assert INVALID_OVER_QUOTA not in text
    # The other causes of an invalid ballot are still there.
    assert "tẩy xóa hoặc có dấu hiệu riêng là phiếu không hợp lệ" in text


def test_paper_ballot_says_a_blank_ballot_is_invalid_where_the_rule_says_so(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=4, open_it=False)
    with app.app_context():
        # The rule is frozen in the conference: the unit's ruleset counted blanks invalid.
        conference = db.session.scalar(
            db.select(Conference).where(Conference.public_id == conf["id"])
        )
        assert conference is not None
        rule = json.loads(conference.rule_json)
        conference.rule_json = json.dumps({**rule, "blank_valid": False})
        db.session.commit()
    r = chair_api.post(f"/api/v1/conferences/{conf['id']}/open", json={"paper": 1})
    assert r.status_code == 200, r.get_json()
    text = text_of(chair_api.get(f"/c/{conf['id']}/paper").get_data(as_text=True))
    assert "Phiếu không đồng ý với người nào là phiếu không hợp lệ." in text


def test_slips_read_alike_but_for_their_code_and_qr(
    chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """Secrecy: nothing on a slip (number, position, order) could tell it from another."""
    conf = create_conference(summoned=5)
    html = chair_api.get(f"/c/{conf['id']}/handout/sheet").get_data(as_text=True)
    slips = re.findall(r'<div class="slip">(.*?)\n    </div>\n', html, flags=re.S)
    assert len(slips) == 5
    codes = {t["code"] for t in conf["tokens"]}
    alike = set()
    for slip in slips:
        found = re.findall(r'<p class="slip-code">([^<]+)</p>', slip)
        assert len(found) == 1 and found[0] in codes
        bare = re.sub(r"<svg\b.*?</svg>", "QR", slip, flags=re.S).replace(found[0], "CODE")
        alike.add(bare)
    assert len(alike) == 1, alike
    assert re.search(r"\b\d+\s*/\s*5\b", text_of(html)) is None  # no "1/5", "2/5"…


def test_paper_ballot_without_write_ins_does_not_mention_them(
    chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    text = text_of(paper(chair_api, create_conference))
    assert INVALID_OVER_QUOTA in text
    assert "Đồng ý quá 2 người ở chức danh này thì phiếu không hợp lệ." in text
    assert "giới thiệu thêm" not in text
