"""What each screen is allowed to see, as one full-state message.

Every (re)connect gets a full snapshot: phones drop their sockets when the
screen locks, so nothing may depend on having seen earlier messages.
"""

from __future__ import annotations

from typing import Any

from voting.conferences.models import Conference, ballot_positions
from voting.conferences.rules import conference_rule
from voting.tally.decision import percent_half_up


def public_snapshot(conference: Conference) -> dict[str, Any]:
    """Turnout only: for the projector and the phones."""
    return {
        "conference": conference.public_id,
        "status": conference.status,
        "present": conference.present_count,
        "received": conference.ballots_received,
    }


def chair_snapshot(conference: Conference) -> dict[str, Any]:
    """Turnout plus per-candidate numbers as last published (batched)."""
    rule = conference_rule(conference)
    base_count = (
        conference.present_count if rule.base == "present" else conference.summoned_count
    ) or 0
    positions = ballot_positions(conference.id)
    # Once closed every ballot is in, so the live numbers may be shown whole.
    final = conference.status != "open"
    return {
        **public_snapshot(conference),
        "summoned": conference.summoned_count,
        "published_received": (
            conference.ballots_received if final else conference.published_received
        ),
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
                        "agree": (agree := c.live_agree if final else c.published_agree),
                        "percent": percent_half_up(agree, base_count),
                        "passes": bool(base_count) and rule.passes(agree, base_count),
                    }
                    for c in p.candidates
                ],
            }
            for p in positions
        ],
    }
