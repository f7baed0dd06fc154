"""The decision engine: ``decide``, ``ballot_is_valid``, ``percent_half_up``, ``open_ties``.

Expected values come from the procedure's sentences written out in integers
(procedure.md, "The four vote rules"), not from the code under test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from voting.procedure.ruleset import Ruleset
from voting.tally.decision import (
    Decision,
    PositionResult,
    VoteInput,
    VotePosition,
    ballot_is_valid,
    decide,
    open_ties,
    percent_half_up,
)

MakeVote = Callable[..., VoteInput]
Ballot = dict[str, list[str]]

TEXT_TESTS: dict[str, Callable[[int, int], bool]] = {
    "nominate-30-present": lambda agree, present: 100 * agree >= 30 * present,
    "introduce-50-present": lambda agree, present: 2 * agree > present,
    "final-50-summoned": lambda agree, summoned: 2 * agree > summoned,
    "remove-50-summoned": lambda agree_to_remove, summoned: 2 * agree_to_remove > summoned,
}
CAPPED_RULES = ["nominate-30-present", "introduce-50-present", "final-50-summoned"]


def needed_by_text(rule_id: str, base: int) -> int:
    return next(n for n in range(base + 2) if TEXT_TESTS[rule_id](n, base))


def ballots_for(
    counts: Mapping[str, int], n_ballots: int, per_ballot: int, pid: str = "P"
) -> list[Ballot]:
    """``n_ballots`` ballots (each naming at most ``per_ballot``) giving exactly ``counts``.

    Largest-remaining-first; the result is checked so a test never runs on a
    ballot set other than the one it describes.
    """
    remaining = dict(counts)
    ballots: list[Ballot] = []
    for _ in range(n_ballots):
        order = sorted((c for c in remaining if remaining[c] > 0), key=lambda c: -remaining[c])
        chosen = sorted(order[:per_ballot], key=list(counts).index)
        for c in chosen:
            remaining[c] -= 1
        ballots.append({pid: chosen})
    got = Counter(c for b in ballots for c in b[pid])
    assert {c: got[c] for c in counts} == dict(counts), "test set-up: counts not reachable"
    return ballots


def position(decision: Decision, pid: str = "P") -> PositionResult:
    return next(p for p in decision.positions if p.id == pid)


def by_id(result: PositionResult) -> dict[str, Any]:
    return {c.id: c for c in result.candidates}


def selected(result: PositionResult) -> set[str]:
    return {c.id for c in result.candidates if c.selected}


# --------------------------------------------------------------------------- rule boundaries


@pytest.mark.parametrize("base", range(1, 41))
@pytest.mark.parametrize("rule_id", sorted(TEXT_TESTS))
def test_boundary_through_decide(make_vote: MakeVote, rule_id: str, base: int) -> None:
    """Through ``decide``: does ``needed`` pass and ``needed - 1`` fail, for every base 1..40?

    Present-based rules get extra absentees (ignored); summoned-based rules get
    only as many present as needed ("however many came").
    """
    needed = needed_by_text(rule_id, base)
    if rule_id.endswith("-present"):
        summoned, present = base + 3, base
    else:
        summoned, present = base, needed
    quota = None if rule_id == "remove-50-summoned" else 2
    ballots = [{"P": ["hit", "miss"] if i < needed - 1 else ["hit"]} for i in range(needed)]
    vote = make_vote(
        rule_id,
        summoned=summoned,
        present=present,
        positions={"P": (quota, ["miss", "hit"])},
        ballots=ballots,
    )
    decision = decide(vote)
    assert decision.base_count == base
    assert decision.votes_needed == needed
    assert (decision.received, decision.valid, decision.invalid) == (needed, needed, 0)
    cands = by_id(position(decision))
    assert (cands["hit"].agree, cands["hit"].passes, cands["hit"].selected) == (needed, True, True)
    assert (cands["miss"].agree, cands["miss"].passes, cands["miss"].selected) == (
        needed - 1,
        False,
        False,
    )
    assert not decision.needs_head_decision


@pytest.mark.parametrize(
    ("rule_id", "summoned", "present", "needed"),
    [
        ("nominate-30-present", 9, 7, 3),
        ("introduce-50-present", 12, 10, 6),
        ("final-50-summoned", 9, 7, 5),
        ("final-50-summoned", 9, 9, 5),
        ("final-50-summoned", 9, 5, 5),
        ("remove-50-summoned", 9, 6, 5),
    ],
)
def test_base_is_the_rules_base(
    make_vote: MakeVote, rule_id: str, summoned: int, present: int, needed: int
) -> None:
    """Is the base "present" or "summoned" as the rule says, whoever actually came?"""
    vote = make_vote(
        rule_id,
        summoned=summoned,
        present=present,
        positions={"P": (None if rule_id.startswith("remove") else 1, ["a"])},
    )
    decision = decide(vote)
    base = present if rule_id.endswith("-present") else summoned
    assert (decision.base_count, decision.votes_needed) == (base, needed)
    assert decision.to_json()["base"] == rule_id.rsplit("-", 1)[1]


def test_seven_present_two_votes_is_under_thirty_percent(make_vote: MakeVote) -> None:
    """7 present, nominate-30: is 2 votes (28.57%) a fail and 3 (42.86%) a pass?"""
    ballots = ballots_for({"two": 2, "three": 3}, 5, 1)
    vote = make_vote(
        "nominate-30-present",
        summoned=9,
        present=7,
        positions={"P": (1, ["two", "three"])},
        ballots=ballots,
    )
    cands = by_id(position(decide(vote)))
    assert (cands["two"].percent, cands["two"].passes) == ("28.57", False)
    assert (cands["three"].percent, cands["three"].passes) == ("42.86", True)


def test_unreturned_ballots_do_not_agree(make_vote: MakeVote) -> None:
    """10 present but only 5 ballots back: is the base still 10 (5 is 50%, not above)?"""
    vote = make_vote(
        "introduce-50-present",
        summoned=10,
        present=10,
        positions={"P": (1, ["a"])},
        ballots=[{"P": ["a"]}] * 5,
    )
    decision = decide(vote)
    a = by_id(position(decision))["a"]
    assert (decision.received, a.agree, a.percent, a.passes) == (5, 5, "50.00", False)


# --------------------------------------------------------------------------- ranking and ties

FINAL = "final-50-summoned"  # 9 summoned below: 5 needed


def final_vote(
    make_vote: MakeVote,
    counts: Mapping[str, int],
    quota: int,
    head_decision: Mapping[str, Sequence[str]] | None = None,
) -> VoteInput:
    return make_vote(
        FINAL,
        summoned=9,
        present=9,
        positions={"P": (quota, list(counts))},
        ballots=ballots_for(counts, 9, quota),
        head_decision=head_decision,
    )


def test_ranking_by_agree_descending_ties_keep_input_order(make_vote: MakeVote) -> None:
    """Are candidates ranked by agree, highest first, equal counts in ballot order?"""
    counts = {"a": 2, "b": 7, "c": 5, "d": 7, "e": 5, "f": 0}
    result = position(decide(final_vote(make_vote, counts, 3)))
    assert [c.id for c in result.candidates] == ["b", "d", "c", "e", "a", "f"]
    assert [c.agree for c in result.candidates] == [7, 7, 5, 5, 2, 0]


def test_selection_goes_down_to_the_quota(make_vote: MakeVote) -> None:
    """With more passing than seats and no tie, are the top ``quota`` selected?"""
    result = position(decide(final_vote(make_vote, {"c": 5, "a": 7, "b": 6}, 2)))
    cands = by_id(result)
    assert selected(result) == {"a", "b"}
    assert cands["c"].passes and not cands["c"].selected
    assert (result.needs_head_decision, result.tied, result.open_seats) == (False, (), 0)
    assert result.head_decision is None


def test_fewer_passing_than_seats_all_selected(make_vote: MakeVote) -> None:
    """With fewer passing than seats, is every passer selected and nobody else?"""
    result = position(decide(final_vote(make_vote, {"a": 6, "b": 4, "c": 9}, 3)))
    assert selected(result) == {"a", "c"}
    assert not result.needs_head_decision


def test_tie_straddling_the_last_seat_needs_the_head(make_vote: MakeVote) -> None:
    """A tie across the last seat: is it flagged, listed, and are the tied left unselected?"""
    decision = decide(final_vote(make_vote, {"a": 6, "b": 5, "c": 5, "d": 2}, 2))
    result = position(decision)
    assert decision.needs_head_decision is True
    assert result.needs_head_decision is True
    assert result.tied == ("b", "c")
    assert result.open_seats == 1
    assert selected(result) == {"a"}
    assert result.head_decision is None
    assert decision.to_json()["needs_head_decision"] is True


@pytest.mark.parametrize("choice", [["b"], ["c"]])
def test_head_decision_selects_the_chosen(make_vote: MakeVote, choice: list[str]) -> None:
    """With the head's choice, is exactly that tied candidate selected and the choice recorded?"""
    vote = final_vote(make_vote, {"a": 6, "b": 5, "c": 5, "d": 2}, 2, {"P": choice})
    decision = decide(vote)
    result = position(decision)
    assert decision.needs_head_decision is False
    assert selected(result) == {"a", *choice}
    assert result.tied == ("b", "c")
    assert result.open_seats == 1
    assert result.head_decision == tuple(choice)
    assert decision.to_json()["positions"][0]["head_decision"] == choice


def test_tie_for_every_seat(make_vote: MakeVote) -> None:
    """Three passers level for two seats: are both seats open to the head?"""
    counts = {"a": 6, "b": 6, "c": 6}
    result = position(decide(final_vote(make_vote, counts, 2)))
    assert (result.tied, result.open_seats, selected(result)) == (("a", "b", "c"), 2, set())
    decided = position(decide(final_vote(make_vote, counts, 2, {"P": ["c", "a"]})))
    assert selected(decided) == {"a", "c"}
    assert decided.head_decision == ("c", "a")


@pytest.mark.parametrize(
    ("counts", "quota", "expected"),
    [
        ({"a": 7, "b": 7, "c": 6}, 3, {"a", "b", "c"}),  # tie on seats 1-2
        ({"a": 6, "b": 6, "c": 5}, 2, {"a", "b"}),  # tie exactly fills the quota
        ({"a": 9, "b": 6, "c": 6, "d": 4}, 3, {"a", "b", "c"}),  # d fails: no contest
        ({"a": 6, "b": 6}, 2, {"a", "b"}),
    ],
)
def test_tie_inside_the_quota_needs_no_decision(
    make_vote: MakeVote, counts: dict[str, int], quota: int, expected: set[str]
) -> None:
    """A tie that does not cross the last seat: is everyone in it selected without the head?"""
    result = position(decide(final_vote(make_vote, counts, quota)))
    assert selected(result) == expected
    assert (result.needs_head_decision, result.tied, result.open_seats) == (False, (), 0)


@pytest.mark.parametrize(
    ("counts", "quota", "expected"),
    [
        ({"a": 5, "b": 2, "c": 2}, 1, {"a"}),  # b, c tied but 2/9 fails
        ({"a": 6, "b": 4, "c": 4}, 2, {"a"}),
        ({"a": 3, "b": 3, "c": 3}, 1, set()),
        ({"a": 5, "b": 4, "c": 4}, 2, {"a"}),  # 5/9 is the lowest pass, 4/9 fails
    ],
)
def test_tie_among_non_passing_is_not_a_tie(
    make_vote: MakeVote, counts: dict[str, int], quota: int, expected: set[str]
) -> None:
    """Is a tie among candidates who do not pass ignored (only passers compete for seats)?"""
    decision = decide(final_vote(make_vote, counts, quota))
    result = position(decision)
    assert selected(result) == expected
    assert (result.needs_head_decision, result.tied) == (False, ())
    assert open_ties(final_vote(make_vote, counts, quota)) == {}


def test_one_tied_position_among_several(make_vote: MakeVote) -> None:
    """Does a tie on one position leave the others decided and flag the whole decision?"""
    p1 = ballots_for({"a": 7, "b": 5, "c": 5}, 9, 2, "P1")
    p2 = ballots_for({"x": 7, "y": 2}, 9, 1, "P2")
    ballots = [first | second for first, second in zip(p1, p2, strict=True)]
    vote = make_vote(
        FINAL,
        summoned=9,
        present=9,
        positions={"P1": (2, ["a", "b", "c"]), "P2": (1, ["x", "y"])},
        ballots=ballots,
    )
    decision = decide(vote)
    assert decision.needs_head_decision is True
    assert position(decision, "P1").tied == ("b", "c")
    assert selected(position(decision, "P1")) == {"a"}
    assert selected(position(decision, "P2")) == {"x"}
    assert position(decision, "P2").needs_head_decision is False
    assert open_ties(vote) == {"P1": (("b", "c"), 1)}


def test_open_ties_ignores_a_given_head_decision(make_vote: MakeVote) -> None:
    """Does ``open_ties`` report the undecided tie even when the input already decides it?"""
    counts = {"a": 6, "b": 5, "c": 5}
    decided = final_vote(make_vote, counts, 2, {"P": ["b"]})
    assert open_ties(decided) == {"P": (("b", "c"), 1)}
    assert open_ties(final_vote(make_vote, {"a": 6, "b": 5}, 2)) == {}


@pytest.mark.parametrize("rule_id", ["nominate-30-present", "introduce-50-present"])
def test_unranked_rules_select_every_passer(make_vote: MakeVote, rule_id: str) -> None:
    """Non-ranked rules: does every passer go forward, even more than the quota, without a tie?"""
    # nominate: 10 present, one name per ballot, three people at exactly 30%;
    # introduce: 7 present, three names per ballot, three people at 4/7.
    counts, present, per_ballot = {
        "nominate-30-present": ({"a": 3, "b": 3, "c": 3, "d": 1}, 10, 1),
        "introduce-50-present": ({"a": 4, "b": 4, "c": 4}, 7, 3),
    }[rule_id]
    vote = make_vote(
        rule_id,
        summoned=present,
        present=present,
        positions={"P": (per_ballot, list(counts))},
        ballots=ballots_for(counts, present, per_ballot),
    )
    result = position(decide(vote))
    passers = {c for c, n in counts.items() if TEXT_TESTS[rule_id](n, present)}
    assert len(passers) >= 3
    assert selected(result) == passers
    assert not result.needs_head_decision


def test_removal_selects_every_proposed_removal(make_vote: MakeVote) -> None:
    """Removal vote: is everyone above half of those summoned proposed, with no quota at all?"""
    ballots = [{"R": ["a", "b", "c", "d"]}] * 5 + [{"R": ["d"]}] * 2
    vote = make_vote(
        "remove-50-summoned",
        summoned=9,
        present=7,
        positions={"R": (None, ["a", "b", "c", "d", "e"])},
        ballots=ballots,
    )
    decision = decide(vote)
    result = position(decision, "R")
    assert decision.valid == 7
    assert selected(result) == {"a", "b", "c", "d"}
    assert {c.id: c.agree for c in result.candidates} == {"a": 5, "b": 5, "c": 5, "d": 7, "e": 0}
    assert result.quota is None


# --------------------------------------------------------------------------- ballot validity


@pytest.fixture(scope="module")
def two_positions() -> dict[str, VotePosition]:
    return {
        "P": VotePosition("P", 1, ("a", "b", "c")),
        "Q": VotePosition("Q", 2, ("x", "y", "z")),
    }


@pytest.mark.parametrize("rule_id", CAPPED_RULES)
@pytest.mark.parametrize(
    ("ballot", "valid"),
    [
        ({"P": ["a"]}, True),
        ({"P": ["a", "b"]}, False),  # over P's quota of 1
        ({"Q": ["x", "y"]}, True),
        ({"Q": ["x", "y", "z"]}, False),  # over Q's quota of 2
        ({"P": ["a"], "Q": ["x", "y", "z"]}, False),  # the good part does not save it
        ({"P": ["a"], "Q": ["x", "y"]}, True),
    ],
)
def test_over_quota_invalid_as_a_whole(
    shipped: Ruleset,
    two_positions: dict[str, VotePosition],
    rule_id: str,
    ballot: Ballot,
    valid: bool,
) -> None:
    """Under a capped rule, is a ballot over any position's quota invalid as a whole?"""
    assert ballot_is_valid(shipped.rule(rule_id), two_positions, ballot) is valid


@pytest.mark.parametrize("rule_id", CAPPED_RULES)
@pytest.mark.parametrize("quota", [1, 2, 3])
def test_cap_is_exactly_the_quota(shipped: Ruleset, rule_id: str, quota: int) -> None:
    """For every allowed quota: is ``quota`` names valid and ``quota + 1`` invalid?"""
    names = ("a", "b", "c", "d")
    positions = {"P": VotePosition("P", quota, names)}
    rule = shipped.rule(rule_id)
    assert ballot_is_valid(rule, positions, {"P": list(names[:quota])}) is True
    assert ballot_is_valid(rule, positions, {"P": list(names[: quota + 1])}) is False


def test_removal_has_no_cap(shipped: Ruleset) -> None:
    """Under remove-50-summoned, may one ballot agree with every candidate, quota or not?"""
    rule = shipped.rule("remove-50-summoned")
    assert rule.cap_at_quota is False
    with_quota = {"R": VotePosition("R", 1, ("a", "b", "c", "d"))}
    without = {"R": VotePosition("R", None, ("a", "b", "c", "d"))}
    assert ballot_is_valid(rule, with_quota, {"R": ["a", "b", "c", "d"]})
    assert ballot_is_valid(rule, without, {"R": ["a", "b", "c", "d"]})


@pytest.mark.parametrize("rule_id", sorted(TEXT_TESTS))
@pytest.mark.parametrize(
    "ballot",
    [
        pytest.param({"P": ["a"], "ghost": []}, id="unknown-position-empty"),
        pytest.param({"P": ["a"], "ghost": ["x"]}, id="unknown-position"),
        pytest.param({"P": ["a", "nobody"]}, id="unknown-candidate"),
        pytest.param({"P": ["x"]}, id="candidate-of-another-position"),
        pytest.param({"Q": ["x", "x"]}, id="duplicate-name"),
        pytest.param({"P": ["a"], "Q": ["y", "y"]}, id="duplicate-in-second-position"),
    ],
)
def test_malformed_ballot_invalid_as_a_whole(
    shipped: Ruleset, two_positions: dict[str, VotePosition], rule_id: str, ballot: Ballot
) -> None:
    """Is a ballot with an unknown position or name, or a name twice, invalid as a whole?"""
    assert ballot_is_valid(shipped.rule(rule_id), two_positions, ballot) is False


@pytest.mark.parametrize("rule_id", sorted(TEXT_TESTS))
@pytest.mark.parametrize("ballot", [{}, {"P": []}, {"P": [], "Q": []}])
def test_blank_ballot_valid_by_default(
    shipped: Ruleset, two_positions: dict[str, VotePosition], rule_id: str, ballot: Ballot
) -> None:
    """Under the shipped rules, is a ballot agreeing with nobody valid?"""
    assert ballot_is_valid(shipped.rule(rule_id), two_positions, ballot) is True


@pytest.mark.parametrize("rule_id", sorted(TEXT_TESTS))
@pytest.mark.parametrize(
    ("ballot", "valid"),
    [
        ({}, False),
        ({"P": []}, False),
        ({"P": [], "Q": []}, False),
        ({"P": [], "Q": ["x"]}, True),  # blank on one position only: not a blank ballot
        ({"P": ["a"]}, True),
    ],
)
def test_blank_ballot_invalid_when_the_rule_says(
    blank_invalid_rules: Ruleset,
    two_positions: dict[str, VotePosition],
    rule_id: str,
    ballot: Ballot,
    valid: bool,
) -> None:
    """With ``blank_valid = false``, is a ballot agreeing with nobody invalid (and only that)?"""
    rule = blank_invalid_rules.rule(rule_id)
    assert rule.blank_valid is False
    assert ballot_is_valid(rule, two_positions, ballot) is valid


def test_blank_ballots_counted_through_decide(
    make_vote: MakeVote, blank_invalid_rules: Ruleset
) -> None:
    """Through ``decide``: are blanks valid (all disagree) by default, invalid when configured?"""
    ballots = [{"P": ["a"]}, {}, {"P": []}, {"P": ["a"]}]
    kwargs: dict[str, Any] = {
        "summoned": 5,
        "present": 5,
        "positions": {"P": (1, ["a", "b"])},
        "ballots": ballots,
    }
    default = decide(make_vote("nominate-30-present", **kwargs))
    assert (default.received, default.valid, default.invalid) == (4, 4, 0)
    assert {c.id: c.disagree for c in position(default).candidates} == {"a": 2, "b": 4}
    strict = decide(make_vote(blank_invalid_rules.rule("nominate-30-present"), **kwargs))
    assert (strict.received, strict.valid, strict.invalid) == (4, 2, 2)
    assert {c.id: c.disagree for c in position(strict).candidates} == {"a": 0, "b": 2}
    assert by_id(position(strict))["a"].agree == 2


def test_invalid_ballots_agree_with_nobody(make_vote: MakeVote) -> None:
    """Do the good names on an invalid ballot count for nothing, on every position?"""
    ballots = [
        {"P": ["a"], "Q": ["x"]},
        {"P": ["a", "b"], "Q": ["x"]},  # over P's quota: Q's "x" is lost too
        {"P": ["a"], "Q": ["x"], "ghost": ["g"]},
        {"P": ["a", "a"]},
        {"P": ["zz"]},
    ]
    vote = make_vote(
        "introduce-50-present",
        summoned=6,
        present=5,
        positions={"P": (1, ["a", "b"]), "Q": (1, ["x", "y"])},
        ballots=ballots,
    )
    decision = decide(vote)
    assert (decision.received, decision.valid, decision.invalid) == (5, 1, 4)
    assert by_id(position(decision, "P"))["a"].agree == 1
    assert by_id(position(decision, "Q"))["x"].agree == 1
    assert by_id(position(decision, "P"))["a"].disagree == 0


def test_agree_plus_disagree_is_valid_for_every_candidate(make_vote: MakeVote) -> None:
    """Per candidate, is agree + disagree exactly the number of valid ballots?"""
    ballots = [
        {"P": ["a"], "Q": ["x", "y"]},
        {"P": ["b"]},
        {},
        {"Q": ["z"]},
        {"P": ["a", "b"]},
        {"P": ["c"], "Q": ["x"]},
        {"ghost": []},
    ]
    vote = make_vote(
        "nominate-30-present",
        summoned=9,
        present=8,
        positions={"P": (1, ["a", "b", "c"]), "Q": (2, ["x", "y", "z"])},
        ballots=ballots,
    )
    decision = decide(vote)
    assert decision.valid == 5
    for result in decision.positions:
        assert all(c.agree + c.disagree == decision.valid for c in result.candidates)
    assert decision.valid + decision.invalid == decision.received == len(ballots)


# --------------------------------------------------------------------------- percentages


@pytest.mark.parametrize(
    ("agree", "base", "expected"),
    [
        (2, 7, "28.57"),
        (3, 7, "42.86"),
        (5, 10, "50.00"),
        (1, 3, "33.33"),
        (2, 3, "66.67"),
        (1, 6, "16.67"),
        (3, 8, "37.50"),
        (1, 160, "0.63"),  # 0.625 exactly: half-up, where float round() gives 0.62
        (1, 32, "3.13"),  # 3.125 exactly
        (1, 800, "0.13"),  # 0.125 exactly
        (3, 160, "1.88"),  # 1.875 exactly
        (1, 200, "0.50"),
        (7, 7, "100.00"),
        (0, 9, "0.00"),
        (1, 0, "0.00"),
        (0, 0, "0.00"),
    ],
)
def test_percent_half_up(agree: int, base: int, expected: str) -> None:
    """Is the display percentage rounded half-up to two decimals from the exact value?"""
    assert percent_half_up(agree, base) == expected


def test_percent_against_the_rules_base(make_vote: MakeVote) -> None:
    """Is the percentage against the rule's base (summoned for final), not those present?"""
    vote = make_vote(
        FINAL,
        summoned=9,
        present=6,
        positions={"P": (1, ["a"])},
        ballots=[{"P": ["a"]}] * 6,
    )
    a = by_id(position(decide(vote)))["a"]
    assert (a.agree, a.percent, a.passes) == (6, "66.67", True)


# --------------------------------------------------------------------------- the JSON shape


def test_decision_json(make_vote: MakeVote) -> None:
    """Does ``to_json`` carry the rule, base, counts and per-candidate results the minutes need?"""
    vote = make_vote(
        "nominate-30-present",
        summoned=9,
        present=7,
        positions={"P": (1, ["a", "b"])},
        ballots=[{"P": ["a"]}, {"P": ["a"]}, {"P": ["b"]}, {"P": ["a", "b"]}],
    )
    assert decide(vote).to_json() == {
        "rule": "nominate-30-present",
        "base": "present",
        "base_count": 7,
        "threshold": "3/10",
        "comparison": ">=",
        "votes_needed": 3,
        "summoned": 9,
        "present": 7,
        "ballots": {"received": 4, "valid": 3, "invalid": 1},
        "needs_head_decision": False,
        "positions": [
            {
                "id": "P",
                "quota": 1,
                "candidates": [
                    {
                        "id": "a",
                        "agree": 2,
                        "disagree": 1,
                        "percent": "28.57",
                        "passes": False,
                        "selected": False,
                    },
                    {
                        "id": "b",
                        "agree": 1,
                        "disagree": 2,
                        "percent": "14.29",
                        "passes": False,
                        "selected": False,
                    },
                ],
                "needs_head_decision": False,
                "tied": [],
                "open_seats": 0,
                "head_decision": None,
            }
        ],
    }
