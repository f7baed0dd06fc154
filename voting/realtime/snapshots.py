"""What each screen is allowed to see, as one full-state message.

Every (re)connect gets a full snapshot: phones drop their sockets when the
screen locks, so nothing may depend on having seen earlier messages.
"""

from __future__ import annotations

from typing import Any

from voting.ballots.handout import double_scans
from voting.conferences.models import Conference, ballot_positions
from voting.conferences.rules import conference_rule
from voting.errors import DomainError
from voting.realtime.visibility import LiveState, shows_published_set, shows_whole_tally
from voting.tally.decision import percent_half_up


def live_state(conference: Conference) -> LiveState:
    return LiveState(
        status=conference.status,
        received=conference.ballots_received,
        published=conference.published_received,
        paper_issued=conference.paper_issued,
        paper_entered=conference.paper_entered,
        paper_finished=conference.paper_finished_dt is not None,
    )


def visible_figures(conference: Conference) -> tuple[int, dict[int, int]] | None:
    """(ballots covered, agree per candidate id) anyone may see now, or None.

    The one place that decides: the chair's page and socket, the JSON tally and
    the result pages before the lock all go through here
    (voting.realtime.visibility says why each step covers at least k ballots).
    """
    state = live_state(conference)
    positions = ballot_positions(conference.id)
    if shows_whole_tally(state):
        agree = {c.id: c.live_agree for p in positions for c in p.candidates}
        return conference.ballots_received, agree
    if shows_published_set(state):
        agree = {c.id: c.published_agree for p in positions for c in p.candidates}
        return conference.published_received, agree
    return None


def result_visible(conference: Conference) -> bool:
    """Whether the result (per-candidate figures and decision) may be shown before the lock."""
    return shows_whole_tally(live_state(conference))


def refuse_withheld(conference: Conference) -> None:
    """Refuse a draft result, minutes or export while the result is withheld.

    Between the close and the last paper ballot, the result page shows nothing
    per-candidate; a draft minutes, a CSV or the JSON result would show it after each
    paper entry, one ballot at a time.
    """
    if not conference.is_locked and not result_visible(conference):
        raise DomainError(
            "result_withheld",
            "The result is withheld until every paper ballot issued is entered"
            " or paper entry is declared finished.",
            409,
        )


def public_snapshot(conference: Conference) -> dict[str, Any]:
    """Turnout only: for the projector and the phones."""
    return {
        "conference": conference.public_id,
        "status": conference.status,
        "present": conference.present_count,
        "received": conference.ballots_received,
    }


def chair_snapshot(conference: Conference) -> dict[str, Any]:
    """Turnout plus the per-candidate numbers :func:`visible_figures` allows (or none)."""
    rule = conference_rule(conference)
    base_count = (
        conference.present_count if rule.base == "present" else conference.summoned_count
    ) or 0
    positions = ballot_positions(conference.id)
    figures = visible_figures(conference)
    covered, agrees = figures if figures is not None else (0, {})
    return {
        **public_snapshot(conference),
        "summoned": conference.summoned_count,
        "visible": figures is not None,
        "double_scans": double_scans(conference),
        "published_received": covered,
        "base": rule.base,
        "base_count": base_count,
        "votes_needed": rule.votes_needed(base_count) if base_count else None,
        "positions": [
            {
                "id": p.key,
                "name": p.name,
                "quota": p.quota,
                "candidates": [
                    {
                        "id": c.key,
                        "name": c.name,
                        "agree": (agree := agrees.get(c.id)),
                        "percent": None if agree is None else percent_half_up(agree, base_count),
                        "passes": None
                        if agree is None
                        else bool(base_count) and rule.passes(agree, base_count),
                    }
                    for c in p.candidates
                ],
            }
            for p in positions
        ],
    }
