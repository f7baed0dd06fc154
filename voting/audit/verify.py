"""Recompute the audit chain and every locked result (``voting audit verify``).

Finds edits made behind the application's back: an audit entry changed,
inserted or deleted (its hash or its link to the previous entry no longer
matches), and a locked conference whose result text, digest, ballots or
decision changed, or whose digest differs from the one its ``result.locked``
entry recorded. Removing the newest entries leaves a shorter valid chain; keep
the printed head hash outside the database to notice that too.

Apart from tampering it reports, as :attr:`Report.traces`, every closed or
locked conference whose secrecy clean-up (voting.ballots.scrub) is still owed
-- its marker is set -- or whose storage still shows traces the clean-up should
have removed. These are not edits: the ballots are intact, but the storage may
still tell their order of arrival and the token that cast each.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlalchemy as sa

from voting.audit.models import GENESIS, AuditEntry
from voting.audit.operations import entry_hash
from voting.ballots.models import Ballot, Receipt, Token
from voting.conferences.models import Conference
from voting.conferences.results import verify_locked
from voting.extensions import db


@dataclass
class Report:
    entries: int = 0
    locked: int = 0
    head: str = GENESIS
    #: Human-readable problems, the first broken entry (if any) first.
    problems: list[str] = field(default_factory=list)
    #: Conferences whose traces of arrival order may remain (not tampering).
    traces: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """No tampering found (secrecy traces are reported apart, in :attr:`traces`)."""
        return not self.problems

    def summary(self) -> str:
        return f"audit chain intact: {self.entries} entries, {self.locked} locked results"


def verify_chain(report: Report) -> dict[int, dict[str, str]]:
    """Check every entry in id order; stop at the first break (all later ones follow it).

    Returns the result digests recorded by ``result.locked`` entries, per conference.
    """
    locked: dict[int, dict[str, str]] = {}
    expected_id, prev = 1, GENESIS
    rows = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars()
    for entry in rows:
        report.entries += 1
        where = f"audit entry {entry.id} ({entry.action})"
        if entry.id != expected_id:
            report.problems.append(
                f"{where}: expected entry {expected_id} here; "
                "an entry was deleted or inserted before it"
            )
            return locked
        if entry.prev_hash != prev:
            report.problems.append(
                f"{where}: prev_hash does not match entry {entry.id - 1}; "
                "an earlier entry was replaced"
            )
            return locked
        try:
            details = json.loads(entry.details)
        except ValueError:
            report.problems.append(f"{where}: details are not JSON; the entry was edited")
            return locked
        recomputed = entry_hash(
            entry.id,
            entry.conference_id,
            entry.actor,
            entry.action,
            details,
            entry.created_dt,
            entry.prev_hash,
        )
        if recomputed != entry.entry_hash:
            report.problems.append(f"{where}: hash mismatch; the entry was edited")
            return locked
        if entry.action == "result.locked" and entry.conference_id is not None:
            locked[entry.conference_id] = details
        expected_id, prev = entry.id + 1, entry.entry_hash
    report.head = prev
    return locked


def _counts(conference_id: int) -> tuple[int, int, int, int, int]:
    """(counter, ballots, receipts, used tokens, paper entered), in one statement (one snapshot)."""

    def count(model: type, *where: sa.ColumnElement[bool]) -> sa.ScalarSelect[int]:
        return (
            sa.select(sa.func.count())
            .select_from(model)
            .where(model.conference_id == conference_id, *where)  # type: ignore[attr-defined]
            .scalar_subquery()
        )

    row = db.session.execute(
        sa.select(
            Conference.ballots_received,
            count(Ballot),
            count(Receipt),
            count(Token, Token.state == "used"),
            Conference.paper_entered,
        ).where(Conference.id == conference_id)
    ).one()
    return row[0], row[1], row[2], row[3], row[4]


def verify_conferences(
    report: Report, recorded: dict[int, dict[str, str]], *, chain_ok: bool = True
) -> None:
    conferences = db.session.scalars(
        sa.select(Conference).where(Conference.status != "draft").order_by(Conference.id)
    ).all()
    for conference in conferences:
        where = f"conference {conference.public_id} (id {conference.id})"
        # Casts change all four in one transaction: any snapshot must agree. A paper
        # ballot entered by the committee has no receipt (nobody to hand it to).
        received, ballots, receipts, used, paper = _counts(conference.id)
        if not received == ballots == receipts + paper == used:
            report.problems.append(
                f"{where}: {ballots} ballots, {receipts} receipts and {used} used tokens "
                f"but the counter says {received}"
            )
        if not conference.is_locked:
            continue
        report.locked += 1
        report.problems.extend(f"{where}: {p}" for p in verify_locked(conference))
        if not chain_ok:
            continue  # the chain's own break is the finding; don't pile on
        audit = recorded.get(conference.id)
        if audit is None:
            report.problems.append(f"{where}: no result.locked entry in the audit chain")
        elif audit.get("result_sha256") != conference.result_sha256:
            report.problems.append(
                f"{where}: result digest differs from the one the audit chain recorded"
            )


def verify_secrecy(report: Report) -> None:
    """Name each conference whose clean-up is owed, or whose storage still shows traces."""
    from voting.ballots.scrub import traces_left

    owed = db.session.execute(
        sa.select(Conference.id, Conference.public_id, Conference.status)
        .where(Conference.scrub_pending)
        .order_by(Conference.id)
    ).all()
    for conference_id, public_id, status in owed:
        after = "lock" if status == "locked" else "close"
        report.traces.append(
            f"conference {public_id} (id {conference_id}): the secrecy clean-up after the "
            f"{after} has not completed (a reader held the database, or the server stopped "
            "first); the storage may still keep the order of arrival and the token of each "
            "ballot"
        )
    left = traces_left()
    if left:
        names = dict(
            db.session.execute(
                sa.select(Conference.id, Conference.public_id).where(Conference.id.in_(left))
            ).all()
        )
        for conference_id, what in sorted(left.items()):
            report.traces.append(
                f"conference {names.get(conference_id, '?')} (id {conference_id}): {what}"
            )


def verify_all() -> Report:
    report = Report()
    recorded = verify_chain(report)
    verify_conferences(report, recorded, chain_ok=report.intact)
    verify_secrecy(report)
    return report
