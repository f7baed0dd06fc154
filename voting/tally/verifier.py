"""Reading a decision input document (the ``voting decide`` JSON).

The same document is embedded in every locked conference's JSON export, so a
secretary can re-run the decision anywhere. Structural problems raise
:class:`InputError` naming the offending field; problems *inside* a ballot
(an unknown position or candidate, too many agreements) are not errors — they
make that ballot invalid, as on paper.
"""

from __future__ import annotations

import json
from typing import Any

from voting.procedure.ruleset import Ruleset, default_ruleset
from voting.tally.decision import VoteInput, VotePosition, open_ties


class InputError(ValueError):
    """Bad decision input; ``field`` is a path such as ``positions[0].quota``."""

    def __init__(self, field: str, message: str) -> None:
        # Field paths embed JSON keys; escape anything that would break the
        # one-line error (newlines) or the terminal (lone surrogates).
        self.field = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in field)
        self.message = message
        super().__init__(f"{self.field}: {message}")


def _count(doc: dict[str, Any], name: str) -> int:
    if name not in doc:
        raise InputError(name, "is missing")
    value = doc[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(name, "must be a whole number")
    if value < 0:
        raise InputError(name, "must not be negative")
    return value


def _ident(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(field, "must be a non-empty string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(field, "is not valid Unicode (a lone surrogate)") from None
    return value


def _positions(
    doc: dict[str, Any], ruleset: Ruleset, needs_quota: bool
) -> tuple[VotePosition, ...]:
    raw = doc.get("positions")
    if not isinstance(raw, list) or not raw:
        raise InputError("positions", "must be a non-empty list")
    positions: list[VotePosition] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        where = f"positions[{i}]"
        if not isinstance(item, dict):
            raise InputError(where, "must be an object")
        pid = _ident(item.get("id"), f"{where}.id")
        if pid in seen:
            raise InputError(f"{where}.id", f"duplicate position id {pid!r}")
        seen.add(pid)
        quota = item.get("quota")
        if quota is None and needs_quota:
            raise InputError(f"{where}.quota", "is missing")
        if quota is not None:
            if isinstance(quota, bool) or not isinstance(quota, int):
                raise InputError(f"{where}.quota", "must be a whole number")
            if quota < 1:
                raise InputError(f"{where}.quota", "must be at least 1")
            if quota > ruleset.max_quota:
                raise InputError(
                    f"{where}.quota", f"exceeds the ruleset's cap of {ruleset.max_quota}"
                )
        cands = item.get("candidates")
        if not isinstance(cands, list) or not cands:
            raise InputError(f"{where}.candidates", "must be a non-empty list")
        ids = [_ident(c, f"{where}.candidates[{j}]") for j, c in enumerate(cands)]
        if len(set(ids)) != len(ids):
            dup = next(c for c in ids if ids.count(c) > 1)
            raise InputError(f"{where}.candidates", f"duplicate candidate id {dup!r}")
        positions.append(VotePosition(pid, quota, tuple(ids)))
    return tuple(positions)


def _ballots(doc: dict[str, Any], present: int) -> tuple[dict[str, tuple[str, ...]], ...]:
    raw = doc.get("ballots", [])
    if not isinstance(raw, list):
        raise InputError("ballots", "must be a list")
    if len(raw) > present:
        raise InputError("ballots", f"{len(raw)} ballots but only {present} people present")
    ballots: list[dict[str, tuple[str, ...]]] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InputError(f"ballots[{i}]", "must be an object")
        ballot: dict[str, tuple[str, ...]] = {}
        for pid, chosen in item.items():
            where = f"ballots[{i}].{pid}"
            if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
                raise InputError(where, "must be a list of candidate ids")
            ballot[pid] = tuple(chosen)
        ballots.append(ballot)
    return tuple(ballots)


def _head_decision(doc: dict[str, Any], vote: VoteInput) -> dict[str, tuple[str, ...]]:
    raw = doc.get("head_decision")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError("head_decision", "must be an object")
    if raw and not vote.rule.ranked:
        raise InputError("head_decision", f"rule {vote.rule.id!r} has no head-of-unit tie-break")
    ties = open_ties(vote)
    decided: dict[str, tuple[str, ...]] = {}
    for pid, chosen in raw.items():
        where = f"head_decision.{pid}"
        if pid not in ties:
            raise InputError(where, "there is no tie on the last seat to decide here")
        tied, open_seats = ties[pid]
        if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
            raise InputError(where, "must be a list of candidate ids")
        if len(set(chosen)) != len(chosen):
            raise InputError(where, "names a candidate twice")
        outside = [c for c in chosen if c not in tied]
        if outside:
            raise InputError(where, f"{outside[0]!r} is not among the tied {list(tied)}")
        if len(chosen) != open_seats:
            raise InputError(
                where, f"must pick exactly {open_seats} of the tied {list(tied)}, got {len(chosen)}"
            )
        decided[pid] = tuple(chosen)
    return decided


def parse_vote(doc: Any, ruleset: Ruleset | None = None) -> VoteInput:
    """Validate a decoded decision-input document and build a :class:`VoteInput`."""
    ruleset = ruleset or default_ruleset()
    if not isinstance(doc, dict):
        raise InputError("$", "must be a JSON object")
    rule_id = doc.get("rule")
    if not isinstance(rule_id, str):
        raise InputError("rule", "must be a rule id")
    if rule_id not in ruleset.rules:
        raise InputError("rule", f"unknown rule {rule_id!r} (known: {', '.join(ruleset.rules)})")
    rule = ruleset.rules[rule_id]
    summoned = _count(doc, "summoned")
    present = _count(doc, "present")
    if summoned < 1:
        raise InputError("summoned", "must be at least 1")
    if present < 1:
        raise InputError("present", "must be at least 1")
    if present > summoned:
        raise InputError("present", f"{present} present is more than {summoned} summoned")
    positions = _positions(doc, ruleset, needs_quota=rule.cap_at_quota or rule.ranked)
    ballots = _ballots(doc, present)
    vote = VoteInput(rule, summoned, present, positions, ballots, {})
    head = _head_decision(doc, vote)
    return VoteInput(rule, summoned, present, positions, ballots, head)


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise InputError(key, f"duplicate key {key!r} in one JSON object")
        seen[key] = value
    return seen


def parse_vote_text(text: str, ruleset: Ruleset | None = None) -> VoteInput:
    """Decode and validate; a key repeated within one object is an error, not "last wins"."""
    try:
        doc = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise InputError("$", f"malformed JSON at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise InputError("$", "JSON nested too deeply") from None
    return parse_vote(doc, ruleset)


def parse_vote_bytes(data: bytes, ruleset: Ruleset | None = None) -> VoteInput:
    """Decode a file's bytes as UTF-8 (a byte-order mark is allowed), then validate."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("$", f"not UTF-8 (byte {exc.start})") from None
    return parse_vote_text(text, ruleset)
