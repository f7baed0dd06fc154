"""Which per-candidate figures anyone may see before the lock: one rule for every screen.

The figures shown are always the tally over a *set* S of ballots (the ones
flagged published) or the whole tally. The rule keeps every change anyone can
see at least ``k`` ballots wide:

- while the ballot is open a publication adds ``m ≥ k`` ballots to S and leaves
  at least ``k`` out, so S never includes the ballot that just arrived and the
  chair can never close with fewer than ``k`` ballots outside the figures;
- below ``2k`` ballots nothing per-candidate is shown at all;
- after the close S is frozen; the whole tally is shown once no paper ballot is
  outstanding (at once if none was issued) or at the lock, a step of every
  ballot outside S — at least ``k`` whenever S was ever shown.

Plain functions, no Flask: the publisher, the snapshots and the property test
(tests/realtime/test_visibility_properties.py) share them.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The smallest k accepted: with 2 a step of two agreeing ballots names both votes
#: to anyone who knows the two voters, and 1 would show each ballot.
MIN_K = 3


def checked_k(value: object) -> int:
    """The configured k, refused at start when it would not hide single ballots."""
    try:
        k = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ValueError(f"LIVE_MIN_BATCH must be an integer ≥ {MIN_K}, not {value!r}") from None
    if k < MIN_K:
        raise ValueError(f"LIVE_MIN_BATCH must be at least {MIN_K} (got {k})")
    return k


@dataclass(frozen=True)
class LiveState:
    """The counters the rule reads (all on the conference row)."""

    status: str
    received: int
    published: int
    paper_issued: int = 0
    paper_entered: int = 0
    #: The committee declared the paper ballots still out unreturned.
    paper_finished: bool = False


def publication_size(state: LiveState, k: int) -> int:
    """How many unpublished ballots the next live publication adds to S (0: none).

    Only while open: after the close S is frozen, so paper ballots entered one by
    one never move the figures.
    """
    if state.status != "open":
        return 0
    unpublished = state.received - state.published
    return unpublished - k if unpublished >= 2 * k else 0


def shows_whole_tally(state: LiveState) -> bool:
    """Every ballot is in the figures: locked, or closed with no paper ballot outstanding."""
    if state.status == "locked":
        return True
    return state.status == "closed" and (
        state.paper_entered >= state.paper_issued or state.paper_finished
    )


def shows_published_set(state: LiveState) -> bool:
    """The figures over S are shown (else nothing per-candidate, or the whole tally)."""
    return not shows_whole_tally(state) and state.published > 0
