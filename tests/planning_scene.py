"""A unit's register and helpers that run each step through the real code paths.

Shared by the planning tests (tests/planning/conftest.py re-exports it) and the API's
(tests/api): the register, the process factory and the conference runner.

Vote steps run their conference through the JSON API exactly as the chair's
laptop and the phones do: attendance, open, one cast per token, close, lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import Api, token_of
from voting.auth.models import User
from voting.conferences.rules import current_ruleset
from voting.demo import REGISTER as DEMO_REGISTER
from voting.errors import DomainError
from voting.extensions import db
from voting.personnel.models import Unit
from voting.personnel.operations import add_members, create_unit, parse_register
from voting.planning.approval import record_decision
from voting.planning.models import Nominee, Process, ProcessStep
from voting.planning.processes import create_process
from voting.planning.records import approve_list, record_source_list
from voting.planning.steps import find_process, incoming, outgoing, removal_proposals
from voting.planning.vote import complete_vote_step, create_step_conference

REGISTER = DEMO_REGISTER

TCCB = "Phòng Tổ chức cán bộ"


def refused(action: Callable[[], Any], code: str, field: str | None = None) -> DomainError:
    """Run ``action``; it must be refused with ``code`` (and name ``field``); roll back."""
    with pytest.raises(DomainError) as info:
        action()
    db.session.rollback()
    assert info.value.code == code, info.value
    if field is not None:
        assert info.value.params.get("field") == field
    return info.value


@pytest.fixture
def unit(app: Flask) -> Iterator[int]:
    with app.app_context():
        created = create_unit(
            {
                "name": "Cục Thi hành án dân sự tỉnh Kiên Giang",
                "parent_body": "Tổng cục Thi hành án dân sự",
                "locality": "Kiên Giang",
            }
        )
        add_members(created, parse_register(REGISTER), current_ruleset())
        db.session.commit()
        yield created.id


def member_id(name: str, unit_id: int | None = None) -> int:
    """A register member by name, in the only unit (or the one named)."""
    if unit_id is None:
        unit = db.session.scalars(sa.select(Unit)).one()
    else:
        unit = db.session.get(Unit, unit_id)
    return next(m.id for m in unit.members if m.name == name)


@dataclass
class Flow:
    """One process driven step by step (inside the app context)."""

    app: Flask
    api: Api
    public_id: str

    @property
    def process(self) -> Process:
        found = find_process(self.public_id)
        assert found is not None
        return found

    def step(self, name: str) -> ProcessStep:
        return next(s for s in self.process.steps if s.step == name)

    def commit(self) -> None:
        db.session.commit()
        db.session.expire_all()

    def nominee(self, name: str, origin: str | None = None) -> Nominee:
        return next(
            n
            for n in self.process.nominees
            if n.name == name and (origin is None or n.origin == origin)
        )

    def names(self, step: str, kind: str = "carried") -> list[str]:
        return sorted(n.name for n in outgoing(self.step(step), kind))

    # ---- non-vote steps

    def source_list(self, step: str, people: dict[str, list[str]], plan: str = "") -> None:
        process = self.process
        rows = [
            {"position": self.position_id(pos), "member_id": member_id(name, process.unit_id)}
            for pos, names in people.items()
            for name in names
        ]
        record_source_list(
            process,
            self.step(step),
            {
                "plan": plan or "Kế hoạch số 01/KH-CTHADS",
                "drafted_on": "2026-11-02",
                "nominees": rows,
            },
            current_ruleset(),
        )
        self.commit()

    def position_id(self, name: str) -> int:
        return next(p.id for p in self.process.positions if p.name == name)

    def approve(self, step: str, drop: tuple[str, ...] = (), **extra: Any) -> None:
        row = self.step(step)
        keep = [n.id for n in incoming(self.process, row) if n.name not in drop]
        approve_list(
            self.process,
            row,
            {"meeting_on": "2026-11-05", "conclusion": "Thống nhất", "approved": keep, **extra},
            current_ruleset(),
        )
        self.commit()

    def decide(self, step: str, outcome: str = "approved", removed: tuple[str, ...] = ()) -> None:
        row = self.step(step)
        approved = [n.id for n in incoming(self.process, row)]
        removals = [n.id for n in removal_proposals(self.process) if n.name in removed]
        record_decision(
            self.process,
            row,
            {
                "outcome": outcome,
                "number": "15/QĐ-CTHADS",
                "signed_on": "2026-11-30",
                "signer": "Cục trưởng Nguyễn Văn Vũ",
                "approved": approved,
                "removed": removals,
            },
            current_ruleset(),
        )
        self.commit()

    # ---- vote steps

    def conference(self, step: str, keep: tuple[str, ...] = ()) -> dict[str, Any]:
        """The step's conference; ``keep`` names flagged people the chair keeps on the ballot."""
        decisions = {str(n.id): "keep" for n in self.process.nominees if n.name in keep}
        conference = create_step_conference(
            self.process,
            self.step(step),
            {
                "held_on": "2026-11-23",
                "place": "Hội trường Cục",
                "chair_name": "Nguyễn Văn Vũ",
                "flag_decisions": decisions,
            },
            current_ruleset(),
        )
        self.commit()
        r = self.api.get(f"/api/v1/conferences/{conference.public_id}")
        assert r.status_code == 200
        return r.get_json()

    def vote(
        self,
        step: str,
        ballots: list[dict[str, list[str]]],
        *,
        absent: int = 0,
        head: dict[str, list[str]] | None = None,
        keep: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """Run the step's conference: ``ballots`` name, per position, who each agrees with."""
        conf = self.conference(step, keep)
        self.run(conf, ballots, absent=absent, head=head)
        complete_vote_step(self.process, self.step(step), current_ruleset())
        self.commit()
        return conf

    def run(
        self,
        conf: dict[str, Any],
        ballots: list[dict[str, list[str]]],
        *,
        absent: int = 0,
        head: dict[str, list[str]] | None = None,
    ) -> None:
        """Attendance, open, one cast per ballot, close, (head decision), lock — via the API."""
        run_conference(self.api, conf, ballots, absent=absent, head=head)
        db.session.expire_all()


def run_conference(
    api: Api,
    conf: dict[str, Any],
    ballots: list[dict[str, list[str]]],
    *,
    absent: int = 0,
    head: dict[str, list[str]] | None = None,
) -> None:
    cid = conf["id"]
    marks = [
        {"person_id": p["id"], "present": i >= absent, "reason": "Ốm" if i < absent else ""}
        for i, p in enumerate(conf["people"])
    ]
    r = api.put(f"/api/v1/conferences/{cid}/attendance", json={"attendance": marks})
    assert r.status_code == 200, r.get_json()
    r = api.post(f"/api/v1/conferences/{cid}/open")
    assert r.status_code == 200, r.get_json()
    tokens = r.get_json()["tokens"]
    assert len(ballots) <= len(tokens)
    keys = {
        p["name"]: (p["id"], {c["name"]: c["id"] for c in p["candidates"]})
        for p in conf["positions"]
    }

    def choices(ballot: dict[str, list[str]]) -> dict[str, list[str]]:
        return {keys[pos][0]: [keys[pos][1][n] for n in names] for pos, names in ballot.items()}

    for token, ballot in zip(tokens, ballots, strict=False):
        r = api.client.post(
            "/api/v1/ballots", json={"token": token_of(token), "choices": choices(ballot)}
        )
        assert r.status_code == 201, r.get_json()
    assert api.post(f"/api/v1/conferences/{cid}/close").status_code == 200
    if head:
        r = api.post(
            f"/api/v1/conferences/{cid}/head-decision",
            json={"decided_by": "Nguyễn Văn Vũ, Cục trưởng", "choice": choices(head)},
        )
        assert r.status_code == 200, r.get_json()
    r = api.post(f"/api/v1/conferences/{cid}/lock")
    assert r.status_code == 200, r.get_json()


#: A second unit's register (20 people): the same shape, other people, its own Văn phòng.
SECOND_UNIT = "Cục Thi hành án dân sự tỉnh Cà Mau"
SECOND_REGISTER = """
Trịnh Văn An; 1969; Nam; Cục trưởng; ; cuc-leader party-standing
Hoàng Thị Bích; 1975; Nữ; Phó Cục trưởng; ; cuc-leader party-standing
Phan Văn Cường; 1973; Nam; Phó Cục trưởng; ; cuc-leader
Vũ Thị Dung; 1980; Nữ; Chánh Văn phòng; Văn phòng; phong-head party-committee
Lưu Văn Em; 1986; Nam; Phó Chánh Văn phòng; Văn phòng; phong-deputy
Tạ Thị Giang; 1991; Nữ; Chuyên viên; Văn phòng;
Đinh Văn Hải; 1989; Nam; Chuyên viên; Văn phòng;
Kiều Thị Hương; 1979; Nữ; Trưởng phòng Tổ chức cán bộ; Phòng Tổ chức cán bộ; phong-head
Mạc Văn Khánh; 1984; Nam; Phó Trưởng phòng; Phòng Tổ chức cán bộ; phong-deputy mass-org-head
Lã Thị Liên; 1992; Nữ; Chuyên viên; Phòng Tổ chức cán bộ;
Ông Văn Minh; 1978; Nam; Trưởng phòng Nghiệp vụ; Phòng Nghiệp vụ; phong-head
Chu Thị Ngọc; 1983; Nữ; Phó Trưởng phòng Nghiệp vụ; Phòng Nghiệp vụ; phong-deputy
Quách Văn Oai; 1990; Nam; Chuyên viên; Phòng Nghiệp vụ;
Thân Thị Phượng; 1977; Nữ; Chi cục trưởng; Chi cục THADS TP Cà Mau; chi-cuc-head
Âu Văn Quý; 1982; Nam; Phó Chi cục trưởng; Chi cục THADS TP Cà Mau; chi-cuc-deputy
Giáp Thị Rạng; 1987; Nữ; Chuyên viên; Chi cục THADS TP Cà Mau;
Lò Văn Sáng; 1981; Nam; Chi cục trưởng; Chi cục THADS huyện Năm Căn; chi-cuc-head
Khổng Thị Tuyết; 1985; Nữ; Phó Chi cục trưởng; Chi cục THADS huyện Năm Căn; chi-cuc-deputy
Bế Văn Uy; 1993; Nam; Chuyên viên; Chi cục THADS huyện Năm Căn;
Nông Thị Vân; 1988; Nữ; Chuyên viên; Phòng Nghiệp vụ;
"""


@pytest.fixture
def second_unit(app: Flask, unit: int) -> int:
    """A second unit beside the first, with its own 20 people."""
    with app.app_context():
        created = create_unit({"name": SECOND_UNIT, "locality": "Cà Mau"})
        add_members(created, parse_register(SECOND_REGISTER), current_ruleset())
        db.session.commit()
        return created.id


@pytest.fixture
def start_flow(app: Flask, unit: int, chair_api: Api) -> Iterator[Callable[..., Flow]]:
    """Factory: start a process for a level and flow, positions given as {name: quota}."""
    with app.app_context():

        def start(
            level: str,
            flow: str,
            positions: dict[str, int],
            department: str = "",
            unit_id: int | None = None,
        ) -> Flow:
            chair = db.session.scalar(sa.select(User).where(User.username == "chair"))
            assert chair is not None
            process = create_process(
                chair,
                {
                    "unit_id": unit_id or unit,
                    "level": level,
                    "flow": flow,
                    "department": department,
                    "period": "2026–2031" if flow == "term" else "2026",
                    "title": f"Quy hoạch {level} {flow}",
                    "positions": [{"name": n, "quota": q} for n, q in positions.items()],
                },
                current_ruleset(),
            )
            db.session.commit()
            return Flow(app, chair_api, process.public_id)

        yield start
