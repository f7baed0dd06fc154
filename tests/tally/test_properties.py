"""Property-based tests of the decision engine against an independent brute-force oracle.

The oracle below is written from procedure.md, not from the engine: ballot
validity from "Context beyond the source", pass/fail as an exact
:class:`fractions.Fraction` comparison with the thresholds the text states,
ranking and ties from the ``final-50-summoned`` row, and percentages rounded
half-up with :mod:`decimal`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting.procedure.ruleset import Ruleset
from voting.tally.decision import VoteInput, decide, open_ties, percent_half_up

MakeVote = Callable[..., VoteInput]
Positions = dict[str, tuple[int | None, list[str]]]
Ballot = dict[str, list[str]]

#: (threshold, comparison, base) as procedure.md words them.
TEXT_RULES: dict[str, tuple[Fraction, str, str]] = {
    "nominate-30-present": (Fraction(30, 100), ">=", "present"),  # "từ 30% trở lên"
    "introduce-50-present": (Fraction(1, 2), ">", "present"),  # "trên 50%"
    "final-50-summoned": (Fraction(1, 2), ">", "summoned"),
    "remove-50-summoned": (Fraction(1, 2), ">", "summoned"),
}
UNCAPPED = {"remove-50-summoned"}  # "remove-50-summoned has no cap"
RANKED = {"final-50-summoned"}  # "rank by agree descending and take down to the quota"

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# --------------------------------------------------------------------------- the oracle


def percent_oracle(agree: int, base: int) -> str:
    """``100*agree/base`` half-up to 2 decimals, via Decimal on the exact Fraction.

    60 significant digits is exact enough: a non-half value of ``10000*agree/base``
    lies at least ``1/(2*base)`` from the nearest half, far above 10**-50.
    """
    if base <= 0:
        return "0.00"
    exact = Fraction(100 * agree, base)
    with localcontext() as ctx:
        ctx.prec = 60
        value = Decimal(exact.numerator) / Decimal(exact.denominator)
        return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def passes_oracle(rule_id: str, agree: int, base: int) -> bool:
    threshold, comparison, _ = TEXT_RULES[rule_id]
    share = Fraction(agree, base)
    return share >= threshold if comparison == ">=" else share > threshold


def valid_oracle(
    rule_id: str, positions: Positions, ballot: Mapping[str, Sequence[str]], blank_valid: bool
) -> bool:
    for pid, chosen in ballot.items():
        if pid not in positions:
            return False
        quota, cands = positions[pid]
        if len(chosen) != len(set(chosen)) or not set(chosen) <= set(cands):
            return False
        if rule_id not in UNCAPPED and quota is not None and len(chosen) > quota:
            return False
    return blank_valid or any(ballot.values())


def expected_json(
    rule_id: str,
    summoned: int,
    present: int,
    positions: Positions,
    ballots: Sequence[Ballot],
    head: Mapping[str, Sequence[str]] | None = None,
    blank_valid: bool = True,
) -> dict[str, Any]:
    """What ``decide(...).to_json()`` must say, computed by brute force."""
    head = head or {}
    base = present if TEXT_RULES[rule_id][2] == "present" else summoned
    valid_ballots = [b for b in ballots if valid_oracle(rule_id, positions, b, blank_valid)]
    needed = min(n for n in range(base + 2) if passes_oracle(rule_id, n, base) or n == base + 1)
    out_positions = []
    for pid, (quota, cands) in positions.items():
        agree = {c: sum(c in b.get(pid, ()) for b in valid_ballots) for c in cands}
        ok = {c: passes_oracle(rule_id, agree[c], base) for c in cands}
        order = sorted(cands, key=lambda c: (-agree[c], cands.index(c)))
        chosen: set[str] = set()
        tied: list[str] = []
        open_seats = 0
        for c in order:
            if not ok[c]:
                continue
            if rule_id not in RANKED or quota is None:
                chosen.add(c)
                continue
            above = sum(ok[d] and agree[d] > agree[c] for d in cands)
            at_or_above = sum(ok[d] and agree[d] >= agree[c] for d in cands)
            if at_or_above <= quota:
                chosen.add(c)
            elif above < quota:
                tied.append(c)
                open_seats = quota - above
        decided = pid in head and bool(tied)
        if decided:
            chosen |= set(head[pid])
        out_positions.append(
            {
                "id": pid,
                "quota": quota,
                "candidates": [
                    {
                        "id": c,
                        "agree": agree[c],
                        "disagree": len(valid_ballots) - agree[c],
                        "percent": percent_oracle(agree[c], base),
                        "passes": ok[c],
                        "selected": c in chosen,
                    }
                    for c in order
                ],
                "needs_head_decision": bool(tied) and not decided,
                "tied": tied,
                "open_seats": open_seats,
                "head_decision": list(head[pid]) if decided else None,
            }
        )
    return {
        "rule": rule_id,
        "base": TEXT_RULES[rule_id][2],
        "base_count": base,
        "votes_needed": needed,
        "summoned": summoned,
        "present": present,
        "ballots": {
            "received": len(ballots),
            "valid": len(valid_ballots),
            "invalid": len(ballots) - len(valid_ballots),
        },
        "needs_head_decision": any(p["needs_head_decision"] for p in out_positions),
        "positions": out_positions,
    }


def comparable(decision_json: dict[str, Any]) -> dict[str, Any]:
    """The decision JSON minus the rule's own threshold spelling (checked elsewhere)."""
    return {k: v for k, v in decision_json.items() if k not in ("threshold", "comparison")}


# --------------------------------------------------------------------------- strategies


@st.composite
def conferences(draw: st.DrawFn, rules: Sequence[str] = tuple(TEXT_RULES)) -> dict[str, Any]:
    """Any conference: random rule, counts, 1-2 positions, mostly-valid random ballots.

    Full or nearly full rooms and a few popular names per position are
    favoured so that passes are common; up to 3 blank or spoiled ballots are
    mixed in. Ties on the last seat come from :func:`ranked_contests`.
    """
    rule_id = draw(st.sampled_from(list(rules)))
    summoned = draw(st.integers(1, 40))
    present = draw(st.one_of(st.just(summoned), st.integers(1, summoned)))
    positions: Positions = {}
    for p in range(draw(st.integers(1, 2))):
        n = draw(st.integers(1, 5))
        quota = None if rule_id in UNCAPPED and draw(st.booleans()) else draw(st.integers(1, 3))
        positions[f"P{p}"] = (quota, [f"P{p}c{i}" for i in range(n)])

    popular = {
        pid: cands[: draw(st.integers(1, len(cands)))] for pid, (_, cands) in positions.items()
    }
    agreeing = st.fixed_dictionaries(
        {
            pid: st.lists(
                st.sampled_from(popular[pid]),
                min_size=1,
                max_size=len(cands) if quota is None or rule_id in UNCAPPED else quota,
                unique=True,
            )
            for pid, (quota, cands) in positions.items()
        }
    )
    odd = st.one_of(
        st.just({}),  # blank
        st.fixed_dictionaries({}, optional={pid: st.just([]) for pid in positions}),  # blank
        st.fixed_dictionaries(  # anything at all on known positions: often spoiled
            {},
            optional={
                pid: st.lists(st.sampled_from(cands), max_size=len(cands) + 1)
                for pid, (_, cands) in positions.items()
            },
        ),
        st.sampled_from(
            [
                {"ghost": []},
                {"P0": ["nobody"]},
                {"P0": [positions["P0"][1][0]] * 2},
                {"P0": positions["P0"][1][: (positions["P0"][0] or 5) + 1]},  # one over the quota
            ]
        ),
    )
    n_ballots = draw(st.one_of(st.just(present), st.integers(0, present)))
    n_odd = draw(st.integers(0, min(3, n_ballots)))
    ballots = draw(st.lists(agreeing, min_size=n_ballots - n_odd, max_size=n_ballots - n_odd))
    for ballot in draw(st.lists(odd, min_size=n_odd, max_size=n_odd)):
        ballots.insert(draw(st.integers(0, len(ballots))), ballot)
    return {
        "rule_id": rule_id,
        "summoned": summoned,
        "present": present,
        "positions": positions,
        "ballots": ballots,
    }


def ballots_with_counts(counts: Sequence[int], n_ballots: int, per_ballot: int) -> list[Ballot]:
    """Valid ballots giving candidate ``c{i}`` exactly ``counts[i]`` agreements."""
    remaining = list(counts)
    ballots: list[Ballot] = []
    for _ in range(n_ballots):
        top = sorted((i for i, n in enumerate(remaining) if n > 0), key=lambda i: -remaining[i])
        chosen = sorted(top[:per_ballot])
        for i in chosen:
            remaining[i] -= 1
        ballots.append({"P": [f"c{i}" for i in chosen]})
    assert not any(remaining), "set-up: counts not reachable"
    return ballots


@st.composite
def ranked_contests(draw: st.DrawFn) -> dict[str, Any]:
    """A final-50-summoned vote built from chosen agree counts, so ties are common.

    Counts come from a pool of 1-3 values (mostly at or above the pass mark),
    with more candidates than seats, so ties on and inside the last seat occur
    often.
    """
    summoned = draw(st.integers(1, 40))
    present = summoned - draw(st.integers(0, min(3, summoned - 1)))
    quota = draw(st.integers(1, 3))
    pass_mark = min(summoned // 2 + 1, present)
    pool = draw(st.lists(st.integers(pass_mark, present), min_size=1, max_size=2))
    if draw(st.booleans()):
        pool.append(draw(st.integers(0, present)))  # maybe one below the pass mark
    size = draw(st.one_of(st.just(quota + 1), st.integers(1, quota + 2)))
    counts = draw(st.lists(st.sampled_from(pool), min_size=size, max_size=size))
    if sum(counts) > quota * present:  # lower the counts until the ballots can hold them
        counts = [min(n, quota * present // len(counts)) for n in counts]
    cands = [f"c{i}" for i in range(len(counts))]
    return {
        "rule_id": "final-50-summoned",
        "summoned": summoned,
        "present": present,
        "positions": {"P": (quota, cands)},
        "ballots": ballots_with_counts(counts, present, quota),
    }


#: Named conference generators, so each property runs its full budget on each.
CONFERENCES: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "any-rule": conferences(),
    "ranked-ties": ranked_contests(),
}
FINAL_CONFERENCES: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "final-random": conferences(rules=["final-50-summoned"]),
    "ranked-ties": ranked_contests(),
}


def build(make_vote: MakeVote, conf: Mapping[str, Any], **extra: Any) -> VoteInput:
    return make_vote(
        conf["rule_id"],
        summoned=conf["summoned"],
        present=conf["present"],
        positions=conf["positions"],
        ballots=conf["ballots"],
        **extra,
    )


# --------------------------------------------------------------------------- properties


@pytest.mark.parametrize("kind", sorted(CONFERENCES))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_decision_equals_brute_force(make_vote: MakeVote, kind: str, data: st.DataObject) -> None:
    """Is every count, percentage, pass, selection and tie what the brute-force oracle says?"""
    conf = data.draw(CONFERENCES[kind], label="conference")
    decision = decide(build(make_vote, conf))
    assert comparable(decision.to_json()) == expected_json(**conf)


@pytest.mark.parametrize("kind", sorted(FINAL_CONFERENCES))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_decision_with_head_decision_equals_brute_force(
    make_vote: MakeVote, kind: str, data: st.DataObject
) -> None:
    """With the head choosing among the oracle's own tied candidates, does the engine agree?"""
    conf = data.draw(FINAL_CONFERENCES[kind], label="conference")
    undecided = expected_json(**conf)
    head = {
        p["id"]: data.draw(st.permutations(p["tied"]), label=f"order {p['id']}")[: p["open_seats"]]
        for p in undecided["positions"]
        if p["tied"]
    }
    decision = decide(build(make_vote, conf, head_decision=head))
    assert comparable(decision.to_json()) == expected_json(**conf, head=head)
    assert decision.needs_head_decision is False


@PROPERTY_SETTINGS
@given(conf=conferences())
def test_decision_with_blank_invalid_equals_brute_force(
    make_vote: MakeVote, blank_invalid_rules: Ruleset, conf: dict[str, Any]
) -> None:
    """With ``blank_valid = false``, does the engine still match the oracle?"""
    rule = blank_invalid_rules.rule(conf["rule_id"])
    vote = make_vote(
        rule,
        summoned=conf["summoned"],
        present=conf["present"],
        positions=conf["positions"],
        ballots=conf["ballots"],
    )
    assert comparable(decide(vote).to_json()) == expected_json(**conf, blank_valid=False)


@pytest.mark.parametrize("kind", sorted(CONFERENCES))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_one_more_agreeing_ballot_never_turns_pass_into_fail(
    make_vote: MakeVote, kind: str, data: st.DataObject
) -> None:
    """Adding one valid ballot agreeing with a candidate: does a pass stay a pass?"""
    conf = data.draw(CONFERENCES[kind], label="conference")
    if len(conf["ballots"]) >= conf["present"]:  # leave room for one more ballot
        conf = {**conf, "ballots": conf["ballots"][: conf["present"] - 1]}
    pid = data.draw(st.sampled_from(sorted(conf["positions"])))
    cand = data.draw(st.sampled_from(conf["positions"][pid][1]))
    before = decide(build(make_vote, conf))
    after = decide(build(make_vote, {**conf, "ballots": [*conf["ballots"], {pid: [cand]}]}))
    row = {c.id: c for c in next(p for p in before.positions if p.id == pid).candidates}
    row_after = {c.id: c for c in next(p for p in after.positions if p.id == pid).candidates}
    assert row_after[cand].agree == row[cand].agree + 1
    assert row_after[cand].passes or not row[cand].passes
    for other in row:
        if other != cand:
            assert row_after[other].passes == row[other].passes


@PROPERTY_SETTINGS
@given(rule_id=st.sampled_from(sorted(TEXT_RULES)), base=st.integers(1, 400), data=st.data())
def test_passing_is_monotone_in_agree(
    shipped: Ruleset, rule_id: str, base: int, data: st.DataObject
) -> None:
    """For a fixed base, does ``passes(agree)`` never go from True to False as agree grows?"""
    rule = shipped.rule(rule_id)
    agree = data.draw(st.integers(0, base))
    assert rule.passes(agree + 1, base) or not rule.passes(agree, base)
    assert rule.passes(agree, base) == (agree >= rule.votes_needed(base))


@pytest.mark.parametrize("kind", sorted(FINAL_CONFERENCES))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_selected_never_exceeds_the_quota(
    make_vote: MakeVote, kind: str, data: st.DataObject
) -> None:
    """Before and after the head decides, are at most ``quota`` selected, all of them passing?"""
    conf = data.draw(FINAL_CONFERENCES[kind], label="conference")
    vote = build(make_vote, conf)
    head: dict[str, list[str]] = {}
    for pid, (tied, seats) in open_ties(vote).items():
        head[pid] = data.draw(st.permutations(tied))[:seats]
    undecided, decided = decide(vote), decide(build(make_vote, conf, head_decision=head))
    assert decided.needs_head_decision is False
    for before, after in zip(undecided.positions, decided.positions, strict=True):
        assert before.quota is not None
        picked = [c for c in before.candidates if c.selected]
        picked_after = [c for c in after.candidates if c.selected]
        passing = sum(c.passes for c in after.candidates)
        assert len(picked) <= before.quota
        assert all(c.passes for c in picked_after)
        assert len(picked_after) == min(before.quota, passing)
        assert set(head.get(after.id, ())) <= {c.id for c in picked_after}
        assert {c.id for c in picked} <= {c.id for c in picked_after}


@pytest.mark.parametrize("kind", sorted(CONFERENCES))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_shuffling_ballots_changes_nothing(
    make_vote: MakeVote, kind: str, data: st.DataObject
) -> None:
    """Is the decision independent of the order the ballots were counted in?"""
    conf = data.draw(CONFERENCES[kind], label="conference")
    shuffled = data.draw(st.permutations(conf["ballots"]))
    original = decide(build(make_vote, conf)).to_json()
    assert decide(build(make_vote, {**conf, "ballots": shuffled})).to_json() == original


@pytest.mark.parametrize("kind", sorted(CONFERENCES))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_agree_plus_disagree_is_valid(make_vote: MakeVote, kind: str, data: st.DataObject) -> None:
    """For every candidate, is agree + disagree the number of valid ballots?"""
    conf = data.draw(CONFERENCES[kind], label="conference")
    decision = decide(build(make_vote, conf))
    assert decision.valid + decision.invalid == decision.received == len(conf["ballots"])
    for position in decision.positions:
        for c in position.candidates:
            assert c.agree + c.disagree == decision.valid
            assert 0 <= c.agree <= decision.valid


@settings(max_examples=1000, deadline=None)
@given(base=st.integers(1, 10**6), data=st.data())
def test_percent_is_half_up_of_the_exact_fraction(base: int, data: st.DataObject) -> None:
    """Is every percentage string the half-up rounding of the exact ``100*agree/base``?"""
    agree = data.draw(st.integers(0, base))
    assert percent_half_up(agree, base) == percent_oracle(agree, base)


@settings(max_examples=300, deadline=None)
@given(m=st.integers(0, 9999), scale=st.integers(1, 50))
def test_percent_exact_halves_round_up(m: int, scale: int) -> None:
    """Is a value exactly on a half (``x.xx5``%) rounded up, never to even or down?

    ``agree/base = (2m+1)/20000`` puts ``100*agree/base`` at ``(m + 1/2)/100``.
    """
    agree, base = (2 * m + 1) * scale, 20000 * scale
    up = m + 1
    assert percent_half_up(agree, base) == f"{up // 100}.{up % 100:02d}"
    assert percent_half_up(agree, base) == percent_oracle(agree, base)


@PROPERTY_SETTINGS
@given(
    num=st.integers(1, 100),
    den=st.integers(1, 100),
    comparison=st.sampled_from([">=", ">"]),
    base=st.integers(1, 500),
)
def test_votes_needed_is_the_least_passing_count_for_any_threshold(
    shipped: Ruleset, num: int, den: int, comparison: str, base: int
) -> None:
    """For any edited threshold p/q in (0, 1] and comparison, is ``votes_needed`` minimal?"""
    if num > den:
        num, den = den, num
    threshold = Fraction(num, den)
    rule = dataclasses.replace(
        shipped.rule("nominate-30-present"), threshold=threshold, comparison=comparison
    )
    needed = rule.votes_needed(base)

    def exact(agree: int) -> bool:
        share = Fraction(agree, base)
        return share >= threshold if comparison == ">=" else share > threshold

    assert exact(needed)
    assert needed == 0 or not exact(needed - 1)
    assert rule.passes(needed, base) and (needed == 0 or not rule.passes(needed - 1, base))
