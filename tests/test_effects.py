"""After-commit effects: queued by an operation, run once it is committed, never otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.ballots.test_scrub import pending, voted
from voting.conferences import operations as ops
from voting.conferences.models import Conference
from voting.effects import after_commit, queued, run_due, transaction
from voting.errors import DomainError
from voting.extensions import db


def _touch() -> None:
    db.session.execute(sa.text("SELECT 1"))


def test_an_effect_runs_after_the_commit_and_only_once(app: Flask) -> None:
    ran: list[str] = []
    with app.app_context():
        _touch()
        after_commit("a", lambda: ran.append("a"))
        after_commit("a", lambda: ran.append("a again"))  # the same key: once
        after_commit("b", lambda: ran.append("b"))
        run_due()
        assert ran == [] and queued() == ["a", "b"]  # not before the commit
        db.session.commit()
        assert ran == []  # due, not yet run
        run_due()
        assert ran == ["a again", "b"]
        run_due()
        assert ran == ["a again", "b"]


def test_a_rolled_back_change_has_no_effect(app: Flask) -> None:
    ran: list[str] = []
    with app.app_context():
        _touch()
        after_commit("x", lambda: ran.append("x"))
        db.session.rollback()
        assert queued() == []
        _touch()
        db.session.commit()
        run_due()
    assert ran == []


def test_the_transaction_commits_once_then_runs_what_became_due(app: Flask) -> None:
    ran: list[str] = []
    with app.app_context():
        with transaction():
            db.session.execute(sa.text("CREATE TEMPORARY TABLE kept (n INTEGER)"))
            db.session.execute(sa.text("INSERT INTO kept VALUES (1)"))
            after_commit("x", lambda: ran.append("x"))
            assert ran == []
        assert ran == ["x"]
        assert db.session.execute(sa.text("SELECT count(*) FROM kept")).scalar() == 1


def test_a_refusal_inside_the_transaction_rolls_back_and_runs_nothing(app: Flask) -> None:
    ran: list[str] = []
    with app.app_context():
        db.session.execute(sa.text("CREATE TEMPORARY TABLE kept (n INTEGER)"))
        db.session.commit()
        with pytest.raises(DomainError), transaction():
            db.session.execute(sa.text("INSERT INTO kept VALUES (1)"))
            after_commit("x", lambda: ran.append("x"))
            raise DomainError("refused", "Refused.", 409)
        assert queued() == []
        assert db.session.execute(sa.text("SELECT count(*) FROM kept")).scalar() == 0
        run_due()
    assert ran == []


def test_what_is_due_runs_when_the_context_closes(app: Flask) -> None:
    ran: list[str] = []
    with app.app_context():
        _touch()
        after_commit("x", lambda: ran.append("x"))
        db.session.commit()
    assert ran == ["x"]


def test_an_effect_that_commits_makes_its_own_effects_run(app: Flask) -> None:
    ran: list[str] = []

    def first() -> None:
        _touch()
        after_commit("second", lambda: ran.append("second"))
        db.session.commit()
        ran.append("first")

    with app.app_context():
        _touch()
        after_commit("first", first)
        db.session.commit()
        run_due()
    assert ran == ["first", "second"]


@pytest.mark.parametrize("step", ["close", "lock"])
def test_a_close_or_lock_by_any_path_scrubs(
    app: Flask, create_conference: Callable[..., dict[str, Any]], step: str
) -> None:
    """Not only the pages and the API: a command or a timer that calls the operation and
    commits owes the same scrub, and gets it without knowing of it."""
    conf = voted(app, create_conference)
    with app.app_context():
        conference = db.session.scalar(
            sa.select(Conference).where(Conference.public_id == conf["id"])
        )
        assert conference is not None
        ops.close_ballot(conference)
        if step == "lock":
            db.session.commit()
            run_due()
            ops.lock_result(conference)
        # The operation queues the live screens' update too (voting.realtime.publisher).
        assert queued() == [("scrub", conference.id), ("notify", conference.id)]
        db.session.commit()
        assert conference.scrub_pending  # committed with the close: a kill keeps it
    assert not pending(app, conf["id"])
