"""The minutes' view of a result document: names joined to the decision.

Built from the result document alone (the locked JSON, or a preview of it
before lock), so the minutes always print exactly what was locked.
"""

from __future__ import annotations

from typing import Any

from voting.conferences.models import Conference
from voting.conferences.results import current_result


def conference_document(conference: Conference) -> dict[str, Any]:
    """The locked document if locked, else a live preview of it, as JSON."""
    return current_result(conference).to_json()


def minutes_view(doc: dict[str, Any]) -> dict[str, Any]:
    decision = doc["decision"]
    names = {p["id"]: {c["id"]: c for c in p["candidates"]} for p in doc["positions"]}
    position_names = {p["id"]: p["name"] for p in doc["positions"]}
    head = doc.get("head_decision") or {}
    positions = []
    for p in decision["positions"]:
        tied = set(p["tied"])
        rows: list[dict[str, Any]] = []
        unvoted_write_ins = 0
        for c in p["candidates"]:
            person = names[p["id"]][c["id"]]
            # People a voter could have introduced but nobody did: counted, not listed
            # (no rule passes anyone with 0 votes, so no one who passes is ever hidden).
            if person.get("write_in") and c["agree"] == 0:
                unvoted_write_ins += 1
                continue
            rows.append(
                {
                    **c,
                    "rank": len(rows) + 1,
                    "write_in": bool(person.get("write_in")),
                    "name": person["name"],
                    "birth_year": person.get("birth_year"),
                    "post": person.get("post", ""),
                    "unit": person.get("unit", ""),
                    "tied": c["id"] in tied,
                }
            )
        positions.append(
            {
                "id": p["id"],
                "name": position_names[p["id"]],
                "quota": p["quota"],
                "rows": rows,
                "unvoted_write_ins": unvoted_write_ins,
                "needs_head_decision": p["needs_head_decision"],
                "tied_names": [names[p["id"]][cid]["name"] for cid in p["tied"]],
                "tied_ids": p["tied"],
                "open_seats": p["open_seats"],
                "head_choice_names": [
                    names[p["id"]][cid]["name"] for cid in (p.get("head_decision") or [])
                ],
                "selected_names": [r["name"] for r in rows if r["selected"]],
            }
        )
    people = doc["attendance"]["people"]
    return {
        "doc": doc,
        "decision": decision,
        "positions": positions,
        "needs_head_decision": decision["needs_head_decision"],
        "head": head,
        "absent": [p for p in people if p["present"] is False],
        "present_people": [p for p in people if p["present"]],
        "committee_head": [p for p in people if p["committee_role"] == "head"],
        "committee_members": [p for p in people if p["committee_role"] == "member"],
    }


def decision_view(conference: Conference) -> dict[str, Any]:
    """The result as the chair's page, the projector and the minutes show it."""
    return minutes_view(conference_document(conference))
