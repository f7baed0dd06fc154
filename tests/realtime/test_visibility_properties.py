"""Property: every change anyone can see in the per-candidate figures covers ≥ k ballots.

A model of the stored state drives the real rule (voting.realtime.visibility) the
way the publisher and the snapshots do: ballots with random ids arrive, ticks
publish, the chair closes at any moment, paper ballots are entered in any order,
then the lock. What is visible at each moment is the tally over S, the whole
tally, or nothing; between two visible states the ballots that differ must be
none or at least k — including the step from the last live figures to the result.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.realtime.visibility import (
    LiveState,
    checked_k,
    publication_size,
    shows_published_set,
    shows_whole_tally,
)

EXAMPLES = 3000


@st.composite
def conferences(draw: st.DrawFn) -> dict[str, object]:
    k = draw(st.integers(3, 6))
    phones = draw(st.integers(0, 40))
    paper = draw(st.integers(0, 8))
    return {
        "k": k,
        # Random ids: the publisher's "smallest ids first" is a random subset.
        "ids": draw(st.permutations(range(phones + paper))),
        "phones": phones,
        "paper": paper,
        # After which arrivals a tick runs, and when the chair closes.
        "ticks": draw(st.lists(st.booleans(), min_size=phones, max_size=phones)),
        "close_after": draw(st.integers(0, phones)),
        "paper_returned": draw(st.integers(0, paper)),
    }


def run(case: dict[str, object]) -> list[frozenset[int] | None]:
    """The sets of ballots behind each visible state, in order (None: nothing shown)."""
    k = int(case["k"])  # type: ignore[call-overload]
    ids: list[int] = list(case["ids"])  # type: ignore[call-overload]
    phones = ids[: int(case["close_after"])]  # type: ignore[call-overload]
    paper = ids[len(ids) - int(case["paper"]) :]  # type: ignore[call-overload]
    received: list[int] = []
    published: set[int] = set()
    status = "open"
    entered = 0
    shown: list[frozenset[int] | None] = []

    def state() -> LiveState:
        return LiveState(status, len(received), len(published), len(paper), entered)

    def look() -> None:
        now = state()
        if shows_whole_tally(now):
            shown.append(frozenset(received))
        elif shows_published_set(now):
            shown.append(frozenset(published))
        else:
            shown.append(None)

    def tick() -> None:
        m = publication_size(state(), k)
        published.update(sorted(set(received) - published)[:m])
        look()

    for ballot, ticks in zip(phones, case["ticks"], strict=False):  # type: ignore[call-overload]
        received.append(ballot)
        look()  # the chair may look between ticks too
        if ticks:
            tick()
    status = "closed"
    look()
    tick()
    for ballot in paper[: int(case["paper_returned"])]:  # type: ignore[call-overload]
        received.append(ballot)
        entered += 1
        look()
        tick()
    status = "locked"
    look()
    return shown


@settings(max_examples=EXAMPLES, deadline=None)
@given(conferences())
def test_every_visible_change_covers_at_least_k_ballots(case: dict[str, object]) -> None:
    k = int(case["k"])  # type: ignore[call-overload]
    visible = [s for s in run(case) if s is not None]
    assert visible, "the result is shown at the lock"
    for before, after in itertools.pairwise(visible):
        assert before <= after  # figures only ever add ballots
        assert len(after - before) == 0 or len(after - before) >= k
    # Before the close nothing is shown over fewer than k ballots; the locked
    # result is shown whatever its size (a unanimous vote is no tally's to hide).
    assert all(len(s) >= k for s in visible[:-1]) or len(set(visible)) == 1


@pytest.mark.parametrize("bad", [0, 1, 2, "two", None])
def test_k_below_three_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        checked_k(bad)
