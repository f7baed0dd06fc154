"""The QT.NB.03 ruleset as data: the shipped file, the rule arithmetic, refusal of bad edits.

Expected values are written out from the procedure's own sentences in integer
arithmetic (``100*agree >= 30*present`` and so on), never derived from the
code under test.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from voting.cli import main
from voting.procedure.ruleset import (
    DEFAULT_RULESET_PATH,
    Rule,
    Ruleset,
    RulesetError,
    default_ruleset,
    load_ruleset,
    parse_ruleset,
)

BASES = range(1, 41)

#: The procedure's four tests, as the text states them (procedure.md, "The four vote rules").
TEXT_TESTS: dict[str, Callable[[int, int], bool]] = {
    "nominate-30-present": lambda agree, present: 100 * agree >= 30 * present,
    "introduce-50-present": lambda agree, present: 2 * agree > present,
    "final-50-summoned": lambda agree, summoned: 2 * agree > summoned,
    "remove-50-summoned": lambda agree_to_remove, summoned: 2 * agree_to_remove > summoned,
}

RULE_BASE = {
    "nominate-30-present": "present",
    "introduce-50-present": "present",
    "final-50-summoned": "summoned",
    "remove-50-summoned": "summoned",
}


def needed_by_text(rule_id: str, base: int) -> int:
    """Smallest agree count that passes the procedure's own sentence."""
    return next(n for n in range(base + 2) if TEXT_TESTS[rule_id](n, base))


@pytest.fixture(scope="module")
def shipped() -> Ruleset:
    return load_ruleset(DEFAULT_RULESET_PATH)


def shipped_data() -> dict[str, Any]:
    return tomllib.loads(DEFAULT_RULESET_PATH.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the shipped file


def test_shipped_file_loads_with_the_four_rules(shipped: Ruleset) -> None:
    """Does the shipped file load, with exactly the procedure's four rules?"""
    assert shipped.id == "qtnb03"
    assert shipped.max_quota == 3
    assert set(shipped.rules) == set(TEXT_TESTS)
    assert shipped.path == str(DEFAULT_RULESET_PATH)


def test_default_ruleset_is_the_shipped_file(shipped: Ruleset) -> None:
    """Is ``default_ruleset()`` the shipped QT.NB.03 file, and ``load_ruleset()`` too?"""
    assert default_ruleset() == shipped
    assert load_ruleset() == shipped
    assert load_ruleset(None) == shipped


@pytest.mark.parametrize(
    ("rule_id", "base", "threshold", "comparison", "cap", "ranked", "removal"),
    [
        ("nominate-30-present", "present", Fraction(30, 100), ">=", True, False, False),
        ("introduce-50-present", "present", Fraction(1, 2), ">", True, False, False),
        ("final-50-summoned", "summoned", Fraction(1, 2), ">", True, True, False),
        ("remove-50-summoned", "summoned", Fraction(1, 2), ">", False, False, True),
    ],
)
def test_shipped_rule_fields(
    shipped: Ruleset,
    rule_id: str,
    base: str,
    threshold: Fraction,
    comparison: str,
    cap: bool,
    ranked: bool,
    removal: bool,
) -> None:
    """Does each shipped rule carry the procedure's base, threshold and comparison?"""
    rule = shipped.rule(rule_id)
    assert (rule.id, rule.base, rule.threshold, rule.comparison) == (
        rule_id,
        base,
        threshold,
        comparison,
    )
    assert isinstance(rule.threshold, Fraction)
    assert (rule.cap_at_quota, rule.blank_valid, rule.ranked, rule.removal) == (
        cap,
        True,
        ranked,
        removal,
    )
    assert set(rule.label) == set(rule.sentence) == {"vi", "en"}
    assert rule.citation.startswith("QT.NB.03")


@pytest.mark.parametrize("rule_id", sorted(TEXT_TESTS))
def test_rule_json_round_trip(shipped: Ruleset, rule_id: str) -> None:
    """Does a rule frozen with ``to_json`` come back unchanged?"""
    rule = shipped.rule(rule_id)
    doc = rule.to_json()
    assert doc["threshold"] == f"{rule.threshold.numerator}/{rule.threshold.denominator}"
    if not hasattr(Rule, "from_json"):
        pytest.skip("Rule.from_json is not part of this revision")
    assert Rule.from_json(doc) == rule


# --------------------------------------------------------------------------- steps → rules

#: procedure.md "Step by step": the same shapes at both levels.
STEP_RULES: dict[tuple[str, str], str | None] = {
    ("term", "B1"): None,
    ("term", "B2"): None,
    ("term", "B3"): "nominate-30-present",
    ("term", "B4"): "introduce-50-present",
    ("term", "B5"): "final-50-summoned",
    ("term", "B6"): None,
    ("annual-local", "B1"): "remove-50-summoned",
    ("annual-local", "B2"): "nominate-30-present",
    ("annual-local", "B3"): "introduce-50-present",
    ("annual-local", "B4"): "final-50-summoned",
    ("annual-local", "B5"): None,
    ("annual-external", "B1"): None,
    ("annual-external", "B2"): None,
    ("annual-external", "B3"): None,
    ("annual-external", "B4"): "final-50-summoned",
    ("annual-external", "B5"): None,
}
ALL_STEPS = [
    (level, flow, step, rule)
    for level in ("cuc", "phong")
    for (flow, step), rule in STEP_RULES.items()
]


@pytest.mark.parametrize(("level", "flow", "step", "rule_id"), ALL_STEPS)
def test_step_maps_to_the_procedures_rule(
    shipped: Ruleset, level: str, flow: str, step: str, rule_id: str | None
) -> None:
    """Does every step of the procedure's table vote under the right rule (or not vote)?"""
    found = shipped.step(level, flow, step)
    assert found is not None, f"{level}/{flow}/{step} missing from the ruleset"
    assert found.rule == rule_id
    assert found.key == f"{level}/{flow}/{step}"
    assert set(found.title) == {"vi", "en"}
    assert found.sitters_vi.strip()


def test_ruleset_has_exactly_the_procedures_steps(shipped: Ruleset) -> None:
    """Are there no extra steps beyond the procedure's 2 levels × 3 flows?"""
    keys = {(s.level, s.flow, s.step) for s in shipped.steps}
    assert keys == {(lv, fl, st) for lv, fl, st, _ in ALL_STEPS}
    assert set(shipped.levels) == {"cuc", "phong"}
    assert set(shipped.flows) == {"term", "annual-local", "annual-external"}


def test_vote_steps_are_the_steps_with_a_rule(shipped: Ruleset) -> None:
    """Does ``vote_steps()`` list exactly the 8 balloted steps per level?"""
    voting = {(s.level, s.flow, s.step) for s in shipped.vote_steps()}
    assert voting == {(lv, fl, st) for lv, fl, st, rule in ALL_STEPS if rule is not None}
    assert len(voting) == 16


def test_unknown_step_is_none(shipped: Ruleset) -> None:
    """Is a step the procedure does not have reported as None rather than guessed?"""
    assert shipped.step("cuc", "term", "B7") is None
    assert shipped.step("tong-cuc", "term", "B3") is None


@pytest.mark.parametrize(("level", "head"), [("cuc", "Cục trưởng"), ("phong", "Trưởng phòng")])
def test_head_of_unit_per_level(shipped: Ruleset, level: str, head: str) -> None:
    """Is the tie-breaking head of unit the one the procedure names for the level?"""
    assert shipped.levels[level]["head_vi"] == head


# --------------------------------------------------------------------------- rule arithmetic


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("rule_id", sorted(TEXT_TESTS))
def test_votes_needed_and_passes_at_the_boundary(shipped: Ruleset, rule_id: str, base: int) -> None:
    """For every base 1..40: is ``votes_needed`` the text's smallest pass, failing one below?"""
    rule = shipped.rule(rule_id)
    needed = needed_by_text(rule_id, base)
    assert rule.base == RULE_BASE[rule_id]
    assert rule.votes_needed(base) == needed
    assert rule.passes(needed, base) is True
    if needed >= 1:
        assert rule.passes(needed - 1, base) is False


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("rule_id", sorted(TEXT_TESTS))
def test_passes_matches_the_text_for_every_count(shipped: Ruleset, rule_id: str, base: int) -> None:
    """Does ``passes`` agree with the procedure's sentence for every agree count 0..base?"""
    rule = shipped.rule(rule_id)
    got = [rule.passes(agree, base) for agree in range(base + 1)]
    assert got == [TEXT_TESTS[rule_id](agree, base) for agree in range(base + 1)]


@pytest.mark.parametrize(
    ("rule_id", "base", "needed"),
    [
        ("nominate-30-present", 7, 3),  # 2/7 is 28.6%
        ("introduce-50-present", 7, 4),
        ("nominate-30-present", 10, 3),  # exactly 30% passes: "từ 30% trở lên"
        ("introduce-50-present", 10, 6),  # 5/10 is exactly 50%: not "trên 50%"
        ("final-50-summoned", 9, 5),
        ("final-50-summoned", 10, 6),
        ("remove-50-summoned", 9, 5),
        ("remove-50-summoned", 10, 6),
        ("nominate-30-present", 1, 1),
        ("introduce-50-present", 1, 1),
        ("nominate-30-present", 20, 6),
        ("nominate-30-present", 21, 7),  # 6/21 is 28.57%
    ],
)
def test_procedure_examples(shipped: Ruleset, rule_id: str, base: int, needed: int) -> None:
    """Do the hand-worked examples come out as the procedure states them?"""
    assert shipped.rule(rule_id).votes_needed(base) == needed


@pytest.mark.parametrize("base", [b for b in BASES if b % 2 == 0])
@pytest.mark.parametrize(
    "rule_id", ["introduce-50-present", "final-50-summoned", "remove-50-summoned"]
)
def test_exactly_half_never_passes(shipped: Ruleset, rule_id: str, base: int) -> None:
    """Is exactly 50% a fail for every "trên 50%" rule and even base?"""
    rule = shipped.rule(rule_id)
    assert rule.passes(base // 2, base) is False
    assert rule.passes(base // 2 + 1, base) is True


@pytest.mark.parametrize("base", [b for b in BASES if 30 * b % 100 == 0])
def test_exactly_thirty_percent_passes(shipped: Ruleset, base: int) -> None:
    """Is exactly 30% a pass ("từ 30% trở lên")?"""
    rule = shipped.rule("nominate-30-present")
    assert rule.passes(30 * base // 100, base) is True
    assert rule.passes(30 * base // 100 - 1, base) is False


@pytest.mark.parametrize(
    ("threshold", "comparison", "base", "needed"),
    [
        ("2/3", ">=", 9, 6),
        ("2/3", ">", 9, 7),
        ("2/3", ">=", 10, 7),
        ("2/3", ">", 10, 7),
        ("1/1", ">=", 5, 5),
        ("1/1", ">", 5, 6),  # can never pass: one more than the base
        ("1/3", ">=", 1, 1),
        ("1/100", ">", 100, 2),
    ],
)
def test_edited_threshold_is_data(threshold: str, comparison: str, base: int, needed: int) -> None:
    """Does an administrator's edited threshold and comparison change the arithmetic?"""
    data = shipped_data()
    data["rules"]["nominate-30-present"].update(threshold=threshold, comparison=comparison)
    rule = parse_ruleset(data).rule("nominate-30-present")
    assert rule.votes_needed(base) == needed
    assert rule.passes(needed, base) is True
    assert rule.passes(needed - 1, base) is False


# --------------------------------------------------------------------------- refusing bad edits

RULE = "nominate-30-present"


def _set(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        data["rules"][RULE][field] = value

    return mutate


def _drop(field: str) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        del data["rules"][RULE][field]

    return mutate


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        pytest.param(_set("threshold", "0.3"), "threshold", id="threshold-decimal"),
        pytest.param(_set("threshold", "30%"), "threshold", id="threshold-percent"),
        pytest.param(_set("threshold", 0.3), "threshold", id="threshold-float"),
        pytest.param(_set("threshold", "1/2/3"), "threshold", id="threshold-two-slashes"),
        pytest.param(_set("threshold", "1/0"), "threshold", id="threshold-zero-denominator"),
        pytest.param(_set("threshold", "0/2"), "threshold", id="threshold-zero"),
        pytest.param(_set("threshold", "-1/2"), "threshold", id="threshold-negative"),
        pytest.param(_set("threshold", "3/2"), "threshold", id="threshold-above-one"),
        pytest.param(_set("base", "attending"), "base", id="unknown-base"),
        pytest.param(_set("base", 7), "base", id="base-not-string"),
        pytest.param(_set("comparison", "=>"), "comparison", id="unknown-comparison"),
        pytest.param(_set("comparison", ">>"), "comparison", id="comparison-typo"),
        pytest.param(_set("comparison", "<"), "comparison", id="comparison-less"),
        pytest.param(_set("cap_at_quota", 1), "cap_at_quota", id="flag-as-int"),
        pytest.param(_set("blank_valid", "yes"), "blank_valid", id="flag-as-string"),
        pytest.param(_set("label_vi", "  "), "label_vi", id="empty-label"),
        pytest.param(_set("thresold", "1/2"), "thresold", id="unknown-field"),
        pytest.param(_drop("threshold"), "threshold", id="missing-threshold"),
        pytest.param(_drop("base"), "base", id="missing-base"),
        pytest.param(_drop("comparison"), "comparison", id="missing-comparison"),
        pytest.param(_drop("blank_valid"), "blank_valid", id="missing-blank-valid"),
        pytest.param(_drop("citation"), "citation", id="missing-citation"),
        pytest.param(_drop("sentence_en"), "sentence_en", id="missing-locale"),
        pytest.param(_set("removal", True), "ranked", id="ranked-removal"),
    ],
)
def test_bad_rule_field_names_file_rule_and_field(
    mutate: Callable[[dict[str, Any]], None], field: str
) -> None:
    """Is a bad rule field refused with the file, the rule and the field in the message?"""
    data = shipped_data()
    if field == "ranked":  # a ranked rule cannot also be a removal rule
        data["rules"][RULE] = copy.deepcopy(data["rules"]["final-50-summoned"])
    mutate(data)
    with pytest.raises(RulesetError) as info:
        parse_ruleset(data, "edited.toml")
    message = str(info.value)
    assert "edited.toml" in message
    assert f"rule '{RULE}'" in message
    assert f"field '{field}'" in message
    assert (info.value.path, info.value.where, info.value.field) == (
        "edited.toml",
        f"rule '{RULE}'",
        field,
    )


@pytest.mark.parametrize(
    ("mutate", "where", "field"),
    [
        pytest.param(
            lambda d: d["steps"][2].update(rule="nominate-40-present"),
            "steps[2]",
            "rule",
            id="unknown-step-rule",
        ),
        pytest.param(
            lambda d: d["steps"][2].update(level="tong-cuc"),
            "steps[2]",
            "level",
            id="unknown-level",
        ),
        pytest.param(
            lambda d: d["steps"][2].update(flow="biennial"),
            "steps[2]",
            "flow",
            id="unknown-flow",
        ),
        pytest.param(
            lambda d: d["steps"].append(copy.deepcopy(d["steps"][2])),
            "steps[32]",
            "step",
            id="step-twice",
        ),
        pytest.param(lambda d: d["steps"][2].pop("step"), "steps[2]", "step", id="missing-step"),
        pytest.param(
            lambda d: d["ruleset"].update(max_quota=0),
            "[ruleset]",
            "max_quota",
            id="max-quota-zero",
        ),
        pytest.param(
            lambda d: d["ruleset"].update(max_quota=True),
            "[ruleset]",
            "max_quota",
            id="max-quota-bool",
        ),
        pytest.param(
            lambda d: d["ruleset"].pop("max_quota"),
            "[ruleset]",
            "max_quota",
            id="max-quota-missing",
        ),
        pytest.param(lambda d: d.pop("ruleset"), "[ruleset]", "*", id="no-ruleset-table"),
        pytest.param(lambda d: d.update(rules={}), "[rules]", "rules", id="no-rules"),
        pytest.param(
            lambda d: d["levels"]["cuc"].pop("head_vi"),
            "level 'cuc'",
            "head_vi",
            id="level-missing-head",
        ),
        # The planning-process fields of a step (steps[2] is cuc/term/B3, a vote).
        pytest.param(
            lambda d: d["steps"][2].update(kind="ballot"),
            "steps[2]",
            "kind",
            id="unknown-step-kind",
        ),
        pytest.param(
            lambda d: d["steps"][2].update(kind="decision"),
            "steps[2]",
            "kind",
            id="rule-on-a-decision-step",
        ),
        pytest.param(
            lambda d: d["steps"][0].update(kind="vote"),
            "steps[0]",
            "kind",
            id="vote-step-without-rule",
        ),
        pytest.param(
            lambda d: d["steps"][2].update(sitters=["cuc-leader", "tong-cuc"]),
            "steps[2]",
            "sitters",
            id="unknown-sitter-role",
        ),
        pytest.param(
            lambda d: d["steps"][6].update(discovery=True),
            "steps[6]",
            "discovery",
            id="write-ins-on-a-removal-vote",
        ),
        pytest.param(
            lambda d: d["steps"][2].update(discovery="yes"),
            "steps[2]",
            "discovery",
            id="discovery-not-bool",
        ),
        pytest.param(
            lambda d: d["levels"]["phong"].update(scope="room"),
            "level 'phong'",
            "scope",
            id="unknown-scope",
        ),
        pytest.param(
            lambda d: d["levels"]["cuc"].update(pool_roles=["nobody"]),
            "level 'cuc'",
            "pool_roles",
            id="unknown-pool-role",
        ),
    ],
)
def test_bad_ruleset_outside_rules_names_where_and_field(
    mutate: Callable[[dict[str, Any]], None], where: str, field: str
) -> None:
    """Are step, level and head-table errors refused naming the file, the entry and the field?"""
    data = shipped_data()
    mutate(data)
    with pytest.raises(RulesetError) as info:
        parse_ruleset(data, "edited.toml")
    assert str(info.value).startswith(f"edited.toml: {where}: field '{field}':")


def test_unknown_step_rule_message_names_the_rule() -> None:
    """Does an unknown rule in a step say which rule id it could not find?"""
    data = shipped_data()
    data["steps"][2]["rule"] = "nominate-40-present"
    with pytest.raises(RulesetError, match="unknown rule 'nominate-40-present'"):
        parse_ruleset(data, "edited.toml")


def test_invalid_toml_file_names_the_file(tmp_path: Path) -> None:
    """Is a file that is not TOML refused with its path?"""
    bad = tmp_path / "bad.toml"
    bad.write_text('[rules.nominate-30-present]\nthreshold = "30/100\n', encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset(bad)
    assert str(info.value).startswith(f"{bad}: file: field '*': is not valid TOML")


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    """Is a ruleset path that does not exist refused with its path?"""
    missing = tmp_path / "nope.toml"
    with pytest.raises(RulesetError, match="cannot be read") as info:
        load_ruleset(missing)
    assert info.value.path == str(missing)


def test_edited_file_on_disk_names_file_rule_and_field(tmp_path: Path) -> None:
    """Does a bad edit to a copy of the shipped file name that copy, the rule and the field?"""
    text = DEFAULT_RULESET_PATH.read_text(encoding="utf-8")
    edited = tmp_path / "qtnb03-edited.toml"
    edited.write_text(text.replace('threshold = "30/100"', 'threshold = "0.3"'), encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset(edited)
    assert str(info.value).startswith(f"{edited}: rule 'nominate-30-present': field 'threshold':")


def test_good_copy_on_disk_loads(tmp_path: Path) -> None:
    """Does an unedited copy of the shipped file load with the same rules?"""
    copy_path = tmp_path / "copy.toml"
    copy_path.write_text(DEFAULT_RULESET_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    loaded = load_ruleset(copy_path)
    assert loaded.rules == load_ruleset().rules
    assert loaded.path == str(copy_path)


def test_cli_refuses_a_bad_ruleset_file(tmp_path: Path) -> None:
    """Does ``voting decide --ruleset bad.toml`` exit 2 with one line naming the file and field?"""
    bad = tmp_path / "bad.toml"
    text = DEFAULT_RULESET_PATH.read_text(encoding="utf-8")
    bad.write_text(text.replace('comparison = ">="', 'comparison = "=>"'), encoding="utf-8")
    doc = (
        '{"rule": "nominate-30-present", "summoned": 1, "present": 1,'
        ' "positions": [{"id": "P", "quota": 1, "candidates": ["a"]}]}'
    )
    result = CliRunner(env={"VOTING_RULESET": None}).invoke(
        main, ["decide", "--ruleset", str(bad)], input=doc
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert str(bad) in lines[0]
    assert "rule 'nominate-30-present'" in lines[0]
    assert "field 'comparison'" in lines[0]


def test_cli_refuses_a_bad_ruleset_from_the_environment(tmp_path: Path) -> None:
    """Is ``VOTING_RULESET`` pointing at an invalid TOML file refused the same way?"""
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml", encoding="utf-8")
    result = CliRunner(env={"VOTING_RULESET": str(bad)}).invoke(main, ["decide"], input="{}")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert str(bad) in result.stderr


# --------------------------------------------------------------------------- known gaps


def test_non_utf8_ruleset_file_is_a_ruleset_error(tmp_path: Path) -> None:
    """Is a ruleset file saved in a legacy Vietnamese code page refused as a RulesetError?"""
    text = DEFAULT_RULESET_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "cp1258.toml"
    bad.write_bytes(text.replace("Lãnh đạo Cục", "L\xe3nh").encode("latin-1", "replace"))
    with pytest.raises(RulesetError) as info:
        load_ruleset(bad)
    assert info.value.path == str(bad)


@pytest.mark.parametrize("table", ["levels", "flows"])
def test_levels_or_flows_not_a_table_is_a_ruleset_error(table: str) -> None:
    """Is ``levels = [...]`` (an array instead of tables) refused as a RulesetError?"""
    data = shipped_data()
    data[table] = ["cuc", "phong"]
    with pytest.raises(RulesetError, match=table):
        parse_ruleset(data, "edited.toml")


def test_misspelled_step_rule_key_is_refused() -> None:
    """Is a step whose ``rule`` key is misspelled refused instead of silently losing its vote?"""
    data = shipped_data()
    step = data["steps"][2]  # cuc/term/B3, nominate-30-present
    step["rules"] = step.pop("rule")
    with pytest.raises(RulesetError, match="rules"):
        parse_ruleset(data, "edited.toml")


def test_every_flow_is_a_chain_the_process_can_run(shipped: Ruleset) -> None:
    """Does each of the six flows start with a list, end with the approval, and seat its votes?"""
    for level in ("cuc", "phong"):
        for flow in ("term", "annual-local", "annual-external"):
            steps = shipped.flow_steps(level, flow)
            assert [s.step for s in steps] == [f"B{i}" for i in range(1, len(steps) + 1)]
            assert steps[-1].kind == "decision"
            assert steps[0].kind == "source-list" or steps[0].records_list
            for s in steps:
                assert (s.kind == "vote") == (s.rule is not None)
                if s.kind == "vote":
                    assert s.sitters, s.key  # a conference needs someone to summon
            discovery = [s.step for s in steps if s.discovery]
            assert discovery == {"term": ["B3"], "annual-local": ["B2"]}.get(flow, [])
    assert shipped.levels["phong"]["scope"] == "department"
    assert "staff" in shipped.roles and len(shipped.dossier_items_vi) >= 3
