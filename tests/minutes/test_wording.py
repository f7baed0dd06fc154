"""The minutes' words, the same in the page, the DOCX and the PDF: "đồng chí", the empty
seat stated, an absence without a reason printed as unrecorded, and the dates."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from docx import Document
from flask import Flask
from pypdf import PdfReader

from tests.conftest import Api, token_of
from tests.minutes._export_scene import POSITIONS, locked_b3
from voting.conferences import operations
from voting.conferences.models import Conference
from voting.extensions import db


def _one_line(text: str) -> str:
    return " ".join(text.split())


def three_ways(chair_api: Api, conf_id: str, kind: str) -> dict[str, str]:
    """The minutes' words as the page, the DOCX and the PDF give them, on one line."""
    base = f"/c/{conf_id}/minutes/{kind}"
    page = chair_api.get(base).get_data(as_text=True)
    body = page[page.index('<article class="a4">') :]
    document = Document(io.BytesIO(chair_api.get(base + ".docx").get_data()))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    reader = PdfReader(io.BytesIO(chair_api.get(base + ".pdf").get_data()))
    return {
        "html": _one_line(html.unescape(re.sub(r"<[^>]+>", " ", body))),
        "docx": _one_line("\n".join(parts)),
        "pdf": _one_line(" ".join(p.extract_text() or "" for p in reader.pages)),
    }


def _set(conf_id: str, **values: Any) -> None:
    conference = db.session.scalar(sa.select(Conference).where(Conference.public_id == conf_id))
    for key, value in values.items():
        setattr(conference, key, value)
    db.session.commit()


def _blank_last_reason(app: Flask) -> Callable[[str], None]:
    def change(conf_id: str) -> None:
        with app.app_context():
            conference = db.session.scalar(
                sa.select(Conference).where(Conference.public_id == conf_id)
            )
            conference.people[-1].absence_reason = ""
            db.session.commit()

    return change


@pytest.fixture
def b3_two_absent(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> dict[str, Any]:
    """Quota 2, one passes; two absent: one away on business, one with no reason written."""
    return locked_b3(
        app, chair_api, create_conference, absent=2, before_lock=_blank_last_reason(app)
    )


def test_members_are_comrades_not_mr_or_ms(chair_api: Api, b3_two_absent: dict) -> None:
    for kind in ("counting", "conference"):
        for where, text in three_ways(chair_api, b3_two_absent["id"], kind).items():
            assert "Ông/Bà" not in text, (kind, where)
            if kind == "counting":
                assert "1. Đồng chí Người dự 1, Trưởng phòng — Trưởng ban;" in text, where
                assert "2. Đồng chí Người dự 2, Trưởng phòng — Thành viên;" in text, where


def test_an_unfilled_seat_is_stated(chair_api: Api, b3_two_absent: dict) -> None:
    seat = (
        "Số lượng quy hoạch 02 (hai) người, có 01 (một) người đạt; còn 01 (một) chỗ chưa có người."
    )
    for kind in ("counting", "conference"):
        for where, text in three_ways(chair_api, b3_two_absent["id"], kind).items():
            assert seat in text, (kind, where)
            assert "Lê Thị Phương Tâm; còn 01 (một) chỗ chưa có người." in text, (kind, where)


def test_an_absence_without_a_reason_is_printed_as_unrecorded(
    chair_api: Api, b3_two_absent: dict
) -> None:
    for where, text in three_ways(chair_api, b3_two_absent["id"], "conference").items():
        assert "- Đồng chí Người dự 8, Trưởng phòng — lý do vắng mặt: Đi công tác;" in text
        assert "- Đồng chí Người dự 9, Trưởng phòng — vắng mặt (chưa ghi lý do);" in text
        # Neither a guess ("không rõ") nor a verdict nobody gave ("không có lý do").
        assert "không rõ lý do" not in text and "không có lý do" not in text, where


# --- Dates: the room's day, not the server's ----------------------------------------------

# 17:30 UTC on 30 November is 00:30 on 1 December in Hà Nội: the server's UTC date and the
# room's differ for the first seven hours of every day.
OPENED = datetime(2026, 11, 30, 17, 30)
CLOSED = datetime(2026, 11, 30, 17, 50)
LOCKED = datetime(2026, 11, 30, 17, 55)


@pytest.fixture
def after_midnight(
    app: Flask,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[date], dict[str, Any]]:
    """A conference dated ``held_on``, opened, closed and locked just after midnight."""

    def run(held_on: date) -> dict[str, Any]:
        moments: Iterator[datetime] = iter([OPENED, CLOSED, LOCKED])
        now = {"value": OPENED}

        def frozen() -> datetime:
            return now["value"]

        monkeypatch.setattr(operations, "utcnow", frozen)
        conf = create_conference(summoned=7, positions=POSITIONS, open_it=False)
        with app.app_context():
            _set(conf["id"], held_on=held_on)
        base = f"/api/v1/conferences/{conf['id']}"
        now["value"] = next(moments)
        r = chair_api.post(f"{base}/open")
        assert r.status_code == 200, r.get_json()
        phone = app.test_client()
        for issued in r.get_json()["tokens"][:3]:
            phone.post("/api/v1/ballots", json={"token": token_of(issued), "choices": {}})
        now["value"] = next(moments)
        assert chair_api.post(f"{base}/close").status_code == 200
        now["value"] = next(moments)
        assert chair_api.post(f"{base}/lock").status_code == 200
        return conf

    return run


def test_the_date_is_stated_once_when_the_vote_was_on_the_conference_day(
    chair_api: Api, after_midnight: Callable[[date], dict[str, Any]]
) -> None:
    conf = after_midnight(date(2026, 12, 1))
    for where, text in three_ways(chair_api, conf["id"], "conference").items():
        assert "Kiên Giang, ngày 01 tháng 12 năm 2026" in text, where
        assert (
            "Thời gian: bắt đầu bỏ phiếu lúc 00 giờ 30 phút, ngày 01 tháng 12 năm 2026." in text
        ), where
        assert (
            "Hội nghị kết thúc bỏ phiếu lúc 00 giờ 50 phút; kết quả được khóa lúc 00 giờ 55 phút."
            in text
        ), where
        assert "01/12/2026" not in text.split("Mã kiểm tra")[0], where  # never repeated
    for where, text in three_ways(chair_api, conf["id"], "counting").items():
        assert "Hôm nay, ngày 01 tháng 12 năm 2026" in text, where
        assert (
            "Thời gian mở phiếu: 00 giờ 30 phút; kết thúc bỏ phiếu: 00 giờ 50 phút; "
            "khóa kết quả: 00 giờ 55 phút." in text
        ), where


def test_a_vote_on_another_day_than_the_conference_date_says_so(
    chair_api: Api, after_midnight: Callable[[date], dict[str, Any]]
) -> None:
    # The server's UTC date, as the old form defaulted it: the vote was the next local day.
    conf = after_midnight(date(2026, 11, 30))
    for where, text in three_ways(chair_api, conf["id"], "conference").items():
        assert (
            "Thời gian: hội nghị ngày 30 tháng 11 năm 2026; bắt đầu bỏ phiếu lúc 00 giờ 30 "
            "phút ngày 01 tháng 12 năm 2026 (ngày hôm sau)." in text
        ), where
        assert (
            "Hội nghị kết thúc bỏ phiếu lúc 00 giờ 50 phút ngày 01/12/2026 (ngày hôm sau); "
            "kết quả được khóa lúc 00 giờ 55 phút ngày 01/12/2026 (ngày hôm sau)." in text
        ), where
        # The old phrase: a time on one day, then another date, as if the same.
        assert "phút ngày 01/12/2026, ngày 30 tháng 11 năm 2026" not in text, where
    for where, text in three_ways(chair_api, conf["id"], "counting").items():
        assert (
            "Thời gian mở phiếu: 00 giờ 30 phút ngày 01/12/2026 (ngày hôm sau); kết thúc bỏ "
            "phiếu: 00 giờ 50 phút ngày 01/12/2026 (ngày hôm sau)" in text
        ), where
