"""Every step's drafts of a whole process, read back: python-docx for the DOCX, pypdf for
the PDF. The names, birth dates, counts, percentages, bases, decisions and structure
figures must be the process's own, and the percentages the locked decisions' own."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from docx import Document
from docx.enum.section import WD_ORIENT

from tests.drafts.conftest import docx_tables, docx_text, pdf_text
from tests.planning.conftest import Flow, member_id
from tests.planning.test_flows import CT, PCT, run_cuc_term, run_external
from voting.conferences.models import Conference
from voting.conferences.rules import current_ruleset
from voting.drafts.current import current_wording
from voting.drafts.render import Draft, drafts_of, render
from voting.extensions import db
from voting.personnel.models import Member
from voting.personnel.operations import update_member
from voting.planning.processes import set_due_dates

BAO, YEN, HUNG = "Võ Quốc Bảo", "Phạm Thị Yến", "Lê Văn Hùng"


def files(flow: Flow, draft: Draft) -> tuple[bytes, bytes]:
    ruleset, wording = current_ruleset(), current_wording()
    _n, docx, docx_type = render(flow.process, draft, "docx", ruleset, wording)
    _n, pdf, pdf_type = render(flow.process, draft, "pdf", ruleset, wording)
    assert docx_type.endswith("wordprocessingml.document") and pdf_type == "application/pdf"
    return docx, pdf


def both(flow: Flow, name: str) -> tuple[str, str, bytes]:
    """(DOCX text, PDF text with its lines joined, DOCX bytes) of one draft."""
    draft = next(
        d for d in drafts_of(flow.process, current_ruleset(), current_wording()) if d.name == name
    )
    docx, pdf = files(flow, draft)
    return docx_text(docx), " ".join(pdf_text(pdf).split()), docx


def percent_of(flow: Flow, step: str, name: str, position: str = PCT) -> str:
    """The locked decision's own percentage for a candidate, with a decimal comma."""
    conference = db.session.get(Conference, flow.step(step).conference_id)
    assert conference is not None and conference.result_json
    doc = json.loads(conference.result_json)
    listed = next(p for p in doc["positions"] if p["name"] == position)
    key = next(c["id"] for c in listed["candidates"] if c["name"] == name)
    decided = next(p for p in doc["decision"]["positions"] if p["id"] == listed["id"])
    return next(c["percent"] for c in decided["candidates"] if c["id"] == key).replace(".", ",")


def cuc_term(start_flow: Callable[..., Flow]) -> Flow:
    """The Cục next-term flow B1–B6, Bảo with his register particulars filled in."""
    flow = start_flow("cuc", "term", {CT: 1, PCT: 2})
    bao = db.session.get(Member, member_id(BAO))
    assert bao is not None
    update_member(
        bao,
        {
            "birth_year": 1974,
            "birth_month": 5,
            "ethnicity": "Khmer",
            "qualification": "Cử nhân Luật",
            "political_theory": "Cao cấp",
        },
        current_ruleset(),
    )
    set_due_dates(flow.process, {"B1": "2026-11-02", "B5": "2026-11-25"})
    flow.commit()
    run_cuc_term(flow)
    return flow


def test_which_drafts_each_step_has(start_flow: Callable[..., Flow]) -> None:
    """From each step's output in the ruleset: the plan once, a list per step, the
    submission and the decision at the approval."""
    flow = cuc_term(start_flow)
    names = [d.name for d in drafts_of(flow.process, current_ruleset(), current_wording())]
    assert names == [
        "B1-ke-hoach", "B1-danh-sach", "B2-danh-sach", "B3-danh-sach", "B4-danh-sach",
        "B5-danh-sach", "B6-to-trinh", "B6-quyet-dinh",
    ]  # fmt: skip


def test_plan_has_the_bases_the_positions_and_the_timeline(
    start_flow: Callable[..., Flow],
) -> None:
    flow = cuc_term(start_flow)
    docx, pdf, _raw = both(flow, "B1-ke-hoach")
    for text in (docx, pdf):
        assert "KẾ HOẠCH" in text
        assert "Quy định 377-QĐ/TW ngày 08/10/2025" in text  # the ruleset's citation
        assert "Số: /KH-CTHADS" in " ".join(text.split())  # the number left blank
        assert "Kiên Giang, ngày 02 tháng 11 năm 2026" in text  # B1's drafted_on
        assert "Phó Cục trưởng: tối đa 2 người" in text
        assert "02/11/2026" in text and "25/11/2026" in text  # the due dates
        assert "Tập thể Lãnh đạo Cục" in text  # who is responsible
    table = docx_tables(_raw)[-2]  # the timeline, before the signoff
    assert table[0] == [
        "STT",
        "Bước",
        "Nội dung công việc",
        "Thành phần, chủ trì",
        "Thời hạn",
        "Kết quả",
    ]
    assert [r[1] for r in table[1:]] == ["B1", "B2", "B3", "B4", "B5", "B6"]
    assert table[5][4] == "25/11/2026" and table[3][4] == "…"


def test_lists_are_landscape_with_the_register_fields(start_flow: Callable[..., Flow]) -> None:
    flow = cuc_term(start_flow)
    docx, pdf, raw = both(flow, "B3-danh-sach")
    section = Document(io.BytesIO(raw)).sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (section.page_width or 0) > (section.page_height or 0)
    rows = {r[1]: r for t in docx_tables(raw) for r in t if r[0].isdigit()}
    # B3 carried Hùng, Yến, Phúc and the write-in Bảo; Lan (3 of 11) failed.
    assert sorted(rows) == sorted([HUNG, YEN, "Nguyễn Hoàng Phúc", BAO])
    bao = rows[BAO]
    assert bao[2:8] == ["05/1974", "Nam", "Khmer", "Chi cục trưởng, Chi cục THADS TP Rạch Giá",
                        "Cử nhân Luật", "Cao cấp"]  # fmt: skip
    assert rows[YEN][3] == "Nữ"
    percent = percent_of(flow, "B3", BAO)
    assert percent == "36,36"  # 4 of 11 present
    assert bao[8] == f"Đồng ý 4/11 ({percent}% số người có mặt)"
    assert f"Đồng ý 4/11 ({percent}% số người có mặt)" in pdf
    assert "DANH SÁCH TRÍCH NGANG" in docx and "DANH SÁCH TRÍCH NGANG" in pdf
    assert "Lê Thị Lan" not in docx and "Huỳnh Thị Lan" not in docx


def test_submission_has_each_persons_chain_and_the_structure(
    start_flow: Callable[..., Flow],
) -> None:
    flow = cuc_term(start_flow)
    docx, pdf, _raw = both(flow, "B6-to-trinh")
    b3, b4, b5 = (percent_of(flow, s, BAO) for s in ("B3", "B4", "B5"))
    assert (b3, b4, b5) == ("36,36", "71,43", "66,67")
    for text in (docx, pdf):
        assert "TỜ TRÌNH" in text and "Kính gửi: Lãnh đạo Tổng cục Thi hành án dân sự" in text
        assert (
            f"Bước B3 (23/11/2026): 4/11 phiếu đồng ý, đạt {b3}% so với số người có mặt; đạt."
            in text
        )
        assert f"Bước B4 (23/11/2026): 5/7 phiếu đồng ý, đạt {b4}% so với số người có mặt" in text
        assert (
            f"Bước B5 (23/11/2026): 2/3 phiếu đồng ý, đạt {b5}% so với tổng số người được "
            "triệu tập; đạt, được lựa chọn." in text
        )
        assert f"Đồng chí {BAO}, sinh 05/1974" in text
        assert "Đồng chí Lê Văn Hùng, sinh 1972" in text
        # Three proposed: Yến a woman, Bảo Khmer; nobody under 40 on the reference date.
        assert "nữ 1 người (33,33%)" in text
        assert "người dân tộc thiểu số 1 người (33,33%)" in text
        assert "trẻ dưới 40 tuổi 0 người (0,00%)" in text
        assert "cán bộ nữ từ 25%, cán bộ trẻ từ 15%" in text
        assert "Nguyễn Hoàng Phúc" not in text  # not selected at B5


def test_decision_states_the_recorded_decision_and_annexes_the_list(
    start_flow: Callable[..., Flow],
) -> None:
    flow = cuc_term(start_flow)
    docx, pdf, raw = both(flow, "B6-quyet-dinh")
    for text in (docx, pdf):
        assert "QUYẾT ĐỊNH" in text and "Số: 15/QĐ-CTHADS" in text
        assert "ngày 30 tháng 11 năm 2026" in text
        assert "Cục trưởng Nguyễn Văn Vũ" in text  # the recorded signer
        assert "đối với 3 đồng chí (có danh sách kèm theo)" in text
        assert "Kèm theo Quyết định số 15/QĐ-CTHADS ngày 30/11/2026" in text
    sections = Document(io.BytesIO(raw)).sections
    assert [s.orientation for s in sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    annex = {r[1]: r for t in docx_tables(raw) for r in t if r[0].isdigit()}
    assert sorted(annex) == sorted([HUNG, YEN, BAO])
    assert (
        annex[BAO][8] == f"Đồng ý 2/3 ({percent_of(flow, 'B5', BAO)}% tổng số người được triệu tập)"
    )


def test_letter_to_the_external_candidates_agency(start_flow: Callable[..., Flow]) -> None:
    flow = start_flow("cuc", "annual-external", {PCT: 2})
    run_external(flow, PCT)
    names = [d.name for d in drafts_of(flow.process, current_ruleset(), current_wording())]
    assert "B3-van-ban-lay-y-kien" in names and "B5-to-trinh" in names
    docx, pdf, raw = both(flow, "B3-van-ban-lay-y-kien")
    for text in (docx, pdf):
        # Both candidates B3 started from get a letter; Nam's is dated the day he was met.
        assert "Kính gửi: Cục THADS tỉnh An Giang" in text
        assert "Kính gửi: Cục THADS tỉnh Cà Mau" in text
        assert "đồng chí Trần Văn Nam, sinh 1981, Phó Cục trưởng, Cục THADS tỉnh An Giang" in text
        assert "Kiên Giang, ngày 10 tháng 11 năm 2026" in text
        assert "V/v lấy ý kiến nhận xét" in text
        assert "Sơ yếu lý lịch (mẫu 2C-BNV/2008)" in text  # the ruleset's dossier list
        assert "TRƯỞNG PHÒNG TỔ CHỨC CÁN BỘ" in text
    assert len(Document(io.BytesIO(raw)).sections) == 2  # one page each
    submission, _pdf, _raw = both(flow, "B5-to-trinh")
    assert "Số: 15/QĐ-CTHADS" in submission  # the recorded submission's number
    # 2 ballots of the 3 summoned: the base is who was summoned, present or not.
    assert (
        f"Bước B4 (23/11/2026): 2/3 phiếu đồng ý, đạt {percent_of(flow, 'B4', 'Trần Văn Nam')}% "
        "so với tổng số người được triệu tập; đạt, được lựa chọn." in submission
    )
