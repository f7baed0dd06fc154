"""``voting decide [FILE]``: decision JSON on stdout and exit 0; bad input exits 2.

The procedure's worked examples go through the installed console script in a
subprocess; the error table goes through click's runner (same command, faster).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from voting.procedure.ruleset import DEFAULT_RULESET_PATH

RunDecide = Callable[..., Any]
DocFactory = Callable[[], dict[str, Any]]


def candidates(out: dict[str, Any], position: int = 0) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in out["positions"][position]["candidates"]}


def assert_refused(result: Any, field: str) -> None:
    """Exit 2, nothing on stdout, exactly one stderr line naming ``field``."""
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert len(result.stderr_lines) == 1, result.stderr
    assert result.stderr_lines[0].startswith(f"error: {field}: "), result.stderr


# ------------------------------------------------------------------- the procedure's examples

EXAMPLES = [
    pytest.param(
        "run_voting_exe",
        "nominate-30-present",
        9,
        7,
        {"two": 2, "three": 3},
        3,
        {"two": ("28.57", False), "three": ("42.86", True)},
        id="7-present-nominate-30-needs-3",
    ),
    pytest.param(
        "run_voting_exe",
        "introduce-50-present",
        12,
        10,
        {"five": 5, "six": 6},
        6,
        {"five": ("50.00", False), "six": ("60.00", True)},
        id="10-present-introduce-50-needs-6",
    ),
    pytest.param(
        "run_voting_exe",
        "final-50-summoned",
        9,
        7,
        {"four": 4, "five": 5},
        5,
        {"four": ("44.44", False), "five": ("55.56", True)},
        id="9-summoned-7-present-final-50-needs-5",
    ),
    pytest.param(
        "run_decide",
        "final-50-summoned",
        9,
        5,
        {"four": 4, "five": 5},
        5,
        {"four": ("44.44", False), "five": ("55.56", True)},
        id="9-summoned-5-present-final-50-still-needs-5",
    ),
    pytest.param(
        "run_decide",
        "final-50-summoned",
        9,
        9,
        {"four": 4, "five": 5},
        5,
        {"four": ("44.44", False), "five": ("55.56", True)},
        id="9-summoned-9-present-final-50-still-needs-5",
    ),
]


@pytest.mark.parametrize(
    ("runner", "rule", "summoned", "present", "counts", "needed", "expected"), EXAMPLES
)
def test_procedure_examples(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    runner: str,
    rule: str,
    summoned: int,
    present: int,
    counts: dict[str, int],
    needed: int,
    expected: dict[str, tuple[str, bool]],
) -> None:
    """Does ``voting decide FILE`` reproduce the procedure's worked examples?

    The three examples procedure.md states run the installed console script;
    the extra "however many came" variants run in-process.
    """
    # Two names per ballot are allowed (quota 2) so both candidates fit on `present` ballots.
    ballots = [{"P": [c for c in counts if i < counts[c]]} for i in range(max(counts.values()))]
    doc = {
        "rule": rule,
        "summoned": summoned,
        "present": present,
        "positions": [{"id": "P", "quota": 2, "candidates": list(counts)}],
        "ballots": ballots,
    }
    file = tmp_path / "vote.json"
    file.write_text(json.dumps(doc), encoding="utf-8")
    if runner == "run_voting_exe":
        result = request.getfixturevalue(runner)("decide", str(file))
    else:
        result = request.getfixturevalue(runner)("", str(file))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    out = result.json()
    assert out["votes_needed"] == needed
    assert out["base_count"] == (present if rule.endswith("-present") else summoned)
    got = {cid: (c["percent"], c["passes"]) for cid, c in candidates(out).items()}
    assert got == expected
    assert {cid: c["agree"] for cid, c in candidates(out).items()} == counts


def test_stdin_and_file_give_the_same_decision(
    run_decide: RunDecide, tmp_path: Path, tied_doc: DocFactory
) -> None:
    """Is ``voting decide < FILE`` the same as ``voting decide FILE``?"""
    text = json.dumps(tied_doc())
    file = tmp_path / "vote.json"
    file.write_text(text, encoding="utf-8")
    from_file = run_decide("", str(file))
    from_stdin = run_decide(text)
    assert from_file.exit_code == from_stdin.exit_code == 0
    assert from_file.json() == from_stdin.json()


def test_vietnamese_names_come_out_unescaped(run_voting_exe: RunDecide) -> None:
    """Are Vietnamese names printed as UTF-8 text rather than \\u escapes?"""
    doc = {
        "rule": "introduce-50-present",
        "summoned": 3,
        "present": 3,
        "positions": [{"id": "Trưởng phòng", "quota": 1, "candidates": ["Lê Thị Hằng"]}],
        "ballots": [{"Trưởng phòng": ["Lê Thị Hằng"]}] * 2,
    }
    result = run_voting_exe("decide", stdin=json.dumps(doc).encode())
    assert result.exit_code == 0
    assert "Lê Thị Hằng" in result.stdout
    assert result.json()["positions"][0]["candidates"][0]["passes"] is True


# --------------------------------------------------------------------------- head of unit


def test_exit_0_when_a_head_decision_is_still_needed(
    run_decide: RunDecide, tied_doc: DocFactory
) -> None:
    """Is a pending tie a normal result (exit 0, JSON out), not an error?"""
    result = run_decide(tied_doc())
    assert result.exit_code == 0
    assert result.stderr == ""
    out = result.json()
    assert out["needs_head_decision"] is True
    position = out["positions"][0]
    assert (position["tied"], position["open_seats"], position["head_decision"]) == (
        ["b", "c"],
        1,
        None,
    )
    assert {cid for cid, c in candidates(out).items() if c["selected"]} == {"a"}


@pytest.mark.parametrize("choice", ["b", "c"])
def test_head_decision_resolves_the_tie(
    run_decide: RunDecide, tied_doc: DocFactory, choice: str
) -> None:
    """With a valid head decision, is the chosen one selected and the choice recorded?"""
    doc = tied_doc()
    doc["head_decision"] = {"P": [choice]}
    result = run_decide(doc)
    assert result.exit_code == 0
    out = result.json()
    assert out["needs_head_decision"] is False
    assert out["positions"][0]["head_decision"] == [choice]
    assert {cid for cid, c in candidates(out).items() if c["selected"]} == {"a", choice}


def test_ranked_output_order_and_counts(run_decide: RunDecide, tied_doc: DocFactory) -> None:
    """Are candidates printed by agree descending, ties in ballot order, with valid counts?"""
    out = run_decide(tied_doc()).json()
    rows = [
        (c["id"], c["agree"], c["disagree"], c["passes"]) for c in out["positions"][0]["candidates"]
    ]
    assert rows == [("a", 6, 3, True), ("b", 5, 4, True), ("c", 5, 4, True), ("d", 2, 7, False)]
    assert out["ballots"] == {"received": 9, "valid": 9, "invalid": 0}
    assert (out["base"], out["base_count"], out["votes_needed"]) == ("summoned", 9, 5)


# --------------------------------------------------------------------------- refused input


def test_bad_input_exits_2_naming_the_field(run_decide: RunDecide, bad_input: Any) -> None:
    """Every bad document: exit 2, one stderr line naming the field, nothing on stdout?"""
    assert_refused(run_decide(bad_input.text), bad_input.field)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        pytest.param('{"rule": ', "$", id="malformed-json"),
        pytest.param('{"rule": "nope", "summoned": 1, "present": 1}', "rule", id="unknown-rule"),
    ],
)
def test_console_script_refuses_bad_input(run_voting_exe: RunDecide, text: str, field: str) -> None:
    """Does the installed console script itself keep the exit-2, one-line contract?"""
    assert_refused(run_voting_exe("decide", stdin=text.encode()), field)


def test_ballot_problems_are_not_refused(run_decide: RunDecide, plain_doc: DocFactory) -> None:
    """Are spoiled ballots counted invalid (exit 0), not refused as bad input?"""
    doc = plain_doc()
    doc["ballots"] = [{"P": ["a", "b"]}, {"P": ["zz"]}, {"ghost": ["a"]}, {"P": ["a", "a"]}, {}]
    result = run_decide(doc)
    assert result.exit_code == 0
    assert result.json()["ballots"] == {"received": 5, "valid": 1, "invalid": 4}


# --------------------------------------------------------------------------- the ruleset option


def test_custom_ruleset_changes_the_decision(
    run_decide: RunDecide, tmp_path: Path, plain_doc: DocFactory
) -> None:
    """With ``--ruleset`` at an edited copy (blanks invalid, 2/3), does the output follow?"""
    text = DEFAULT_RULESET_PATH.read_text(encoding="utf-8")
    edited = text.replace('threshold = "30/100"', 'threshold = "2/3"').replace(
        "blank_valid = true", "blank_valid = false"
    )
    path = tmp_path / "edited.toml"
    path.write_text(edited, encoding="utf-8")
    doc = plain_doc()
    doc["ballots"] = [{"P": ["a"]}] * 5 + [{"P": []}, {}]
    shipped = run_decide(doc).json()
    custom = run_decide(doc, "--ruleset", str(path)).json()
    assert (shipped["threshold"], shipped["votes_needed"], shipped["ballots"]["valid"]) == (
        "3/10",
        3,
        7,
    )
    assert (custom["threshold"], custom["votes_needed"], custom["ballots"]["valid"]) == (
        "2/3",
        5,
        5,
    )
    assert candidates(custom)["a"]["passes"] is True
    assert candidates(custom)["a"]["disagree"] == 0


def test_missing_ruleset_file_exits_2(run_decide: RunDecide, tmp_path: Path) -> None:
    """Is a ``--ruleset`` path that does not exist refused with one line naming it?"""
    missing = tmp_path / "nope.toml"
    result = run_decide("{}", "--ruleset", str(missing))
    assert_refused(result, str(missing))


def test_bad_ruleset_via_console_script_exits_2(run_voting_exe: RunDecide, tmp_path: Path) -> None:
    """Does the console script refuse a bad ``--ruleset`` naming the file, rule and field?"""
    text = DEFAULT_RULESET_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('base = "summoned"', 'base = "invited"', 1), encoding="utf-8")
    result = run_voting_exe("decide", "--ruleset", str(bad), stdin=b"{}")
    assert_refused(result, str(bad))
    assert "rule 'final-50-summoned': field 'base'" in result.stderr


# --------------------------------------------------------------------------- known gaps


def test_non_utf8_file_exits_2(run_voting_exe: RunDecide, tmp_path: Path) -> None:
    """Is a decision file in a legacy Vietnamese code page refused cleanly?"""
    file = tmp_path / "cp1258.json"
    file.write_bytes(
        b'{"rule": "nominate-30-present", "summoned": 9, "present": 7,'
        b' "positions": [{"id": "Ph\xf3 C\xfcc tr\xfd\xf4\xf9ng", "quota": 1,'
        b' "candidates": ["a"]}]}'
    )
    result = run_voting_exe("decide", str(file))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr_lines) == 1


def test_deeply_nested_json_exits_2(run_voting_exe: RunDecide) -> None:
    """Is a pathologically nested document refused cleanly rather than crashing?"""
    depth = 100_000
    result = run_voting_exe("decide", stdin=("[" * depth + "]" * depth).encode())
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr_lines) == 1


def test_lone_surrogate_in_an_id(run_voting_exe: RunDecide) -> None:
    """Is an id that cannot be encoded as UTF-8 refused (exit 2) instead of crashing the output?"""
    text = (
        '{"rule": "nominate-30-present", "summoned": 9, "present": 7,'
        ' "positions": [{"id": "P", "quota": 1, "candidates": ["\\ud800"]}]}'
    )
    result = run_voting_exe("decide", stdin=text.encode())
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr_lines) == 1


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            '{"rule": "nominate-30-present", "summoned": 9, "present": 7,'
            ' "positions": [{"id": "P", "quota": 1, "candidates": ["a"]}],'
            ' "ballots": [{"x\\ny": "a"}]}',
            id="ballot-key",
        ),
        pytest.param('{"rule": "x", "a\\nb": 1, "a\\nb": 2}', id="duplicate-key"),
    ],
)
def test_error_stays_on_one_line_whatever_the_key(run_decide: RunDecide, text: str) -> None:
    """Is the error one line even when the offending key contains a newline?"""
    result = run_decide(text)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr_lines) == 1
