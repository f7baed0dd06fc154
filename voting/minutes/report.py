"""The result as the pages and the minutes read it: the document and its view.

Built from the result document alone (the locked one, or a preview of it before
lock), so the minutes always print exactly what was locked.
"""

from __future__ import annotations

from typing import Any

from voting.conferences.models import Conference
from voting.conferences.results import current_result
from voting.minutes.view import MinutesView, minutes_view

__all__ = ["MinutesView", "conference_document", "decision_view", "minutes_view"]


def conference_document(conference: Conference) -> dict[str, Any]:
    """The locked document if locked, else a live preview of it, as JSON."""
    return current_result(conference).to_json()


def decision_view(conference: Conference) -> MinutesView:
    """The result as the chair's page, the projector and the minutes show it."""
    return minutes_view(current_result(conference))
