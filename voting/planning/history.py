"""The approved planning list's history: who entered and left it, when and by what.

An entry is never deleted: it is closed when its person leaves (a removal vote's
decision, an exit recorded on the list page). So the history is read back from the
entries themselves, one event per entering and one per leaving. No Flask import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from voting.planning.models import PlanningEntry


@dataclass(frozen=True)
class Event:
    """Someone entered the list for a position, or left it."""

    on: date
    change: Literal["added", "removed"]
    entry: PlanningEntry
    #: The process whose decision did it (None: an exit recorded on the list page,
    #: or an entry brought in from before the app).
    process_id: int | None
    #: The decision, as the list prints it ("15/QĐ-CTHADS ngày 30/11/2026 (…)").
    decision: str
    #: Why someone left (:data:`voting.planning.models.EXIT_REASONS`); None on entering.
    reason: str | None = None
    note: str = ""


def events(entries: list[PlanningEntry]) -> list[Event]:
    """Every entering and leaving of ``entries``, oldest first (entering before leaving)."""
    found: list[Event] = []
    for e in entries:
        found.append(Event(e.entered_on, "added", e, e.entered_process_id, e.entered_decision))
        if e.left_on is not None:
            found.append(
                Event(
                    e.left_on,
                    "removed",
                    e,
                    e.left_process_id,
                    e.left_decision,
                    e.left_reason,
                    e.left_note,
                )
            )
    order = {"added": 0, "removed": 1}
    return sorted(found, key=lambda ev: (ev.on, order[ev.change], ev.entry.id))
