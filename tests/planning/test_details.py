"""Issue 19's smaller defects of the process pages and records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from tests.conftest import Api
from tests.planning.conftest import TCCB, Flow
from tests.planning.test_per_unit import section, vote_all
from voting.clock import local_today
from voting.conferences.rules import current_ruleset
from voting.errors import DomainError
from voting.extensions import db
from voting.planning.approval import record_decision
from voting.planning.consultation import finish_consultation, record_consultation
from voting.planning.models import PlanningEntry
from voting.planning.supplement import supplement_list

PCT, TP, PTP = "Phó Cục trưởng", "Trưởng phòng", "Phó Trưởng phòng"
NAM, HOA = "Trần Văn Nam", "Lý Thị Hoa"


def test_a_future_decision_date_is_refused(start_flow: Callable[..., Flow]) -> None:
    flow = start_flow("phong", "term", {TP: 1}, department=TCCB)
    flow.source_list("B1", {TP: ["Lê Thị Phương Tâm"]})
    flow.approve("B2")
    for step in ("B3", "B4", "B5"):
        vote_all(flow, step, {TP: ["Lê Thị Phương Tâm"]})
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    for outcome in ("submitted", "approved"):
        with pytest.raises(DomainError) as info:
            record_decision(
                flow.process,
                flow.step("B6"),
                {
                    "outcome": outcome,
                    "number": "1/QĐ",
                    "signed_on": tomorrow,
                    "signer": "Cục trưởng",
                },
                current_ruleset(),
            )
        db.session.rollback()
        assert info.value.params["field"] == "signed_on"
    assert flow.process.status == "active" and db.session.query(PlanningEntry).count() == 0
    flow.decide("B6")  # today or earlier is fine
    assert db.session.query(PlanningEntry).count() == 1


def test_a_source_list_longer_than_the_quota_is_not_warned(
    start_flow: Callable[..., Flow], chair_api: Api
) -> None:
    flow = start_flow("phong", "term", {PTP: 1}, department=TCCB)
    flow.source_list("B1", {PTP: ["Đặng Văn Khoa", "Ngô Thị Hạnh", "Bùi Minh Trí"]})
    flow.approve("B2")
    page = chair_api.get(f"/p/{flow.public_id}?lang=vi").get_data(as_text=True)
    b2 = page[page.index('id="step-B2"') : page.index('id="step-B3"')]
    assert "data-structure" in b2 and 'data-warning="over-quota"' not in b2


def run_external_through_pages(flow: Flow, api: Api) -> None:
    """B1 typed on the page (month/year and sex), B2, then a consultation with 3 of 5 items."""
    pid = flow.position_id(PCT)
    lines = (
        f"{NAM}; 10/1960; Nam; Phó Cục trưởng; Cục THADS tỉnh An Giang\n"
        f"{HOA}; 03/1988; Nữ; Trưởng phòng; Cục THADS tỉnh Cà Mau\n"
    )
    r = api.client.post(
        f"/p/{flow.public_id}/steps/B1",
        data={"action": "source-list", f"external-{pid}": lines, "csrf_token": api.csrf},
    )
    assert r.status_code == 302
    db.session.expire_all()
    flow.approve("B2")
    items = list(current_ruleset().dossier_items_vi)
    for name, have in ((NAM, items[:3]), (HOA, items)):
        record_consultation(
            flow.process,
            flow.step("B3"),
            flow.nominee(name).id,
            {
                "met_on": "2026-11-10",
                "letter": f"Công văn số 88/CTHADS-TCCB ({name})",
                "opinion": f"Đồng ý giới thiệu {name}",
                "dossier": have,
            },
            current_ruleset(),
        )
    flow.commit()


def test_external_people_their_age_sex_and_dossier(
    start_flow: Callable[..., Flow], chair_api: Api
) -> None:
    flow = start_flow("cuc", "annual-external", {PCT: 2})
    run_external_through_pages(flow, chair_api)
    nam, hoa = flow.nominee(NAM), flow.nominee(HOA)
    assert (nam.birth_year, nam.birth_month, nam.sex) == (1960, 10, "male")
    assert (hoa.birth_month, hoa.sex) == (3, "female")
    url = f"/p/{flow.public_id}?lang=vi"
    page = chair_api.get(url).get_data(as_text=True)
    b2 = page[page.index('id="step-B2"') : page.index('id="step-B3"')]
    # Both counted in the structure figures: 2 people, one woman, one young.
    assert "2 người" in b2 and 'data-share="women">1 · 50,00%' in b2
    assert 'data-share="young">1 · 50,00%' in b2
    # The consultation form: Nam is past retirement and his dossier has 3 of 5 items.
    consult = page[page.index(f'id="consult-{nam.id}"') :]
    consult = consult[: consult.index("</form>")]
    assert 'data-flag="over-age"' in consult and 'data-flag="dossier"' in consult
    assert "3/5" in consult
    finish = page[page.index('id="form-B3-finish"') :]
    assert 'data-dossier="3/5"' in finish and 'data-dossier="5/5"' in finish
    finish_consultation(
        flow.process, flow.step("B3"), {"proceed": [nam.id, hoa.id]}, current_ruleset()
    )
    flow.commit()
    # The step is done: what was recorded stays on the page.
    page = chair_api.get(url).get_data(as_text=True)
    done = section(page, 'id="step-B3"')
    assert f'data-consult="{NAM}"' in done and "Công văn số 88/CTHADS-TCCB" in done
    assert f"Đồng ý giới thiệu {NAM}" in done and 'data-dossier="3/5"' in done
    # Before the vote both bars need the chair's decision.
    vote = page[page.index('id="form-B4-conference"') :]
    nam_line = vote[vote.index(f'data-person="{NAM}"') :][:2500]
    assert 'data-flag="dossier"' in nam_line and f'name="flag-{nam.id}"' in nam_line
    flow.vote("B4", [{PCT: [NAM, HOA]}] * 2, keep=(NAM,))
    flow.decide("B5")
    entries = {e.name: e for e in db.session.query(PlanningEntry)}
    assert (entries[HOA].sex, entries[HOA].birth_month) == ("female", 3)
    # The automatic-exit check reads the external entry too: Nam is past retirement.
    exits = chair_api.get("/planning/exits?lang=vi").get_data(as_text=True)
    assert f'data-person="{NAM}"' in exits and f'data-person="{HOA}"' not in exits


def test_the_annual_b1_minutes_data_hold_the_supplement(
    start_flow: Callable[..., Flow],
) -> None:
    from tests.planning.test_flows import run_cuc_term

    run_cuc_term(start_flow("cuc", "term", {"Cục trưởng": 1, PCT: 2}))
    review = start_flow("cuc", "annual-local", {"Cục trưởng": 1, PCT: 2})
    review.source_list("B1", {PCT: ["Huỳnh Thị Lan", "Đỗ Minh Quân"]})
    review.vote("B1", [{PCT: ["Võ Quốc Bảo"]}] * 2 + [{}])
    b1 = review.step("B1").conference
    found = supplement_list(b1, current_ruleset())
    assert [(s.position, s.name) for s in found] == [
        (PCT, "Huỳnh Thị Lan"),
        (PCT, "Đỗ Minh Quân"),
    ]
    assert found[0].post == "Trưởng phòng Nghiệp vụ"
    conf = review.conference("B2")
    b2 = db.session.get(type(b1), review.step("B2").conference_id)
    assert conf and supplement_list(b2, current_ruleset()) is None


def test_the_annual_b1_minutes_print_the_supplement(
    start_flow: Callable[..., Flow], chair_api: Api
) -> None:
    """The conference minutes (page, DOCX, PDF) name who the meeting proposed to add;
    the counting minutes and a later step's minutes do not."""
    from tests.planning.test_flows import run_cuc_term

    run_cuc_term(start_flow("cuc", "term", {"Cục trưởng": 1, PCT: 2}))
    review = start_flow("cuc", "annual-local", {"Cục trưởng": 1, PCT: 2})
    review.source_list("B1", {PCT: ["Huỳnh Thị Lan", "Đỗ Minh Quân"]})
    review.vote("B1", [{PCT: ["Võ Quốc Bảo"]}] * 2 + [{}])
    b1 = review.step("B1").conference
    heading = "danh sách nhân sự đề xuất bổ sung quy hoạch gồm 02 (hai) người"
    docx = chair_api.get(f"/c/{b1.public_id}/minutes/conference.docx")
    assert docx.status_code == 200, docx.status_code
    text = docx_text(docx.data)
    assert heading in text
    table = text[text.index(heading) :]
    assert table.index("Huỳnh Thị Lan") < table.index("Đỗ Minh Quân")
    assert "Trưởng phòng Nghiệp vụ" in table and PCT in table
    pdf = chair_api.get(f"/c/{b1.public_id}/minutes/conference.pdf")
    assert "Huỳnh Thị Lan" in pdf_text(pdf.data) and "Đỗ Minh Quân" in pdf_text(pdf.data)
    counting = docx_text(chair_api.get(f"/c/{b1.public_id}/minutes/counting.docx").data)
    assert heading not in counting and "Huỳnh Thị Lan" not in counting
    b2 = review.vote("B2", [{PCT: ["Huỳnh Thị Lan"]}] * 3)
    later = docx_text(chair_api.get(f"/c/{b2['id']}/minutes/conference.docx").data)
    assert "đề xuất bổ sung quy hoạch" not in later


def docx_text(data: bytes) -> str:
    from io import BytesIO

    import docx

    document = docx.Document(BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def pdf_text(data: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
