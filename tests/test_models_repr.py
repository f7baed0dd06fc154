"""Every model's repr: the class and what identifies the row, never a secret or a ballot link.

A repr lands in tracebacks, debugger sessions and log lines, which docs/security.md
allows to hold neither a token's code or hashes, nor a ballot's choices, nor
anything that joins a ballot to the token that cast it (a token's or a ballot's id,
a receipt's code).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tests.conftest import token_of
from voting.audit.models import AuditEntry
from voting.auth.models import User
from voting.ballots.models import Ballot, PaperEntry, Receipt, Token
from voting.conferences.models import Conference
from voting.demo import load_demo
from voting.extensions import Model, db
from voting.minutes.models import MinutesNote
from voting.personnel.models import Discipline, Unit
from voting.planning.models import Attachment, BallotLink, PlanningEntry, Process, StepEntry

#: Columns no repr may show: secrets and their hashes, a ballot's content, file bodies.
SECRET = re.compile(r"(_hash|_json|^choices|^code|^data|^details|^text|_sha256|^sha256)$")
#: Rows of the secret ballot: even their ids (a token's, a ballot's) stay out of a repr.
BALLOT_ROWS = (Token, Ballot, Receipt, PaperEntry)


def models() -> list[type[Model]]:
    return sorted({m.class_ for m in Model.registry.mappers}, key=lambda cls: cls.__name__)


@contextmanager
def no_sql() -> Iterator[list[str]]:
    """Collects every statement run inside; a repr must run none."""
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)


def test_every_model_names_its_own_repr_columns(app: Flask) -> None:
    assert len(models()) >= 20
    for cls in models():
        assert "repr_columns" in cls.__dict__, f"{cls.__name__} inherits its repr columns"
        columns = set(sa.inspect(cls).columns.keys())
        assert cls.repr_columns and set(cls.repr_columns) <= columns, cls.__name__
        assert not [c for c in cls.repr_columns if SECRET.search(c)], cls.__name__
    assert {cls: cls.repr_columns for cls in BALLOT_ROWS} == {
        Token: ("conference_id", "state"),
        Ballot: ("conference_id",),
        Receipt: ("conference_id",),
        PaperEntry: ("conference_id", "entered_by"),
    }


def test_the_ballot_rows_show_their_conference_and_nothing_of_the_vote(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference()
    slip = conf["tokens"][0]
    r = app.test_client().post(
        "/api/v1/ballots", json={"token": token_of(slip), "choices": {"p1": ["c1", "c2"]}}
    )
    assert r.status_code == 201, r.get_json()
    receipt_code = r.get_json()["receipt"]
    with app.app_context():
        conference = db.session.scalars(
            sa.select(Conference).where(Conference.public_id == conf["id"])
        ).one()
        cid = conference.id
        used = db.session.scalars(sa.select(Token).where(Token.state == "used")).one()
        ballot = db.session.scalars(sa.select(Ballot)).one()
        receipt = db.session.scalars(sa.select(Receipt)).one()
        paper = PaperEntry(conference_id=cid, choices='{"p1":["c1"]}', entered_by="chair")
        with no_sql() as statements:
            shown = {type(row): repr(row) for row in (used, ballot, receipt, paper)}
        assert statements == []
        assert shown == {
            Token: f"<Token conference_id={cid} state='used'>",
            Ballot: f"<Ballot conference_id={cid}>",
            Receipt: f"<Receipt conference_id={cid}>",
            PaperEntry: f"<PaperEntry conference_id={cid} entered_by='chair'>",
        }
        secrets = [
            used.id,
            used.secret_hash,
            used.code_hash,
            slip["code"],
            token_of(slip),
            ballot.id,
            ballot.choices,
            "c1",
            receipt.code,
            receipt_code,
        ]
        for text in shown.values():
            assert not [s for s in secrets if s in text], text


def test_conference_rows_and_accounts_show_what_names_them(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(open_it=False)
    with app.app_context():
        conference = db.session.scalars(
            sa.select(Conference).where(Conference.public_id == conf["id"])
        ).one()
        cid, pid = conference.id, conference.public_id
        person = conference.people[0]
        position = conference.positions[0]
        candidate = position.candidates[0]
        chair = db.session.scalars(sa.select(User).where(User.username == "chair")).one()
        entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).first()
        assert entry is not None
        note = MinutesNote(id=5, conference_id=cid, author="Phạm Thị Yến", text="Ghi chú")
        with no_sql() as statements:
            assert repr(conference) == f"<Conference id={cid} public_id={pid!r} status='draft'>"
            assert repr(person) == (
                f"<SummonedPerson id={person.id} conference_id={cid} name='Người dự 1'>"
            )
            assert repr(position) == (
                f"<Position id={position.id} conference_id={cid} key='p1' name='Phó Cục trưởng'>"
            )
            assert repr(candidate) == (
                f"<Candidate id={candidate.id} position_id={position.id} key='c1' "
                "name='Lê Thị Phương Tâm'>"
            )
            assert repr(chair) == f"<User id={chair.id} username='chair' role='chair'>"
            assert repr(entry) == (
                f"<AuditEntry id={entry.id} conference_id={entry.conference_id} "
                f"action={entry.action!r}>"
            )
            assert repr(note) == f"<MinutesNote id=5 conference_id={cid} author='Phạm Thị Yến'>"
            assert chair.password_hash not in repr(chair)
            # Expired (as after a commit): the key still shows, and nothing is loaded for it.
            db.session.expire(conference)
            assert repr(conference) == f"<Conference id={cid}>"
        assert statements == []


def test_planning_and_register_rows(app: Flask) -> None:
    with app.app_context():
        load_demo()
        unit = db.session.scalars(sa.select(Unit)).one()
        member = unit.members[0]
        process = db.session.scalars(sa.select(Process).where(Process.level == "cuc")).one()
        step = process.steps[0]
        position = process.positions[0]
        nominee = process.nominees[0]
        row = db.session.scalars(sa.select(StepEntry)).first()
        discipline = db.session.scalars(sa.select(Discipline)).one()
        planned = db.session.scalars(sa.select(PlanningEntry).order_by(PlanningEntry.id)).first()
        assert row is not None and planned is not None
        link = BallotLink(id=3, step_id=step.id, position_key="p1", candidate_key="c2")
        attachment = Attachment(
            id=4, process_id=process.id, step="B2", filename="y-kien.pdf", data=b"%PDF secret"
        )
        with no_sql() as statements:
            shown = [
                repr(x)
                for x in (unit, member, process, step, position, nominee, row, discipline, planned)
            ]
            assert repr(link) == (
                f"<BallotLink id=3 step_id={step.id} position_key='p1' candidate_key='c2'>"
            )
            assert repr(attachment) == (
                f"<Attachment id=4 process_id={process.id} filename='y-kien.pdf'>"
            )
        assert statements == []
        assert shown == [
            f"<Unit id={unit.id} name={unit.name!r}>",
            f"<Member id={member.id} unit_id={unit.id} name={member.name!r}>",
            f"<Process id={process.id} public_id={process.public_id!r} level='cuc' "
            f"flow='term' status={process.status!r}>",
            f"<ProcessStep id={step.id} process_id={process.id} step={step.step!r} "
            f"status={step.status!r}>",
            f"<ProcessPosition id={position.id} process_id={process.id} name={position.name!r}>",
            f"<Nominee id={nominee.id} process_id={process.id} origin={nominee.origin!r} "
            f"name={nominee.name!r}>",
            f"<StepEntry id={row.id} step_id={row.step_id} nominee_id={row.nominee_id} "
            f"kind={row.kind!r}>",
            f"<Discipline id={discipline.id} member_id={discipline.member_id} "
            f"form={discipline.form!r}>",
            f"<PlanningEntry id={planned.id} unit_id={unit.id} "
            f"position_name={planned.position_name!r} name={planned.name!r}>",
        ]
