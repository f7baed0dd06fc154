"""Reading the ``voting decide`` document: ``parse_vote``, ``parse_vote_text``, ``InputError``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from voting.procedure.ruleset import Ruleset, parse_ruleset
from voting.tally.decision import VotePosition, decide
from voting.tally.verifier import InputError, parse_vote, parse_vote_text

DocFactory = Callable[[], dict[str, Any]]


def test_bad_input_raises_input_error_naming_the_field(bad_input: Any) -> None:
    """Is every structurally bad document refused with an InputError naming the field?"""
    with pytest.raises(InputError) as info:
        parse_vote_text(bad_input.text)
    assert info.value.field == bad_input.field
    assert str(info.value).startswith(f"{bad_input.field}: ")
    assert info.value.message
    assert "\n" not in str(info.value)


def test_input_error_is_a_value_error() -> None:
    """Can callers that only know ValueError still catch bad input?"""
    error = InputError("positions[0].quota", "must be at least 1")
    assert isinstance(error, ValueError)
    assert (error.field, error.message) == ("positions[0].quota", "must be at least 1")
    assert str(error) == "positions[0].quota: must be at least 1"


def test_plain_document_builds_the_vote(shipped: Ruleset, plain_doc: DocFactory) -> None:
    """Does a valid document become the VoteInput it describes?"""
    vote = parse_vote(plain_doc())
    assert vote.rule == shipped.rule("nominate-30-present")
    assert (vote.summoned, vote.present, vote.base_count) == (9, 7, 7)
    assert vote.positions == (VotePosition("P", 1, ("a", "b")),)
    assert vote.ballots == ({"P": ("a",)}, {"P": ("a",)}, {"P": ("b",)})
    assert dict(vote.head_decision) == {}


def test_text_and_document_agree(plain_doc: DocFactory) -> None:
    """Do ``parse_vote_text`` and ``parse_vote`` read the same document the same way?"""
    assert parse_vote_text(json.dumps(plain_doc())) == parse_vote(plain_doc())


@pytest.mark.parametrize(
    "ballot",
    [
        pytest.param({"ghost": ["a"]}, id="unknown-position"),
        pytest.param({"P": ["zz"]}, id="unknown-candidate"),
        pytest.param({"P": ["a", "b"]}, id="over-quota"),
        pytest.param({"P": ["a", "a"]}, id="name-twice"),
        pytest.param({}, id="blank"),
    ],
)
def test_problems_inside_a_ballot_are_not_input_errors(
    plain_doc: DocFactory, ballot: dict[str, list[str]]
) -> None:
    """Is a spoiled ballot accepted as input (and counted invalid), as on paper?"""
    doc = plain_doc()
    doc["ballots"] = [ballot]
    vote = parse_vote(doc)
    assert len(vote.ballots) == 1
    decision = decide(vote)
    assert decision.received == 1
    assert decision.valid + decision.invalid == 1


def test_ballots_may_be_absent(plain_doc: DocFactory) -> None:
    """With no ballots key (nobody voted yet), is the input still valid with zero ballots?"""
    doc = plain_doc()
    del doc["ballots"]
    assert parse_vote(doc).ballots == ()


def test_ballots_up_to_present_are_accepted(plain_doc: DocFactory) -> None:
    """Are exactly as many ballots as people present accepted?"""
    doc = plain_doc()
    doc["ballots"] = [{"P": ["a"]}] * doc["present"]
    assert len(parse_vote(doc).ballots) == 7


def test_present_may_equal_summoned(plain_doc: DocFactory) -> None:
    """Is a full house (present == summoned) accepted?"""
    doc = plain_doc()
    doc["present"] = doc["summoned"]
    assert parse_vote(doc).present == 9


def test_removal_positions_need_no_quota() -> None:
    """Does a removal vote (no cap, no ranking) accept positions without a quota?"""
    doc = {
        "rule": "remove-50-summoned",
        "summoned": 9,
        "present": 7,
        "positions": [{"id": "R", "candidates": ["a", "b", "c"]}],
        "ballots": [{"R": ["a", "b", "c"]}],
    }
    vote = parse_vote(doc)
    assert vote.positions == (VotePosition("R", None, ("a", "b", "c")),)
    assert decide(vote).valid == 1


@pytest.mark.parametrize("quota", [1, 2, 3])
def test_quota_up_to_the_rulesets_cap(plain_doc: DocFactory, quota: int) -> None:
    """Is every quota from 1 to the ruleset's cap of 3 accepted?"""
    doc = plain_doc()
    doc["positions"][0]["quota"] = quota
    assert parse_vote(doc).positions[0].quota == quota


def test_quota_cap_is_the_rulesets(
    plain_doc: DocFactory, shipped_data: Callable[[], dict[str, Any]]
) -> None:
    """With an edited ruleset allowing 5 per position, is a quota of 4 accepted?"""
    data = shipped_data()
    data["ruleset"]["max_quota"] = 5
    doc = plain_doc()
    doc["positions"][0]["quota"] = 4
    with pytest.raises(InputError, match="cap of 3"):
        parse_vote(doc)
    assert parse_vote(doc, parse_ruleset(data)).positions[0].quota == 4


def test_rule_comes_from_the_given_ruleset(
    plain_doc: DocFactory, shipped_data: Callable[[], dict[str, Any]]
) -> None:
    """Is the rule looked up in the ruleset passed in, not the shipped one?"""
    data = shipped_data()
    data["rules"]["nominate-30-present"]["threshold"] = "2/3"
    vote = parse_vote(plain_doc(), parse_ruleset(data))
    assert vote.rule.votes_needed(7) == 5


def test_unknown_rule_lists_the_known_rules(plain_doc: DocFactory) -> None:
    """Does the unknown-rule message list the rules that do exist?"""
    doc = plain_doc()
    doc["rule"] = "nominate-40-present"
    with pytest.raises(InputError, match="known: nominate-30-present, introduce-50-present"):
        parse_vote(doc)


@pytest.mark.parametrize("choice", [["b"], ["c"]])
def test_valid_head_decision_is_kept(tied_doc: DocFactory, choice: list[str]) -> None:
    """Is a head decision picking exactly the open seat from the tied kept on the vote?"""
    doc = tied_doc()
    doc["head_decision"] = {"P": choice}
    assert dict(parse_vote(doc).head_decision) == {"P": tuple(choice)}


@pytest.mark.parametrize("doc_fixture", ["tied_doc", "plain_doc"])
@pytest.mark.parametrize("head", [None, {}])
def test_empty_head_decision_is_no_decision(
    request: pytest.FixtureRequest, doc_fixture: str, head: dict[str, Any] | None
) -> None:
    """Are ``null`` and ``{}`` both "no head decision", for ranked and unranked rules alike?"""
    doc = request.getfixturevalue(doc_fixture)()
    doc["head_decision"] = head
    assert dict(parse_vote(doc).head_decision) == {}


def test_head_decision_message_names_the_tied_and_the_seats(tied_doc: DocFactory) -> None:
    """When the head picks wrongly, does the message say whom and how many to pick from?"""
    doc = tied_doc()
    doc["head_decision"] = {"P": ["b", "c"]}
    with pytest.raises(InputError, match=r"exactly 1 of the tied \['b', 'c'\], got 2"):
        parse_vote(doc)
    doc["head_decision"] = {"P": ["a"]}
    with pytest.raises(InputError, match=r"'a' is not among the tied \['b', 'c'\]"):
        parse_vote(doc)


def test_duplicate_key_is_an_error_not_last_wins(plain_doc: DocFactory) -> None:
    """Is ``{"present": 7, ..., "present": 9}`` refused rather than read as 9?"""
    text = json.dumps(plain_doc())[:-1] + ', "present": 9}'
    with pytest.raises(InputError, match="duplicate key 'present'"):
        parse_vote_text(text)


def test_malformed_json_says_where(plain_doc: DocFactory) -> None:
    """Does the malformed-JSON message give the line and column?"""
    with pytest.raises(InputError, match=r"malformed JSON at line 2 column 1") as info:
        parse_vote_text('{"rule":\n')
    assert info.value.field == "$"


def test_vietnamese_ids_are_kept_exactly() -> None:
    """Are Vietnamese position and candidate names read unchanged?"""
    doc = {
        "rule": "final-50-summoned",
        "summoned": 3,
        "present": 3,
        "positions": [
            {"id": "Phó Cục trưởng", "quota": 1, "candidates": ["Nguyễn Văn An", "Trần Thị Bình"]}
        ],
        "ballots": [{"Phó Cục trưởng": ["Trần Thị Bình"]}] * 2,
    }
    vote = parse_vote_text(json.dumps(doc, ensure_ascii=False))
    assert vote.positions[0].candidates == ("Nguyễn Văn An", "Trần Thị Bình")
    result = decide(vote).positions[0]
    assert [(c.id, c.selected) for c in result.candidates] == [
        ("Trần Thị Bình", True),
        ("Nguyễn Văn An", False),
    ]
