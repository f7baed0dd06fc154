"""Planning processes in the browser: a phòng's next-term planning and a Cục's annual review.

One real ``voting serve`` process and Debian's Chromium, as in ``test_room``. A new
user registers the unit and its people through the register pages, then:

* runs a ``phong/term`` process B1–B6 for the Phòng Tổ chức cán bộ: the source list, the
  leadership's approval, three conferences created from the process and run from the
  conference pages (attendance, open, the QR sheet, phones casting ballots, close, lock),
  each locked result carried on, and the approval decision. At B3 two phones open the
  ballot's "introduce someone" section and agree with a person not on the list; he
  passes and stands on the B4 ballot. The approved list appears on ``/planning`` and the
  process dossier downloads and checks against its manifest;
* runs a ``cuc/annual-local`` review B1–B5 over an existing Cục planning list (prepared
  before, at service level, by a Cục next-term process — see ``seed_cuc_list``): the B1
  removal ballot lists the people of the current list, two of the three summoned agree
  to remove one of them, who stays in the list until the B5 decision confirms the
  removal and then leaves it with the reason "removal vote".

Selectors use ids, names, values and data attributes, never translated labels; person,
position and division names come from the register and the forms, so they are stable.
axe-core checks the new screens; every page is watched for CSP violations and errors.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Server, _server_env
from tests.browser.helpers import (
    CHAIR,
    RECEIPT,
    ROOT,
    ConsoleWatch,
    axe_check,
    new_phone,
    screenshot,
)
from voting.demo import REGISTER as DEMO_REGISTER
from voting.minutes.dossier import check_dossier

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under CI) with the reason
    expect = None  # type: ignore[assignment]

UNIT = "Cục Thi hành án dân sự tỉnh Kiên Giang"
# The unit's register, pasted into the register page: the demo's (name; born; sex; …).
REGISTER = DEMO_REGISTER
TCCB = "Phòng Tổ chức cán bộ"

TP, PTP = "Trưởng phòng", "Phó Trưởng phòng"
TAM, KHOA, HANH, TRI = "Lê Thị Phương Tâm", "Đặng Văn Khoa", "Ngô Thị Hạnh", "Bùi Minh Trí"
CT, PCT = "Cục trưởng", "Phó Cục trưởng"
HUNG, YEN, BAO, LAN = "Lê Văn Hùng", "Phạm Thị Yến", "Võ Quốc Bảo", "Huỳnh Thị Lan"

# The Cục's planning list before the annual review (what ``seed_cuc_list`` approves).
CUC_LIST = {CT: [HUNG], PCT: [YEN, BAO]}
SEED_DECISION = "12/QĐ-TCTHADS"
REVIEW_DECISION = "16/QĐ-CTHADS"
PHONG_DECISION = "20/QĐ-CTHADS"

Ballot = dict[str, list[str]]


# --------------------------------------------------------------------------- set-up


def seed_cuc_list(unit_id: int) -> None:
    """The Cục's current planning list: a ``cuc/term`` process B1–B6 at service level.

    Runs in a subprocess against the server's instance (see ``seed``), through the same
    code paths the pages use: the planning operations for the non-vote steps and each
    conference through the JSON API, exactly as the chair's laptop and the phones call it
    (attendance, open, one cast per token, close, lock).
    """
    import sqlalchemy as sa

    from voting import create_app
    from voting.auth.models import User
    from voting.conferences.rules import current_ruleset
    from voting.extensions import db
    from voting.personnel.models import Unit
    from voting.planning.approval import record_decision
    from voting.planning.processes import create_process
    from voting.planning.records import approve_list, record_source_list
    from voting.planning.steps import find_process, incoming
    from voting.planning.vote import complete_vote_step, create_step_conference

    app = create_app({"LIVE_TICKER": False})
    client = app.test_client()
    r = client.post("/api/v1/session", json={"username": CHAIR[0], "password": CHAIR[1]})
    assert r.status_code == 200, r.get_json()
    headers = {"X-CSRFToken": r.get_json()["csrf_token"]}

    def api(method: str, url: str, body: Any = None) -> Any:
        r = client.open(url, method=method, json=body, headers=headers)
        assert r.status_code in (200, 201), (method, url, r.get_json())
        return r.get_json()

    with app.app_context():
        ruleset = current_ruleset()
        chair = db.session.scalar(sa.select(User).where(User.username == CHAIR[0]))
        unit = db.session.get(Unit, unit_id)
        assert chair is not None and unit is not None
        members = {m.name: m.id for m in unit.members}
        process = create_process(
            chair,
            {
                "unit_id": unit_id,
                "level": "cuc",
                "flow": "term",
                "period": "2026–2031",
                "title": "Quy hoạch lãnh đạo Cục nhiệm kỳ 2026–2031",
                "positions": [{"name": CT, "quota": 1}, {"name": PCT, "quota": 2}],
            },
            ruleset,
        )
        db.session.commit()
        public_id = process.public_id
        positions = {p.name: p.id for p in process.positions}

        def step(name: str) -> tuple[Any, Any]:
            db.session.commit()  # a fresh transaction sees what the API requests wrote
            found = find_process(public_id)
            assert found is not None
            return found, next(s for s in found.steps if s.step == name)

        p, row = step("B1")
        rows = [
            {"position": positions[pos], "member_id": members[name]}
            for pos, names in CUC_LIST.items()
            for name in names
        ]
        data = {"plan": "Kế hoạch số 01/KH-CTHADS", "drafted_on": "2026-11-02", "nominees": rows}
        record_source_list(p, row, data, ruleset)
        p, row = step("B2")
        approved = [n.id for n in incoming(p, row)]
        approve_list(p, row, {"meeting_on": "2026-11-05", "approved": approved}, ruleset)
        # 11, 7 and 3 summoned: 4, 4 and 2 agree votes pass every step.
        for name, voters in (("B3", 4), ("B4", 4), ("B5", 2)):
            p, row = step(name)
            details = {"held_on": "2026-11-23", "place": "Hội trường Cục", "chair_name": CHAIR[2]}
            cid = create_step_conference(p, row, details, ruleset).public_id
            db.session.commit()
            conf = api("GET", f"/api/v1/conferences/{cid}")
            marks = [{"person_id": x["id"], "present": True, "reason": ""} for x in conf["people"]]
            api("PUT", f"/api/v1/conferences/{cid}/attendance", {"attendance": marks})
            tokens = api("POST", f"/api/v1/conferences/{cid}/open")["tokens"]
            keys = {
                pos["name"]: (pos["id"], {c["name"]: c["id"] for c in pos["candidates"]})
                for pos in conf["positions"]
            }
            choices = {
                keys[pos][0]: [keys[pos][1][n] for n in names] for pos, names in CUC_LIST.items()
            }
            for token in tokens[:voters]:
                found = re.search(r"/v/([^/?#]+)$", token["url"])
                assert found, token
                r = client.post(
                    "/api/v1/ballots", json={"token": found.group(1), "choices": choices}
                )
                assert r.status_code == 201, r.get_json()
            api("POST", f"/api/v1/conferences/{cid}/close")
            api("POST", f"/api/v1/conferences/{cid}/lock")
            p, row = step(name)
            complete_vote_step(p, row, ruleset)
        p, row = step("B6")
        decision = {
            "outcome": "approved",
            "number": SEED_DECISION,
            "signed_on": "2026-12-01",
            "signer": "Tổng cục trưởng",
            "approved": [n.id for n in incoming(p, row)],
        }
        record_decision(p, row, decision, ruleset)
        db.session.commit()
        assert p.status == "approved"


def seed(server: Server, unit_id: int) -> None:
    """Run ``seed_cuc_list`` against the running server's instance (its own process)."""
    port = int(server.base.rsplit(":", 1)[1])
    code = f"from tests.browser.test_process import seed_cuc_list; seed_cuc_list({unit_id})"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=_server_env(server.instance, port),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --------------------------------------------------------------------------- axe


def axe(page: Any, screen: str) -> None:
    """axe-core on the screen: no serious or critical violation."""
    axe_check(page, screen)


# --------------------------------------------------------------------------- the chair


class Chair:
    """The chair's laptop: one logged-in browser context and its main page."""

    def __init__(self, browser: Any, server: Server, watch: ConsoleWatch) -> None:
        self.browser = browser
        self.base = server.base
        self.watch = watch
        self.ctx = browser.new_context(
            base_url=server.base, locale="vi-VN", viewport={"width": 1280, "height": 900}
        )
        self.page = watch.watch(self.ctx.new_page(), "chair")
        self.page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm prompts
        self.phones = 0

    def login(self) -> None:
        page = self.page
        page.goto("/login")
        username, password, display_name = CHAIR
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("main form button.primary")
        expect(page.locator(".topbar .who")).to_have_text(display_name)

    def submit(self, button: str) -> None:
        """Click a form's button, wait for the page it leads to, fail on an error flash."""
        page = self.page
        with page.expect_navigation():
            page.click(button)
        errors = page.locator(".flash-error").all_text_contents()
        assert not errors, f"{button} was refused on {page.url}: {errors}"

    # ---- processes

    def new_process(self, unit_id: int, flow: str, department: str, **fields: str) -> str:
        page = self.page
        page.goto("/processes/new")
        page.select_option("select[name=unit_id]", str(unit_id))
        page.select_option("select[name=flow]", flow)
        page.select_option("select[name=department]", department)
        page.fill("input[name=period]", fields["period"])
        page.fill("input[name=title]", fields["title"])
        page.fill("textarea[name=positions]", fields["positions"])
        self.submit("form.setup button.primary")
        found = re.search(r"/p/([^/#?]+)", page.url)
        assert found, page.url
        return found.group(1)

    def process_page(self, pid: str) -> None:
        self.page.goto(f"/p/{pid}")
        expect(self.page.locator("#step-B1")).to_be_visible()

    def expect_done(self, step: str) -> None:
        expect(self.page.locator(f"#step-{step}")).to_have_class(re.compile(r"\bstep-done\b"))

    def pick(self, step: str, position: int, names: list[str]) -> None:
        """Tick people of the register for the position (in the process's order)."""
        fieldset = self.page.locator(f"#form-{step}-list fieldset.pick").nth(position)
        for name in names:
            fieldset.locator("label.check", has_text=name).locator("input[name=nominee]").check()

    def create_conference(self, pid: str, step: str, summoned: list[str]) -> str:
        """The step's conference from the process page; the roster is the pre-filled one."""
        page = self.page
        self.process_page(pid)
        form = page.locator(f"#form-{step}-conference")
        roster = form.locator("textarea[name=roster]").input_value()
        lines = [line.split(";")[0].strip() for line in roster.splitlines() if line.strip()]
        assert sorted(lines) == sorted(summoned), lines
        with page.expect_navigation():
            form.locator("button.primary").click()
        found = re.search(r"/c/([^/#?]+)$", page.url)
        assert found, (page.url, page.locator(".flash-error").all_text_contents())
        return found.group(1)

    def run_conference(
        self,
        cid: str,
        ballots: list[Ballot],
        inspect: Callable[[Any], None] | None = None,
        screen: str = "",
    ) -> None:
        """Attendance (everyone), open, one phone per ballot, close, lock.

        ``inspect`` looks at the first phone's ballot before it is marked; ``screen``
        names the chair's open conference for axe.
        """
        page = self.page
        expect(page.locator("button[data-all-present]")).to_be_visible()
        page.click("button[data-all-present]")
        summoned = page.locator("table.attendance tbody tr").count()
        self.submit("#attendance form > button.primary")
        expect(page.locator("table.attendance input[value=yes]:checked")).to_have_count(summoned)
        self.submit("form[action$='/open'] button")
        expect(page.locator("form[action$='/close'] button")).to_be_visible()
        if screen:
            axe(page, screen)
        sheet = self.watch.watch(self.ctx.new_page(), "QR sheet")
        sheet.goto(f"/c/{cid}/handout/sheet")
        codes = [c.strip() for c in sheet.locator(".slip .slip-code").all_text_contents()]
        sheet.close()
        assert len(codes) == summoned >= len(ballots), (codes, ballots)
        for n, (code, ballot) in enumerate(zip(codes, ballots, strict=False)):
            self.cast(code, ballot, inspect if n == 0 else None)
        expect(page.locator("#live [data-received]")).to_have_text(str(len(ballots)))
        self.submit("form[action$='/close'] button")
        expect(page.locator("form[action$='/lock'] button")).to_be_enabled()
        self.submit("form[action$='/lock'] button")
        # The lock's summary page: the empty fields of the minutes need an explicit tick.
        expect(page.locator("#lock-summary")).to_be_visible()
        if page.locator("#lock-confirm input[name=accept_empty]").count():
            page.check("#lock-confirm input[name=accept_empty]")
        self.submit("#lock-confirm button.danger")
        expect(page.locator("p.digest")).to_have_text(re.compile(r"^\s*[0-9a-f]{64}\s*$"))

    def cast(self, code: str, ballot: Ballot, inspect: Callable[[Any], None] | None) -> None:
        """A phone opens its slip by the printed code, agrees with ``ballot``, sends."""
        self.phones += 1
        ctx = new_phone(self.browser, self.base, self.phones)
        phone = self.watch.watch(ctx.new_page(), f"phone {self.phones}")
        phone.goto(f"/v/{code}")
        expect(phone.locator("#ballot-form")).to_be_visible()
        if inspect is not None:
            inspect(phone)
        for position, names in ballot.items():
            fieldset = position_on(phone, position)
            for name in names:
                candidate = candidate_on(fieldset, name)
                if not candidate.is_visible():  # introduced: in the closed write-ins section
                    fieldset.locator("details.write-ins > summary").click()
                candidate.locator("label.agree").click()
                expect(candidate.locator("input[value=agree]")).to_be_checked()
        phone.click("#review-button")
        expect(phone.locator("#review")).to_be_visible()
        for names in ballot.values():
            for name in names:
                expect(phone.locator("#review-list")).to_contain_text(name)
        phone.click("#send-button")
        expect(phone.locator("#receipt-code")).to_have_text(RECEIPT)
        ctx.close()

    def carry(self, pid: str, step: str) -> None:
        self.process_page(pid)
        self.submit(f"#form-{step}-carry button.primary")
        self.expect_done(step)

    def vote_step(
        self,
        pid: str,
        step: str,
        summoned: list[str],
        ballots: list[Ballot],
        inspect: Callable[[Any], None] | None = None,
        screen: str = "",
    ) -> None:
        """A whole vote step: its conference from the process, run, locked, carried on."""
        cid = self.create_conference(pid, step, summoned)
        self.run_conference(cid, ballots, inspect, screen)
        self.carry(pid, step)

    def dossier(self, pid: str) -> dict[str, bytes]:
        """Download the process dossier from its page; check it against its manifest."""
        self.process_page(pid)
        with self.page.expect_download() as download:
            self.page.click('a[href$="/dossier.zip"]')
        data = Path(download.value.path()).read_bytes()
        assert download.value.suggested_filename == f"ho-so-quy-trinh-{pid}.zip"
        assert check_dossier(data) == []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {n.split("/", 1)[1]: archive.read(n) for n in archive.namelist()}

    def planning_rows(self, position: str, scope: str) -> Any:
        """The rows of one position's table on /planning (``scope``: level label or phòng)."""
        section = self.page.locator(f"section[aria-label='{position}']").filter(has_text=scope)
        expect(section).to_have_count(1)
        return section.locator("table.planning-list tbody tr")

    def close(self) -> None:
        self.ctx.close()


def position_on(phone: Any, position: str) -> Any:
    name = re.compile(rf"^\s*{re.escape(position)}\s*$")
    return phone.locator("fieldset.position").filter(
        has=phone.locator(".position-name", has_text=name)
    )


def candidate_on(fieldset: Any, name: str) -> Any:
    exact = re.compile(rf"^\s*{re.escape(name)}\s*$")
    return fieldset.locator(".candidate").filter(
        has=fieldset.page.locator(".cand-name", has_text=exact)
    )


def names_on(fieldset: Any, where: str = "") -> list[str]:
    """Candidate names in a ballot's position: listed ("listed") or introduced ("write-in")."""
    scope = {
        "": ".candidate .cand-name",
        "listed": ":scope > .candidate .cand-name",
        "write-in": "details.write-ins .candidate .cand-name",
    }[where]
    return [n.strip() for n in fieldset.locator(scope).all_text_contents()]


@pytest.fixture(scope="module")
def unit_id(browser: Any, server: Server) -> Iterator[int]:
    """The unit and its people, entered through the register pages by the chair."""
    expect.set_options(timeout=10_000)
    watch = ConsoleWatch()
    chair = Chair(browser, server, watch)
    chair.login()
    page = chair.page
    page.goto("/register")
    axe(page, "register")
    page.fill("input[name=name]", UNIT)
    page.fill("input[name=parent_body]", "Tổng cục Thi hành án dân sự")
    page.fill("input[name=locality]", "Kiên Giang")
    chair.submit("form:has(input[name=name]) button.primary")
    found = re.search(r"/register/(\d+)$", page.url)
    assert found, page.url
    page.fill("textarea[name=register]", REGISTER)
    chair.submit("form:has(textarea[name=register]) button.primary")
    expect(page.locator("table.register tbody tr")).to_have_count(14)
    expect(page.locator("table.register")).to_contain_text(TRI)
    axe(page, "register (unit)")
    assert not watch.problems, "\n".join(watch.problems)
    chair.close()
    yield int(found.group(1))


# --------------------------------------------------------------------------- the tests


def test_phong_term_planning(browser: Any, server: Server, unit_id: int, screenshots: Path) -> None:
    """phong/term B1–B6 for the Phòng Tổ chức cán bộ, then the list and the dossier."""
    expect.set_options(timeout=10_000)
    watch = ConsoleWatch()
    chair = Chair(browser, server, watch)
    chair.login()
    page = chair.page

    page.goto("/processes/new")
    axe(page, "new process")
    pid = chair.new_process(
        unit_id,
        "phong/term",
        TCCB,
        period="2026–2031",
        title="Quy hoạch lãnh đạo Phòng Tổ chức cán bộ 2026–2031",
        positions=f"{TP} | 1\n{PTP} | 2",
    )
    steps = page.locator("ol.chain li.chain-step")
    expect(steps).to_have_count(6)
    expect(page.locator("#step-B1")).to_have_class(re.compile(r"\bstep-current\b"))
    expect(page.locator("#form-B1-list")).to_be_visible()
    axe(page, "process (B1: source list)")

    # B1: the plan and the source list, picked from the register.
    page.fill("#form-B1-list input[name=plan]", "Kế hoạch số 01/KH-PTCCB")
    chair.pick("B1", 0, [TAM])
    chair.pick("B1", 1, [KHOA, HANH])
    chair.submit("#form-B1-list button.primary")
    chair.expect_done("B1")

    # B2: the phòng's leadership approves the whole list.
    approve = page.locator("#form-B2-approve input[name=approved]")
    expect(approve).to_have_count(3)
    expect(page.locator("#form-B2-approve input[name=approved]:checked")).to_have_count(3)
    chair.submit("#form-B2-approve button.primary")
    chair.expect_done("B2")

    # B3: every civil servant of the phòng (5) discovers candidates; 30% of 5 present is 2
    # votes. Two phones introduce Trí, who is not on the list; Hạnh gets 1 vote and fails.
    def b3_ballot(phone: Any) -> None:
        ptp = position_on(phone, PTP)
        assert names_on(ptp, "listed") == [KHOA, HANH]
        assert TRI in names_on(ptp, "write-in")
        expect(ptp.locator("details.write-ins")).not_to_have_attribute("open", "")
        screenshot(phone, screenshots / "process-phone-write-ins.png")
        axe(phone, "phone ballot (write-ins)")

    expect(page.locator("#form-B3-conference")).to_be_visible()
    axe(page, "process (B3: conference form)")
    staff = [YEN, TAM, KHOA, HANH, TRI]
    cid = chair.create_conference(pid, "B3", staff)
    chair.run_conference(
        cid,
        [{TP: [TAM], PTP: [KHOA, TRI]}, {TP: [TAM], PTP: [KHOA, TRI]}, {TP: [TAM], PTP: [HANH]}],
        inspect=b3_ballot,
    )
    chair.process_page(pid)
    expect(page.locator("#form-B3-carry")).to_be_visible()
    chair.submit("#form-B3-carry button.primary")
    chair.expect_done("B3")
    carried = page.locator("#step-B3 table.people-list tbody")
    for name in (TAM, KHOA, TRI):
        expect(carried).to_contain_text(name)
    expect(carried).not_to_contain_text(HANH)

    # B4: the extended leadership (Yến, Tâm). Trí, introduced at B3, is on the ballot now,
    # as a listed candidate; Hạnh, who failed, never is again.
    def b4_ballot(phone: Any) -> None:
        assert names_on(position_on(phone, PTP)) == [KHOA, TRI]
        assert names_on(position_on(phone, TP)) == [TAM]
        expect(phone.locator("details.write-ins")).to_have_count(0)

    chair.vote_step(pid, "B4", [YEN, TAM], [{TP: [TAM], PTP: [KHOA, TRI]}] * 2, b4_ballot)
    # B5: the phòng's leadership, final vote over 50% of those summoned.
    chair.vote_step(pid, "B5", [YEN, TAM], [{TP: [TAM], PTP: [KHOA, TRI]}] * 2)

    # B6: the approval decision writes the planning list.
    form = page.locator("#form-B6-decision")
    expect(form.locator("input[name=approved]:checked")).to_have_count(3)
    expect(form.locator("input[name=outcome][value=approved]")).to_be_checked()
    form.locator("input[name=number]").fill(PHONG_DECISION)
    form.locator("input[name=signed_on]").fill("2026-11-30")
    form.locator("input[name=signer]").fill("Cục trưởng Nguyễn Văn Vũ")
    chair.submit("#form-B6-decision button.primary")
    chair.expect_done("B6")
    expect(page.locator(".page-head .status")).to_have_class(re.compile(r"\bstatus-locked\b"))
    expect(page.locator("#step-B6")).to_contain_text(PHONG_DECISION)
    expect(page.locator("ol.chain li.chain-done")).to_have_count(6)
    screenshot(page, screenshots / "process-phong-term.png")
    axe(page, "process (approved)")

    # The approved list.
    page.goto("/planning")
    heads = chair.planning_rows(TP, TCCB)
    expect(heads).to_have_count(1)
    expect(heads.first).to_contain_text(TAM)
    deputies = chair.planning_rows(PTP, TCCB)
    expect(deputies).to_have_count(2)
    for name in (KHOA, TRI):
        expect(deputies.filter(has_text=name)).to_contain_text(PHONG_DECISION)
    expect(page.locator("main")).not_to_contain_text(HANH)
    phong = f"section[aria-label='{TP}'] tr.left, section[aria-label='{PTP}'] tr.left"
    expect(page.locator(phong)).to_have_count(0)
    axe(page, "planning list")

    # The process dossier: every step's record and each conference's locked files.
    files = chair.dossier(pid)
    assert {"quy-trinh.json", "danh-sach.csv", "B3/ket-qua.json", "B5/ket-qua.json"} <= set(files)
    assert any(f.startswith("B4/") and f.endswith(".pdf") for f in files)
    chain = {s["step"]: s for s in json.loads(files["quy-trinh.json"])["steps"]}
    assert all(s["status"] == "done" for s in chain.values())
    introduced = {p["name"]: p for p in chain["B3"]["carried"]}
    assert introduced[TRI]["origin"] == "write-in" and introduced[TRI]["agree"] == 2
    assert sorted(p["name"] for p in chain["B6"]["carried"]) == sorted([TAM, KHOA, TRI])
    changes = list(csv.reader(io.StringIO(files["danh-sach.csv"].decode("utf-8-sig"))))
    assert sorted(row[1] for row in changes[1:]) == sorted([TAM, KHOA, TRI])

    assert not watch.problems, "\n".join(watch.problems)
    chair.close()


def test_cuc_annual_review_with_removal(
    browser: Any, server: Server, unit_id: int, screenshots: Path
) -> None:
    """cuc/annual-local B1–B5: a supplement, a removal vote, the decision that confirms it."""
    expect.set_options(timeout=10_000)
    seed(server, unit_id)
    watch = ConsoleWatch()
    chair = Chair(browser, server, watch)
    chair.login()
    page = chair.page

    def cuc_rows(position: str) -> Any:
        page.goto("/planning")
        return chair.planning_rows(position, SEED_DECISION)

    deputies = cuc_rows(PCT)
    expect(deputies).to_have_count(2)
    expect(deputies.filter(has_text=BAO)).not_to_have_class(re.compile(r"\bleft\b"))

    pid = chair.new_process(
        unit_id,
        "cuc/annual-local",
        "",
        period="2027",
        title="Rà soát, bổ sung quy hoạch lãnh đạo Cục năm 2027",
        positions=f"{CT} | 1\n{PCT} | 2",
    )
    expect(page.locator("ol.chain li.chain-step")).to_have_count(5)

    # B1 approves the supplement list (Lan) ...
    page.fill("#form-B1-list input[name=plan]", "Kế hoạch số 05/KH-CTHADS")
    chair.pick("B1", 1, [LAN])
    chair.submit("#form-B1-list button.primary")
    expect(page.locator("#step-B1")).to_have_class(re.compile(r"\bstep-current\b"))
    expect(page.locator("#form-B1-conference")).to_be_visible()
    axe(page, "process (annual B1: list and removal vote)")

    # ... and votes, by secret ballot, on removing people of the current list: the
    # leadership (3 summoned); over 50% of them, i.e. 2 votes, proposes a removal.
    def removal_ballot(phone: Any) -> None:
        assert names_on(position_on(phone, CT)) == [HUNG]
        assert sorted(names_on(position_on(phone, PCT))) == sorted([YEN, BAO])
        expect(phone.locator("#ballot-form")).not_to_contain_text(LAN)
        expect(phone.locator("details.write-ins")).to_have_count(0)
        screenshot(phone, screenshots / "process-phone-removal.png")
        axe(phone, "phone ballot (removal)")

    leaders = ["Nguyễn Văn Vũ", HUNG, "Trần Thị Mai"]
    cid = chair.create_conference(pid, "B1", leaders)
    chair.run_conference(
        cid, [{PCT: [BAO]}, {PCT: [BAO, YEN]}], inspect=removal_ballot, screen="chair (removal)"
    )
    chair.carry(pid, "B1")
    tables = page.locator("#step-B1 table.people-list")
    expect(tables).to_have_count(2)
    proposed = tables.nth(0).locator("tbody tr")  # proposed for removal, then carried on
    expect(proposed).to_have_count(1)
    expect(proposed.first).to_contain_text(BAO)
    expect(proposed.first.locator("td.num")).to_have_text("2")
    expect(tables.nth(1)).to_contain_text(LAN)

    # Proposed is not removed: Bảo stays in the list until the approval decides.
    deputies = cuc_rows(PCT)
    expect(deputies.filter(has_text=BAO)).to_have_count(1)
    expect(deputies.filter(has_text=BAO)).not_to_have_class(re.compile(r"\bleft\b"))

    # B2–B4: the supplement goes through the key officials (11), the extended leadership
    # (7) and the leadership's final vote (3).
    key_officials = [
        "Nguyễn Văn Vũ",
        HUNG,
        "Trần Thị Mai",
        YEN,
        TAM,
        "Đỗ Minh Quân",
        "Trương Ngọc Ánh",
        LAN,
        "Nguyễn Hoàng Phúc",
        BAO,
        "Lâm Thị Thu",
    ]
    extended = ["Nguyễn Văn Vũ", HUNG, "Trần Thị Mai", YEN, "Đỗ Minh Quân", LAN, BAO]

    def b2_ballot(phone: Any) -> None:
        expect(phone.locator("fieldset.position")).to_have_count(1)  # nobody for Cục trưởng
        assert names_on(position_on(phone, PCT), "listed") == [LAN]

    chair.vote_step(pid, "B2", key_officials, [{PCT: [LAN]}] * 4, b2_ballot)
    chair.vote_step(pid, "B3", extended, [{PCT: [LAN]}] * 4)
    chair.vote_step(pid, "B4", leaders, [{PCT: [LAN]}] * 2)

    # B5: the decision approves the supplement and confirms the removal.
    form = page.locator("#form-B5-decision")
    expect(form.locator("input[name=approved]:checked")).to_have_count(1)
    removed = form.locator("input[name=removed]:checked")
    expect(removed).to_have_count(1)
    expect(form.locator("label.check:has(input[name=removed]:checked)")).to_contain_text(BAO)
    form.locator("input[name=number]").fill(REVIEW_DECISION)
    form.locator("input[name=signed_on]").fill("2026-12-01")
    form.locator("input[name=signer]").fill("Tổng cục trưởng")
    chair.submit("#form-B5-decision button.primary")
    chair.expect_done("B5")
    expect(page.locator(".page-head .status")).to_have_class(re.compile(r"\bstatus-locked\b"))
    screenshot(page, screenshots / "process-cuc-review.png")

    # Bảo has left the list, by this review's decision; Yến stays, Lan joins.
    page.goto("/planning")
    rows = page.locator("section[aria-label='Phó Cục trưởng'] table.planning-list tbody tr")
    expect(rows).to_have_count(3)
    left = rows.filter(has_text=BAO)
    expect(left).to_have_class(re.compile(r"\bleft\b"))
    expect(left.locator("td").nth(4)).to_contain_text(REVIEW_DECISION)
    expect(left.locator(f"td a[href='/p/{pid}']")).to_have_count(1)
    for name in (YEN, LAN):
        expect(rows.filter(has_text=name)).not_to_have_class(re.compile(r"\bleft\b"))
    expect(rows.filter(has_text=LAN)).to_contain_text(REVIEW_DECISION)
    heads = chair.planning_rows(CT, SEED_DECISION)
    expect(heads).to_have_count(1)
    expect(heads.first).to_contain_text(HUNG)
    screenshot(page, screenshots / "planning-list.png")
    axe(page, "planning list (after a removal)")
    # The reason, in the template's own words (English: the source strings).
    page.goto("/planning?lang=en")
    left = page.locator("section[aria-label='Phó Cục trưởng'] tr.left")
    expect(left).to_have_count(1)
    expect(left.locator("td").nth(4)).to_contain_text("Removal vote")
    page.goto("/planning?lang=vi")

    # The review's dossier records the proposal and the list's changes.
    files = chair.dossier(pid)
    chain = {s["step"]: s for s in json.loads(files["quy-trinh.json"])["steps"]}
    assert [(p["name"], p["agree"]) for p in chain["B1"]["proposed_removal"]] == [(BAO, 2)]
    assert [p["name"] for p in chain["B1"]["carried"]] == [LAN]
    changes = list(csv.reader(io.StringIO(files["danh-sach.csv"].decode("utf-8-sig"))))
    moves = sorted((row[1], row[5]) for row in changes[1:])
    assert moves == sorted([(BAO, "Đưa ra"), (LAN, "Đưa vào")])
    assert {"B1/ket-qua.json", "B4/ket-qua.json"} <= set(files)

    assert not watch.problems, "\n".join(watch.problems)
    chair.close()
