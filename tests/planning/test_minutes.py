"""A discovery conference's minutes: write-ins who got votes are listed and marked."""

from __future__ import annotations

from collections.abc import Callable

from tests.planning.conftest import TCCB, Flow
from voting.minutes.report import minutes_view

TP, PTP = "Trưởng phòng", "Phó Trưởng phòng"


def test_minutes_list_only_write_ins_who_got_votes(start_flow: Callable[..., Flow]) -> None:
    flow = start_flow("phong", "term", {TP: 1, PTP: 2}, department=TCCB)
    t, k, h, tri = "Lê Thị Phương Tâm", "Đặng Văn Khoa", "Ngô Thị Hạnh", "Bùi Minh Trí"
    flow.source_list("B1", {TP: [t], PTP: [k, h]})
    flow.approve("B2")
    conf = flow.vote("B3", [{TP: [t], PTP: [k, tri]}] * 2 + [{TP: [t]}, {}, {}])
    page = flow.api.get(f"/c/{conf['id']}/minutes/counting?lang=vi").get_data(as_text=True)
    # Trí, introduced by two voters, is in the table and marked; Hạnh (listed, 0) is too.
    assert tri in page and "được giới thiệu" in page and h in page
    # The Phó Trưởng phòng ballot offered Yến and Trí as write-ins (Tâm holds that post):
    # one got nothing.
    assert "1 người khác của đơn vị" in page
    # The Trưởng phòng ballot offered 3 write-ins (Yến holds that post), none of whom got
    # a vote; none is listed.
    assert "3 người khác của đơn vị" in page
    view = minutes_view(flow.api.get(f"/c/{conf['id']}/result.json").get_json())
    rows = {
        p["name"]: [(r["name"], r["agree"], r["write_in"]) for r in p["rows"]]
        for p in view["positions"]
    }
    assert rows[TP] == [(t, 3, False)]
    assert rows[PTP] == [(k, 2, False), (tri, 2, True), (h, 0, False)]
    pdf = flow.api.get(f"/c/{conf['id']}/minutes/counting.pdf")
    assert pdf.status_code == 200
