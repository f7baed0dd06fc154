"""Recompute the audit chain and every locked result (``voting audit verify``).

Finds edits made behind the application's back:

- an audit entry changed, inserted, deleted or moved: its keyed hash (HMAC under
  the audit key, a file apart from the database) or its link to the previous
  entry no longer matches. Without the key nobody can re-hash the chain; the
  plain SHA-256 entries from before the key are accepted only as the prefix the
  key file pins (voting.audit.key), so the chain cannot be rewritten unkeyed;
- a conference whose status or existence disagrees with the transitions the
  chain recorded (created, opened, closed, locked — each once, in that order):
  a locked conference set back, locked twice, deleted, or one the chain never saw;
- a locked conference whose result text, digest, ballots or decision changed,
  whose digest differs from the one its ``result.locked`` entry recorded, or
  whose stored rows (names, attendance, receipts …) no longer give its result;
- a minutes note edited, deleted or added behind the chain's back.

Removing the newest entries leaves a shorter valid chain: the chain head at
lock is printed in the minutes, and ``--expect HEAD`` checks that it is still
there.

Apart from tampering it reports, as :attr:`Report.traces`, every closed or
locked conference whose secrecy clean-up (voting.ballots.scrub) is still owed
-- its marker is set -- or whose storage still shows traces the clean-up should
have removed. These are not edits: the ballots are intact, but the storage may
still tell their order of arrival and the token that cast each.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from voting.audit.key import AuditKey, AuditKeyError, default_path, load_key
from voting.audit.models import GENESIS, AuditEntry
from voting.audit.operations import KEYED, PLAIN, entry_hash, keyed_hash, note_digest
from voting.ballots.models import Ballot, Receipt, Token
from voting.canonical import canonical_json
from voting.conferences.models import Conference
from voting.conferences.results import locked_result, result_document, verify_locked
from voting.extensions import db
from voting.tally.verifier import InputError

#: The chain entries that change a conference's status: action -> (from, to).
TRANSITIONS: dict[str, tuple[str | None, str]] = {
    "conference.created": (None, "draft"),
    "ballot.opened": ("draft", "open"),
    "ballot.closed": ("open", "closed"),
    "result.locked": ("closed", "locked"),
}

#: Hex digits of the chain head the minutes print (64 bits: no collision by chance).
FINGERPRINT_LENGTH = 16
#: Shortest ``--expect`` prefix accepted.
MIN_EXPECT = 8


def fingerprint(head: str) -> str:
    """The printed short form of a chain head: its first 16 hex digits, in groups of 4."""
    short = head[:FINGERPRINT_LENGTH]
    return " ".join(short[i : i + 4] for i in range(0, len(short), 4))


def lock_head(conference_id: int) -> str | None:
    """The chain head at the lock: the hash of the conference's ``result.locked`` entry."""
    return db.session.scalar(
        sa.select(AuditEntry.entry_hash)
        .where(AuditEntry.conference_id == conference_id, AuditEntry.action == "result.locked")
        .order_by(AuditEntry.id)
        .limit(1)
    )


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


@dataclass
class Chain:
    """What the verified entries say, for the checks against the other tables."""

    #: Per conference: the ``result.locked`` details.
    locked: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Per conference: the status the replayed transitions end in.
    status: dict[int, str] = field(default_factory=dict)
    #: Per note id: (conference id, content digest or None for entries before digests).
    notes: dict[int, tuple[int | None, str | None]] = field(default_factory=dict)
    #: Every verified entry's hash, in order.
    hashes: list[str] = field(default_factory=list)


def _replay(report: Report, chain: Chain, entry: AuditEntry, details: dict[str, Any]) -> None:
    """Apply one verified entry's status change; a change from the wrong state is a finding."""
    if entry.action == "minutes.note_added" and isinstance(details.get("note_id"), int):
        chain.notes[details["note_id"]] = (entry.conference_id, details.get("note_sha256"))
    if entry.action not in TRANSITIONS or entry.conference_id is None:
        return
    before, after = TRANSITIONS[entry.action]
    now = chain.status.get(entry.conference_id)
    if now != before:
        was = f"it was {now}" if now else "the chain never created it"
        report.problems.append(
            f"audit entry {entry.id} ({entry.action}): conference id {entry.conference_id} "
            f"goes to {after} from {before or 'nothing'}, but {was}"
            + ("; the result was locked a second time" if now == "locked" else "")
        )
    chain.status[entry.conference_id] = after
    if entry.action == "result.locked":
        chain.locked[entry.conference_id] = details


def _expected_hash(
    entry: AuditEntry, details: Any, key: AuditKey | None, where: str
) -> tuple[str | None, str | None]:
    """(the hash this entry must have, or None with the reason it cannot be trusted)."""
    fields = (
        entry.id,
        entry.conference_id,
        entry.actor,
        entry.action,
        details,
        entry.created_dt,
        entry.prev_hash,
    )
    if entry.version == PLAIN:
        if key is not None and entry.id > key.legacy_entries:
            return None, (
                f"{where}: unkeyed (plain SHA-256) although the chain was keyed after entry "
                f"{key.legacy_entries}; the chain was re-hashed without the key"
            )
        return entry_hash(*fields), None
    if entry.version == KEYED:
        if key is None:
            return None, (
                f"{where}: keyed, but there is no audit key to check it with "
                "(give its file with --key)"
            )
        return keyed_hash(key.secret, *fields), None
    return None, f"{where}: unknown entry format {entry.version!r}; the entry was edited"


def verify_chain(report: Report, key: AuditKey | None = None) -> Chain:
    """Check every entry in id order; stop at the first break (all later ones follow it)."""
    chain = Chain()
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
            return chain
        if entry.prev_hash != prev:
            report.problems.append(
                f"{where}: prev_hash does not match entry {entry.id - 1}; "
                "an earlier entry was replaced"
            )
            return chain
        try:
            details = json.loads(entry.details)
        except ValueError:
            report.problems.append(f"{where}: details are not JSON; the entry was edited")
            return chain
        expected, reason = _expected_hash(entry, details, key, where)
        if reason:
            report.problems.append(reason)
            return chain
        if expected != entry.entry_hash:
            report.problems.append(f"{where}: hash mismatch; the entry was edited")
            return chain
        pinned = key is not None and entry.id == key.legacy_entries
        if pinned and entry.entry_hash != key.legacy_head:  # type: ignore[union-attr]
            report.problems.append(
                f"{where}: the unkeyed entries before the key differ from those the key "
                "file pinned; the old part of the chain was rewritten"
            )
            return chain
        if isinstance(details, dict):
            _replay(report, chain, entry, details)
        chain.hashes.append(entry.entry_hash)
        expected_id, prev = entry.id + 1, entry.entry_hash
    if key is not None and report.entries < key.legacy_entries:
        report.problems.append(
            f"the chain has {report.entries} entries, fewer than the {key.legacy_entries} "
            "there were when it was keyed; entries were deleted"
        )
    report.head = prev
    return chain


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


def _result_drift(conference: Conference) -> list[str]:
    """Parts of the locked result the current rows no longer give (names, attendance …).

    After lock nothing of a conference may change, so rebuilding the result document
    from the rows must give the locked text byte for byte.
    """
    now = result_document(conference).to_json()
    if canonical_json(now) == conference.result_json:
        return []
    then = locked_result(conference).to_json()
    parts = sorted(k for k in now.keys() | then.keys() if now.get(k) != then.get(k))
    return [f"the stored rows no longer give the locked result ({', '.join(parts)} changed)"]


def _locked_findings(conference: Conference) -> list[str]:
    """What re-checking a locked result finds: its text, ballots and decision, then its rows."""
    try:
        return verify_locked(conference) or _result_drift(conference)
    except (InputError, ValueError, KeyError, TypeError) as exc:
        # Edited rows can make the decision itself refuse them: a finding, not a crash.
        return [f"the locked result cannot be recomputed from the stored rows ({exc})"]


def _deleted_conferences(report: Report, chain: Chain, present: set[int]) -> None:
    for conference_id, status in sorted(chain.status.items()):
        if conference_id not in present:
            report.problems.append(
                f"conference id {conference_id}: the audit chain has it {status}, but it "
                "is not in the database; it was deleted"
            )


def _counts_agree(report: Report, where: str, conference: Conference) -> None:
    # Casts change all four in one transaction: any snapshot must agree. A paper
    # ballot entered by the committee has no receipt (nobody to hand it to).
    received, ballots, receipts, used, paper = _counts(conference.id)
    if not received == ballots == receipts + paper == used:
        report.problems.append(
            f"{where}: {ballots} ballots, {receipts} receipts and {used} used tokens "
            f"but the counter says {received}"
        )


def _lock_recorded(report: Report, chain: Chain, where: str, conference: Conference) -> None:
    audit = chain.locked.get(conference.id)
    if audit is None:
        report.problems.append(f"{where}: no result.locked entry in the audit chain")
    elif audit.get("result_sha256") != conference.result_sha256:
        report.problems.append(
            f"{where}: result digest differs from the one the audit chain recorded"
        )


def _verify_conference(
    report: Report, chain: Chain, conference: Conference, chain_ok: bool
) -> None:
    where = f"conference {conference.public_id} (id {conference.id})"
    recorded = chain.status.get(conference.id)
    if chain_ok and recorded != conference.status and (recorded or not conference.is_draft):
        report.problems.append(
            f"{where}: status {conference.status}, but the audit chain has it "
            f"{recorded or 'never created'}"
        )
    if conference.is_draft:
        return
    _counts_agree(report, where, conference)
    if not conference.is_locked:
        return
    report.locked += 1
    report.problems.extend(f"{where}: {p}" for p in _locked_findings(conference))
    if chain_ok:  # else the chain's own break is the finding; don't pile on
        _lock_recorded(report, chain, where, conference)


def verify_conferences(report: Report, chain: Chain, *, chain_ok: bool = True) -> None:
    conferences = db.session.scalars(sa.select(Conference).order_by(Conference.id)).all()
    if chain_ok:
        _deleted_conferences(report, chain, {c.id for c in conferences})
    for conference in conferences:
        _verify_conference(report, chain, conference, chain_ok)
    if chain_ok:
        verify_notes(report, chain)


def verify_notes(report: Report, chain: Chain) -> None:
    """Every minutes note is the one its entry bound; none missing, none extra."""
    from voting.minutes.models import MinutesNote  # minutes build on the audit trail

    notes = {n.id: n for n in db.session.scalars(sa.select(MinutesNote))}
    for note_id, (conference_id, digest) in sorted(chain.notes.items()):
        note = notes.pop(note_id, None)
        if note is None:
            report.problems.append(
                f"minutes note {note_id} (conference id {conference_id}): in the audit chain, "
                "not in the database; it was deleted"
            )
        elif note.conference_id != conference_id or (
            digest is not None and digest != note_digest(note.author, note.text, note.written_dt)
        ):
            report.problems.append(
                f"minutes note {note_id} (conference id {conference_id}): differs from the "
                "note the audit chain recorded; it was edited"
            )
    for note_id, note in sorted(notes.items()):
        report.problems.append(
            f"minutes note {note_id} (conference id {note.conference_id}): no audit entry "
            "added it; it was inserted behind the application's back"
        )


def verify_expected(report: Report, chain: Chain, expect: str) -> None:
    """The printed chain head ``expect`` (a prefix, spaces allowed) is a verified entry."""
    wanted = "".join(expect.split()).lower()
    if len(wanted) < MIN_EXPECT or any(c not in "0123456789abcdef" for c in wanted):
        report.problems.append(
            f"--expect {expect!r}: give at least {MIN_EXPECT} hex digits of the printed head"
        )
        return
    matches = [i for i, h in enumerate(chain.hashes, start=1) if h.startswith(wanted)]
    if not matches:
        report.problems.append(
            f"the printed chain head {expect} is not in the verified chain: the chain was "
            "rewritten or cut back to before it"
        )
    elif len(matches) > 1:
        report.problems.append(f"--expect {expect!r} matches several entries; give more digits")


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


def verify_all(key_path: Path | None = None, expect: str | None = None) -> Report:
    """Check everything; ``key_path`` the audit key file (default the instance's)."""
    report = Report()
    path = key_path or default_path()
    try:
        key = load_key(path)
    except AuditKeyError as exc:
        report.problems.append(str(exc))
        return report
    if key is None and key_path is not None:
        report.problems.append(f"no audit key at {key_path}")
        return report
    chain = verify_chain(report, key)
    chain_ok = report.intact
    verify_conferences(report, chain, chain_ok=chain_ok)
    if expect is not None and chain_ok:
        verify_expected(report, chain, expect)
    verify_secrecy(report)
    return report
