"""The typed result document reads every shape ever locked and writes it back unchanged."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import Api
from tests.minutes.test_result_export import locked_conference
from voting.canonical import canonical_json
from voting.conferences.document import RESULT_FORMAT, ResultDocument, Returned
from voting.conferences.models import Conference
from voting.conferences.results import (
    current_result,
    locked_result,
    result_document,
    sha256_hex,
    verify_locked,
)
from voting.extensions import db


def _conference(public_id: str) -> Conference:
    return db.session.scalars(sa.select(Conference).where(Conference.public_id == public_id)).one()


@pytest.fixture
def locked_text(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> str:
    conf = locked_conference(app, chair_api, create_conference)
    with app.app_context():
        text = _conference(conf["id"]).result_json
    assert text
    return text


def _older_shapes(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The same result as documents locked before each later key existed."""
    before_paper = copy.deepcopy(doc)
    del before_paper["returned"], before_paper["tokens"]["paper"]
    before_record = copy.deepcopy(before_paper)
    del before_record["conference"]["record"]
    before_committee = copy.deepcopy(before_record)
    for person in before_committee["attendance"]["people"]:
        person.pop("entered_paper", None)
        person.pop("committee_note", None)
    by_hand = copy.deepcopy(before_committee)
    del by_hand["ballots_sha256"]
    return {
        "before paper": before_paper,
        "before the record": before_record,
        "before the committee": before_committee,
        "by hand": by_hand,
    }


def test_a_fresh_lock_reads_back_byte_for_byte(app: Flask, locked_text: str) -> None:
    doc = ResultDocument.from_json(locked_text)
    assert canonical_json(doc.to_json()) == locked_text
    assert canonical_json(ResultDocument.from_json(json.loads(locked_text)).to_json()) == (
        locked_text
    )
    assert doc.format == RESULT_FORMAT
    assert doc.decision.positions[0].head_decision == ["c2"]
    assert doc.head_decision is not None and doc.head_decision.choice == {"p1": ["c2"]}


def test_the_typed_document_hashes_as_the_locked_one(app: Flask, locked_text: str) -> None:
    public_id = json.loads(locked_text)["conference"]["id"]
    with app.app_context():
        conference = _conference(public_id)
        assert canonical_json(result_document(conference).to_json()) == locked_text
        assert sha256_hex(canonical_json(locked_result(conference).to_json())) == (
            conference.result_sha256
        )
        assert current_result(conference) == locked_result(conference)
        assert verify_locked(conference) == []


def test_older_shapes_read_back_unchanged_and_upgraded(locked_text: str) -> None:
    for name, old in _older_shapes(json.loads(locked_text)).items():
        doc = ResultDocument.from_json(old)
        assert canonical_json(doc.to_json()) == canonical_json(old), name
        # Read as what the missing keys meant then.
        assert doc.tokens.paper == 0
        assert doc.returned == Returned(paper=0, booth=0, phone=doc.decision.ballots.received)
    oldest = ResultDocument.from_json(_older_shapes(json.loads(locked_text))["by hand"])
    assert oldest.conference.record.agenda == "" and oldest.conference.record.copies is None
    assert oldest.ballots_sha256 is None
    assert all(not p.entered_paper and p.committee_note == "" for p in oldest.attendance.people)


def test_the_hand_built_long_document_reads_back_unchanged() -> None:
    from tests.minutes._long_minutes import long_document

    doc = long_document(positions=2, candidates=3, absent=2)
    typed = ResultDocument.from_json(doc)
    assert canonical_json(typed.to_json()) == canonical_json(doc)
    # No tie was decided: the decision input has no head_decision, and reads as none.
    assert "head_decision" not in doc["decide_input"] and typed.decide_input.head_decision == {}


def test_an_unknown_format_or_key_is_refused(locked_text: str) -> None:
    doc = json.loads(locked_text)
    with pytest.raises(ValueError, match="unknown result format"):
        ResultDocument.from_json({**doc, "format": "voting.result/9"})
    with pytest.raises(ValueError, match="unknown result format"):
        ResultDocument.from_json({k: v for k, v in doc.items() if k != "format"})
    with pytest.raises(ValueError):
        ResultDocument.from_json({**doc, "surprise": 1})
    with pytest.raises(ValueError):  # never coerced: '7' is not 7
        ResultDocument.from_json({**doc, "tokens": {**doc["tokens"], "issued": "7"}})


def test_the_planning_chain_reads_the_typed_decision_as_its_json(locked_text: str) -> None:
    from voting.planning.chain import outcomes

    doc = ResultDocument.from_json(locked_text)
    for ranked in (True, False):
        assert outcomes(doc.decision, ranked) == outcomes(doc.decision.to_json(), ranked)


def test_verify_locked_accepts_a_row_locked_in_an_older_shape(app: Flask, locked_text: str) -> None:
    public_id = json.loads(locked_text)["conference"]["id"]
    for name, old in _older_shapes(json.loads(locked_text)).items():
        text = canonical_json(old)
        with app.app_context():
            conference = _conference(public_id)
            conference.result_json, conference.result_sha256 = text, sha256_hex(text)
            assert verify_locked(conference) == [], name
            assert locked_result(conference).to_json() == old
            db.session.rollback()
