"""The decision engine: ballots in, who passes and who is selected out.

Plain Python, integers only. Every pass/fail is the rule's exact integer test
(:meth:`Rule.passes`); percentages are computed as exact fractions and rounded
half-up to two decimals for display only. Nothing here imports Flask: the live
tally, the lock, the minutes and the ``voting decide`` verifier all call
:func:`decide` with the same input, so a secretary can recompute any locked
result independently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from voting.procedure.ruleset import Rule


@dataclass(frozen=True)
class VotePosition:
    id: str
    #: Most people a ballot may agree with (and, for ranked rules, seats);
    #: None for rules that neither cap nor rank (removal votes).
    quota: int | None
    #: Candidate ids in ballot order; ties in the ranking keep this order.
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class VoteInput:
    rule: Rule
    summoned: int
    present: int
    positions: tuple[VotePosition, ...]
    #: One mapping per ballot: position id -> candidate ids agreed with.
    ballots: tuple[Mapping[str, Sequence[str]], ...]
    #: The head of unit's choice for a tie on the last seat, per position.
    head_decision: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @property
    def base_count(self) -> int:
        return self.present if self.rule.base == "present" else self.summoned


@dataclass(frozen=True)
class CandidateResult:
    id: str
    agree: int
    disagree: int
    percent: str
    passes: bool
    selected: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PositionResult:
    id: str
    quota: int | None
    #: Ordered by agree descending; equal counts keep ballot order.
    candidates: tuple[CandidateResult, ...]
    needs_head_decision: bool
    #: Passing candidates tied on the last seat (kept after the head decides).
    tied: tuple[str, ...]
    #: Seats the tied candidates compete for.
    open_seats: int
    head_decision: tuple[str, ...] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "quota": self.quota,
            "candidates": [c.to_json() for c in self.candidates],
            "needs_head_decision": self.needs_head_decision,
            "tied": list(self.tied),
            "open_seats": self.open_seats,
            "head_decision": list(self.head_decision) if self.head_decision is not None else None,
        }


@dataclass(frozen=True)
class Decision:
    rule: Rule
    summoned: int
    present: int
    base_count: int
    votes_needed: int
    received: int
    valid: int
    invalid: int
    positions: tuple[PositionResult, ...]

    @property
    def needs_head_decision(self) -> bool:
        return any(p.needs_head_decision for p in self.positions)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "base": self.rule.base,
            "base_count": self.base_count,
            "threshold": f"{self.rule.threshold.numerator}/{self.rule.threshold.denominator}",
            "comparison": self.rule.comparison,
            "votes_needed": self.votes_needed,
            "summoned": self.summoned,
            "present": self.present,
            "ballots": {"received": self.received, "valid": self.valid, "invalid": self.invalid},
            "needs_head_decision": self.needs_head_decision,
            "positions": [p.to_json() for p in self.positions],
        }


def percent_half_up(agree: int, base_count: int) -> str:
    """``100 * agree / base`` to two decimals, rounded half-up, exactly."""
    if base_count <= 0:
        return "0.00"
    # hundredths of a percent: agree * 10000 / base, half-up in integers.
    hundredths = (2 * agree * 10000 + base_count) // (2 * base_count)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def ballot_is_valid(
    rule: Rule, positions: Mapping[str, VotePosition], ballot: Mapping[str, Sequence[str]]
) -> bool:
    """A ballot is invalid as a whole if any part of it is (QT.NB.03 practice).

    Invalid: an unknown position, a name not on that position's list, a name
    twice, more agreements than the quota where the rule caps; a blank ballot
    only where the rule says blanks are invalid.
    """
    agreed_any = False
    for position_id, chosen in ballot.items():
        position = positions.get(position_id)
        if position is None:
            return False
        if len(set(chosen)) != len(chosen):
            return False
        if any(c not in position.candidates for c in chosen):
            return False
        if rule.cap_at_quota and position.quota is not None and len(chosen) > position.quota:
            return False
        agreed_any = agreed_any or bool(chosen)
    return agreed_any or rule.blank_valid


def _select(
    rule: Rule,
    position: VotePosition,
    ranked: list[tuple[str, int, bool]],
    head_choice: Sequence[str] | None,
) -> tuple[set[str], tuple[str, ...], int, bool]:
    """Who goes forward; returns (selected, tied, open_seats, needs_head_decision)."""
    passing = [(cid, agree) for cid, agree, ok in ranked if ok]
    if not rule.ranked or position.quota is None:
        return {cid for cid, _ in passing}, (), 0, False
    quota = position.quota
    if len(passing) <= quota:
        return {cid for cid, _ in passing}, (), 0, False
    last_seat_agree = passing[quota - 1][1]
    above = [cid for cid, agree in passing if agree > last_seat_agree]
    level = [cid for cid, agree in passing if agree == last_seat_agree]
    open_seats = quota - len(above)
    if len(level) <= open_seats:  # the last seat's group fits: no tie to break
        return set(above) | set(level), (), 0, False
    tied = tuple(level)
    if head_choice is None:
        return set(above), tied, open_seats, True
    return set(above) | set(head_choice), tied, open_seats, False


def decide(vote: VoteInput) -> Decision:
    """Apply the vote's rule to its ballots. Input must already be validated."""
    rule = vote.rule
    base_count = vote.base_count
    by_id = {p.id: p for p in vote.positions}

    valid_ballots = [b for b in vote.ballots if ballot_is_valid(rule, by_id, b)]
    valid = len(valid_ballots)

    results: list[PositionResult] = []
    for position in vote.positions:
        agree = dict.fromkeys(position.candidates, 0)
        for ballot in valid_ballots:
            for cid in ballot.get(position.id, ()):
                agree[cid] += 1
        order = {cid: i for i, cid in enumerate(position.candidates)}
        ranked = sorted(
            ((cid, n, rule.passes(n, base_count)) for cid, n in agree.items()),
            key=lambda row: (-row[1], order[row[0]]),
        )
        head_choice = vote.head_decision.get(position.id)
        selected, tied, open_seats, needs_head = _select(rule, position, ranked, head_choice)
        results.append(
            PositionResult(
                id=position.id,
                quota=position.quota,
                candidates=tuple(
                    CandidateResult(
                        id=cid,
                        agree=n,
                        disagree=valid - n,
                        percent=percent_half_up(n, base_count),
                        passes=ok,
                        selected=cid in selected,
                    )
                    for cid, n, ok in ranked
                ),
                needs_head_decision=needs_head,
                tied=tied,
                open_seats=open_seats,
                head_decision=tuple(head_choice) if head_choice is not None and tied else None,
            )
        )

    return Decision(
        rule=rule,
        summoned=vote.summoned,
        present=vote.present,
        base_count=base_count,
        votes_needed=rule.votes_needed(base_count),
        received=len(vote.ballots),
        valid=valid,
        invalid=len(vote.ballots) - valid,
        positions=tuple(results),
    )


def open_ties(vote: VoteInput) -> dict[str, tuple[tuple[str, ...], int]]:
    """Per position, the tied candidates and open seats awaiting the head's choice.

    Computed without any head decision, so a proposed decision can be checked
    against the tie it must resolve.
    """
    undecided = VoteInput(vote.rule, vote.summoned, vote.present, vote.positions, vote.ballots, {})
    return {
        p.id: (p.tied, p.open_seats) for p in decide(undecided).positions if p.needs_head_decision
    }
