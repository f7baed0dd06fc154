"""Shared fixtures for the decision-engine tests.

Helpers are handed out as (session-scoped) fixtures rather than imported, so
that they work next to the top-level ``tests/conftest.py`` without packages and
inside ``@given`` tests without tripping Hypothesis' function-scoped-fixture
health check.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from voting.cli import main
from voting.procedure.ruleset import (
    DEFAULT_RULESET_PATH,
    Rule,
    Ruleset,
    load_ruleset,
    parse_ruleset,
)
from voting.tally.decision import VoteInput, VotePosition

VOTING_EXE = Path(sys.executable).with_name("voting")


@dataclass(frozen=True)
class CliResult:
    """What one ``voting decide`` run left behind."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.splitlines()

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture(scope="session")
def shipped() -> Ruleset:
    """The QT.NB.03 ruleset exactly as the package ships it."""
    return load_ruleset(DEFAULT_RULESET_PATH)


@pytest.fixture(scope="session")
def shipped_data() -> Callable[[], dict[str, Any]]:
    """A factory for a fresh, freely editable copy of the shipped TOML document."""
    data = tomllib.loads(DEFAULT_RULESET_PATH.read_text(encoding="utf-8"))
    return lambda: copy.deepcopy(data)


@pytest.fixture(scope="session")
def blank_invalid_rules(shipped_data: Callable[[], dict[str, Any]]) -> Ruleset:
    """The shipped ruleset with every rule's ``blank_valid`` turned off (via ``parse_ruleset``)."""
    data = shipped_data()
    for rule in data["rules"].values():
        rule["blank_valid"] = False
    return parse_ruleset(data, "blank-invalid.toml")


@pytest.fixture(scope="session")
def make_vote(shipped: Ruleset) -> Callable[..., VoteInput]:
    """Build a :class:`VoteInput` from plain values.

    ``positions`` maps position id to ``(quota, [candidate ids])``.
    """

    def build(
        rule: str | Rule,
        *,
        summoned: int,
        present: int,
        positions: Mapping[str, tuple[int | None, Sequence[str]]],
        ballots: Sequence[Mapping[str, Sequence[str]]] = (),
        head_decision: Mapping[str, Sequence[str]] | None = None,
    ) -> VoteInput:
        return VoteInput(
            rule=shipped.rule(rule) if isinstance(rule, str) else rule,
            summoned=summoned,
            present=present,
            positions=tuple(
                VotePosition(pid, quota, tuple(cands)) for pid, (quota, cands) in positions.items()
            ),
            ballots=tuple({pid: tuple(c) for pid, c in b.items()} for b in ballots),
            head_decision={pid: tuple(c) for pid, c in (head_decision or {}).items()},
        )

    return build


@pytest.fixture(scope="session")
def run_decide() -> Callable[..., CliResult]:
    """Run ``voting decide`` in-process with click's runner.

    ``doc`` is serialised to JSON unless it is already a string. ``VOTING_RULESET``
    is unset so the shipped ruleset applies unless ``args`` say otherwise.
    """

    def run(doc: Any, *args: str) -> CliResult:
        text = doc if isinstance(doc, str) else json.dumps(doc)
        runner = CliRunner(env={"VOTING_RULESET": None})
        result = runner.invoke(main, ["decide", *args], input=text)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture(scope="session")
def run_voting_exe() -> Callable[..., CliResult]:
    """Run the installed ``voting`` console script in a subprocess."""

    def run(*args: str, stdin: bytes = b"", env: Mapping[str, str] | None = None) -> CliResult:
        environ = {k: v for k, v in os.environ.items() if k != "VOTING_RULESET"}
        environ.update(env or {})
        proc = subprocess.run(
            [str(VOTING_EXE), *args],
            input=stdin,
            capture_output=True,
            env=environ,
            timeout=60,
            check=False,
        )
        return CliResult(
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )

    return run


# --------------------------------------------------------------------------- bad decision inputs
#
# One table of structurally bad ``voting decide`` documents, shared by the
# verifier's unit tests and the CLI tests through ``pytest_generate_tests``
# (fixture name ``bad_input``): each case is (id, JSON text, field named).

#: nominate-30-present, 9 summoned, 7 present: a plain valid document.
PLAIN: dict[str, Any] = {
    "rule": "nominate-30-present",
    "summoned": 9,
    "present": 7,
    "positions": [{"id": "P", "quota": 1, "candidates": ["a", "b"]}],
    "ballots": [{"P": ["a"]}, {"P": ["a"]}, {"P": ["b"]}],
}

#: final-50-summoned, 9 summoned and present, quota 2: a=6, b=5, c=5, d=2.
#: 5 needed; b and c tie on the last seat (1 open seat); d does not pass.
TIED: dict[str, Any] = {
    "rule": "final-50-summoned",
    "summoned": 9,
    "present": 9,
    "positions": [{"id": "P", "quota": 2, "candidates": ["a", "b", "c", "d"]}],
    "ballots": [{"P": ["a", "b"]}] * 3
    + [{"P": ["a", "c"]}] * 3
    + [{"P": ["b", "c"]}, {"P": ["b", "d"]}, {"P": ["c", "d"]}],
}


@dataclass(frozen=True)
class BadInput:
    id: str
    text: str
    field: str


def _doc(base: dict[str, Any], **changes: Any) -> str:
    doc = copy.deepcopy(base)
    for key, value in changes.items():
        if value is _DROP:
            doc.pop(key)
        else:
            doc[key] = value
    return json.dumps(doc)


def _position(**changes: Any) -> list[dict[str, Any]]:
    pos: dict[str, Any] = {"id": "P", "quota": 1, "candidates": ["a", "b"]}
    for key, value in changes.items():
        if value is _DROP:
            pos.pop(key)
        else:
            pos[key] = value
    return [pos]


_DROP = object()

BAD_INPUTS: list[BadInput] = [
    # the document itself
    BadInput("malformed-json", '{"rule": "nominate-30-present", ', "$"),
    BadInput("trailing-comma", _doc(PLAIN)[:-1] + ",}", "$"),
    BadInput("empty-input", "", "$"),
    BadInput("not-an-object", "[1, 2]", "$"),
    BadInput("json-null", "null", "$"),
    # the rule
    BadInput("unknown-rule", _doc(PLAIN, rule="nominate-40-present"), "rule"),
    BadInput("rule-missing", _doc(PLAIN, rule=_DROP), "rule"),
    BadInput("rule-not-string", _doc(PLAIN, rule=3), "rule"),
    # the counts
    BadInput("negative-summoned", _doc(PLAIN, summoned=-1), "summoned"),
    BadInput("negative-present", _doc(PLAIN, present=-3), "present"),
    BadInput("zero-summoned", _doc(PLAIN, summoned=0, present=0), "summoned"),
    BadInput("zero-present", _doc(PLAIN, present=0, ballots=[]), "present"),
    BadInput("summoned-missing", _doc(PLAIN, summoned=_DROP), "summoned"),
    BadInput("present-missing", _doc(PLAIN, present=_DROP), "present"),
    BadInput("summoned-float", _doc(PLAIN, summoned=9.0), "summoned"),
    BadInput("present-fraction", _doc(PLAIN, present=6.5), "present"),
    BadInput("summoned-string", _doc(PLAIN, summoned="9"), "summoned"),
    BadInput("present-true", _doc(PLAIN, present=True), "present"),
    BadInput("summoned-false", _doc(PLAIN, summoned=False), "summoned"),
    BadInput("present-null", _doc(PLAIN, present=None), "present"),
    BadInput("present-above-summoned", _doc(PLAIN, summoned=6, present=7), "present"),
    BadInput("more-ballots-than-present", _doc(PLAIN, present=2, ballots=[{}, {}, {}]), "ballots"),
    # positions
    BadInput("positions-missing", _doc(PLAIN, positions=_DROP), "positions"),
    BadInput("positions-empty", _doc(PLAIN, positions=[]), "positions"),
    BadInput("positions-object", _doc(PLAIN, positions={"P": {}}), "positions"),
    BadInput("position-not-object", _doc(PLAIN, positions=["P"]), "positions[0]"),
    BadInput("position-id-missing", _doc(PLAIN, positions=_position(id=_DROP)), "positions[0].id"),
    BadInput("position-id-blank", _doc(PLAIN, positions=_position(id="  ")), "positions[0].id"),
    BadInput("position-id-number", _doc(PLAIN, positions=_position(id=1)), "positions[0].id"),
    BadInput(
        "duplicate-position-id",
        _doc(PLAIN, positions=_position() + _position(candidates=["c"])),
        "positions[1].id",
    ),
    BadInput(
        "quota-missing-capped", _doc(PLAIN, positions=_position(quota=_DROP)), "positions[0].quota"
    ),
    BadInput("quota-zero", _doc(PLAIN, positions=_position(quota=0)), "positions[0].quota"),
    BadInput("quota-negative", _doc(PLAIN, positions=_position(quota=-1)), "positions[0].quota"),
    BadInput("quota-above-cap", _doc(PLAIN, positions=_position(quota=4)), "positions[0].quota"),
    BadInput("quota-true", _doc(PLAIN, positions=_position(quota=True)), "positions[0].quota"),
    BadInput("quota-float", _doc(PLAIN, positions=_position(quota=1.0)), "positions[0].quota"),
    BadInput("quota-string", _doc(PLAIN, positions=_position(quota="1")), "positions[0].quota"),
    BadInput(
        "candidates-missing",
        _doc(PLAIN, positions=_position(candidates=_DROP)),
        "positions[0].candidates",
    ),
    BadInput(
        "candidates-empty",
        _doc(PLAIN, positions=_position(candidates=[])),
        "positions[0].candidates",
    ),
    BadInput(
        "duplicate-candidate-id",
        _doc(PLAIN, positions=_position(candidates=["a", "b", "a"])),
        "positions[0].candidates",
    ),
    BadInput(
        "candidate-not-string",
        _doc(PLAIN, positions=_position(candidates=["a", 2])),
        "positions[0].candidates[1]",
    ),
    BadInput(
        "candidate-blank",
        _doc(PLAIN, positions=_position(candidates=["a", ""])),
        "positions[0].candidates[1]",
    ),
    # duplicate JSON keys (never "last wins")
    BadInput(
        "duplicate-key-top-level",
        _doc(PLAIN)[:-1] + ', "present": 9}',
        "present",
    ),
    BadInput(
        "duplicate-key-in-position",
        _doc(PLAIN).replace('"quota": 1', '"quota": 1, "quota": 3'),
        "quota",
    ),
    BadInput(
        "duplicate-key-in-ballot",
        _doc(PLAIN).replace('{"P": ["b"]}', '{"P": ["b"], "P": ["a"]}'),
        "P",
    ),
    # ballots
    BadInput("ballots-not-list", _doc(PLAIN, ballots={"P": ["a"]}), "ballots"),
    BadInput("ballots-null", _doc(PLAIN, ballots=None), "ballots"),
    BadInput("ballot-not-object", _doc(PLAIN, ballots=[{"P": ["a"]}, ["a"]]), "ballots[1]"),
    BadInput("ballot-choice-string", _doc(PLAIN, ballots=[{"P": "a"}]), "ballots[0].P"),
    BadInput("ballot-choice-number", _doc(PLAIN, ballots=[{}, {"P": [1]}]), "ballots[1].P"),
    # head decisions
    BadInput("head-not-object", _doc(TIED, head_decision=["b"]), "head_decision"),
    BadInput("head-on-unranked-rule", _doc(PLAIN, head_decision={"P": ["a"]}), "head_decision"),
    BadInput(
        "head-where-no-tie",
        _doc(TIED, ballots=TIED["ballots"][:-1], head_decision={"P": ["b"]}),
        "head_decision.P",
    ),
    BadInput("head-unknown-position", _doc(TIED, head_decision={"Q": ["b"]}), "head_decision.Q"),
    BadInput("head-too-few", _doc(TIED, head_decision={"P": []}), "head_decision.P"),
    BadInput("head-too-many", _doc(TIED, head_decision={"P": ["b", "c"]}), "head_decision.P"),
    BadInput(
        "head-picks-selected-above", _doc(TIED, head_decision={"P": ["a"]}), "head_decision.P"
    ),
    BadInput("head-picks-non-passing", _doc(TIED, head_decision={"P": ["d"]}), "head_decision.P"),
    BadInput("head-picks-unknown", _doc(TIED, head_decision={"P": ["zz"]}), "head_decision.P"),
    BadInput("head-names-twice", _doc(TIED, head_decision={"P": ["b", "b"]}), "head_decision.P"),
    BadInput("head-choice-string", _doc(TIED, head_decision={"P": "b"}), "head_decision.P"),
]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "bad_input" in metafunc.fixturenames:
        metafunc.parametrize("bad_input", BAD_INPUTS, ids=[case.id for case in BAD_INPUTS])


@pytest.fixture(scope="session")
def plain_doc() -> Callable[[], dict[str, Any]]:
    """A fresh copy of :data:`PLAIN` (valid nominate-30-present document)."""
    return lambda: copy.deepcopy(PLAIN)


@pytest.fixture(scope="session")
def tied_doc() -> Callable[[], dict[str, Any]]:
    """A fresh copy of :data:`TIED` (final-50-summoned with b, c tied on the last seat)."""
    return lambda: copy.deepcopy(TIED)
