"""The ruleset: QT.NB.03's vote rules and steps as data.

A ruleset is a TOML file. The package ships QT.NB.03's values
(``qtnb03.toml``); an administrator copies and edits it when the legal frame
moves and points ``VOTING_RULESET`` at the copy. Loading validates every field
and raises :class:`RulesetError` naming the file, the rule (or step) and the
field, so a bad edit is refused at start-up rather than mid-conference.

No Flask import here: the decision engine and the ``voting decide`` verifier
use this module on their own.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, Literal

Base = Literal["present", "summoned"]
Comparison = Literal[">=", ">"]
#: What a step of a planning process does (see the comment above [[steps]]).
STEP_KINDS = ("source-list", "approve-list", "consult", "vote", "decision")
SCOPES = ("unit", "department")
#: The role every serving person of the scope holds.
EVERYONE = "staff"

DEFAULT_RULESET_PATH = Path(__file__).with_name("qtnb03.toml")
LOCALES = ("vi", "en")


class RulesetError(ValueError):
    """A ruleset file that cannot be used, with where the problem is."""

    def __init__(self, path: Path | str, where: str, field: str, message: str) -> None:
        self.path = str(path)
        self.where = where
        self.field = field
        super().__init__(f"{self.path}: {where}: field '{field}': {message}")


@dataclass(frozen=True)
class Rule:
    """One vote rule: who passes, against which base, with which ballot validity."""

    id: str
    label: dict[str, str]
    sentence: dict[str, str]
    #: "present" (people present, frozen when the ballot opens) or "summoned".
    base: Base
    #: Exact fraction of the base; never a float.
    threshold: Fraction
    comparison: Comparison
    #: A ballot agreeing with more people than a position's quota is invalid.
    cap_at_quota: bool
    #: A ballot agreeing with nobody is valid (and agrees with no one).
    blank_valid: bool
    #: Rank by agree, select down to the quota, head of unit breaks a tie.
    ranked: bool
    #: Passing means "proposed for removal from the planning list".
    removal: bool
    citation: str

    def passes(self, agree: int, base_count: int) -> bool:
        """The rule's exact integer test: ``agree / base (comparison) threshold``."""
        lhs = agree * self.threshold.denominator
        rhs = self.threshold.numerator * base_count
        return lhs >= rhs if self.comparison == ">=" else lhs > rhs

    def votes_needed(self, base_count: int) -> int:
        """The smallest agree count that passes for this base."""
        num, den = self.threshold.numerator, self.threshold.denominator
        # ceil(num*base/den), plus one more when equality does not pass.
        needed = -(-num * base_count // den)
        if self.comparison == ">" and needed * den == num * base_count:
            needed += 1
        return needed

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Rule:
        """Rebuild a rule frozen by :meth:`to_json` (e.g. in a conference)."""
        num, den = doc["threshold"].split("/")
        return cls(
            id=doc["id"],
            label=dict(doc["label"]),
            sentence=dict(doc["sentence"]),
            base=doc["base"],
            threshold=Fraction(int(num), int(den)),
            comparison=doc["comparison"],
            cap_at_quota=doc["cap_at_quota"],
            blank_valid=doc["blank_valid"],
            ranked=doc["ranked"],
            removal=doc["removal"],
            citation=doc["citation"],
        )

    def to_json(self) -> dict[str, Any]:
        # The fields in order; the threshold as the exact "p/q" that from_json reads.
        doc = dataclasses.asdict(self)
        doc["threshold"] = f"{self.threshold.numerator}/{self.threshold.denominator}"
        return doc


@dataclass(frozen=True)
class Step:
    """One step of one flow at one level; ``rule`` is None when nobody votes."""

    level: str
    flow: str
    step: str
    rule: str | None
    title: dict[str, str]
    sitters_vi: str
    kind: str = "vote"
    #: Role tags whose holders are summoned to this step's conference.
    sitters: tuple[str, ...] = ()
    #: Voters may introduce someone from the unit who is not on the list.
    discovery: bool = False
    #: The vote step also approves the supplement list that the next step uses.
    records_list: bool = False
    #: The step's output (Biểu mẫu/Kết quả in the source).
    output_vi: str = ""

    @property
    def key(self) -> str:
        return f"{self.level}/{self.flow}/{self.step}"

    @property
    def is_vote(self) -> bool:
        return self.rule is not None


@dataclass(frozen=True)
class Ruleset:
    id: str
    version: str
    name: dict[str, str]
    max_quota: int
    citations: tuple[str, ...]
    rules: dict[str, Rule]
    levels: dict[str, dict[str, Any]]
    flows: dict[str, dict[str, str]]
    steps: tuple[Step, ...]
    path: str
    #: Role tag -> localized label.
    roles: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    #: The consultation step's dossier checklist.
    dossier_items_vi: tuple[str, ...] = ()
    #: Nghị định 135: {"from_year": int, "male"/"female": {before,start,step,final}_months}.
    retirement: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: min_months_left, aim_months_left, discipline_forms.
    eligibility: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: max_positions_per_person, young_under_age, young_share, women_share (Fractions).
    structure: dict[str, Any] = dataclasses.field(default_factory=dict)

    def rule(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def flow_steps(self, level: str, flow: str) -> list[Step]:
        """The steps of one flow, in procedure order."""
        return [s for s in self.steps if s.level == level and s.flow == flow]

    def step(self, level: str, flow: str, step: str) -> Step | None:
        for s in self.steps:
            if (s.level, s.flow, s.step) == (level, flow, step):
                return s
        return None

    def vote_steps(self) -> list[Step]:
        return [s for s in self.steps if s.rule is not None]


class _Reader:
    """Typed field access that reports the file, the entry and the field."""

    def __init__(self, path: Path | str, where: str, table: Any) -> None:
        self.path, self.where = path, where
        if not isinstance(table, dict):
            raise RulesetError(path, where, "*", "must be a table")
        self.table: dict[str, Any] = table

    def fail(self, field: str, message: str) -> RulesetError:
        return RulesetError(self.path, self.where, field, message)

    def get(self, field: str, kind: type, *, required: bool = True) -> Any:
        if field not in self.table:
            if required:
                raise self.fail(field, "is missing")
            return None
        value = self.table[field]
        # bool is an int in Python; a count written as `true` is a mistake.
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            raise self.fail(field, f"must be {kind.__name__}, got {type(value).__name__}")
        if isinstance(value, str) and not value.strip():
            raise self.fail(field, "must not be empty")
        return value

    def refuse_unknown(self, known: set[str]) -> None:
        """A misspelt field must not silently change the procedure."""
        for field in self.table:
            if field not in known:
                raise self.fail(field, "is not a known field here")

    def localized(self, stem: str) -> dict[str, str]:
        return {loc: self.get(f"{stem}_{loc}", str) for loc in LOCALES}


def _parse_threshold(r: _Reader) -> Fraction:
    raw = r.get("threshold", str)
    try:
        num_s, den_s = raw.split("/")
        num, den = int(num_s), int(den_s)
    except ValueError:
        raise r.fail("threshold", f"must be an exact fraction 'p/q', got {raw!r}") from None
    if den <= 0 or num <= 0 or num > den:
        raise r.fail("threshold", f"must lie in (0, 1], got {raw!r}")
    return Fraction(num, den)


def _parse_rule(path: Path | str, rule_id: str, table: Any) -> Rule:
    r = _Reader(path, f"rule '{rule_id}'", table)
    base = r.get("base", str)
    if base not in ("present", "summoned"):
        raise r.fail("base", f"must be 'present' or 'summoned', got {base!r}")
    comparison = r.get("comparison", str)
    if comparison not in (">=", ">"):
        raise r.fail("comparison", f"must be '>=' or '>', got {comparison!r}")
    rule = Rule(
        id=rule_id,
        label=r.localized("label"),
        sentence=r.localized("sentence"),
        base=base,
        threshold=_parse_threshold(r),
        comparison=comparison,
        cap_at_quota=r.get("cap_at_quota", bool),
        blank_valid=r.get("blank_valid", bool),
        ranked=r.get("ranked", bool),
        removal=r.get("removal", bool),
        citation=r.get("citation", str),
    )
    if rule.ranked and rule.removal:
        raise r.fail("ranked", "a removal rule cannot rank down to a quota")
    known = {
        "label_vi",
        "label_en",
        "sentence_vi",
        "sentence_en",
        "base",
        "threshold",
        "comparison",
        "cap_at_quota",
        "blank_valid",
        "ranked",
        "removal",
        "citation",
    }
    for field in table:
        if field not in known:
            raise r.fail(field, "is not a known rule field")
    return rule


def _positive(r: _Reader, field: str, default: int) -> int:
    value = r.get(field, int, required=False)
    if value is None:
        return default
    if value < 1:
        raise r.fail(field, "must be at least 1")
    return int(value)


def _share(r: _Reader, field: str, default: str) -> Fraction:
    raw = r.get(field, str, required=False) or default
    try:
        num, den = (int(x) for x in raw.split("/"))
    except ValueError:
        raise r.fail(field, f"must be an exact fraction 'p/q', got {raw!r}") from None
    if den <= 0 or not 0 <= num <= den:
        raise r.fail(field, f"must lie in [0, 1], got {raw!r}")
    return Fraction(num, den)


def _parse_retirement(path: Path | str, table: Any) -> dict[str, Any]:
    r = _Reader(path, "[retirement]", table)
    out: dict[str, Any] = {"from_year": r.get("from_year", int, required=False) or 2021}
    defaults = {
        "male": {"before_months": 720, "start_months": 723, "step_months": 3, "final_months": 744},
        "female": {
            "before_months": 660,
            "start_months": 664,
            "step_months": 4,
            "final_months": 720,
        },
    }
    for sex, default in defaults.items():
        sub = _Reader(path, f"[retirement.{sex}]", r.table.get(sex, default))
        sub.refuse_unknown(set(default))
        values = {k: sub.get(k, int) for k in default}
        if not values["start_months"] <= values["final_months"] or values["step_months"] < 0:
            raise sub.fail("final_months", "must not be below start_months")
        out[sex] = values
    return out


def _table(path: Path | str, data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name) or {}
    if not isinstance(value, dict):
        raise RulesetError(path, f"[{name}]", name, "must be a table")
    return value


def parse_ruleset(data: dict[str, Any], path: Path | str = "<memory>") -> Ruleset:
    """Validate a decoded ruleset document and build a :class:`Ruleset`."""
    head = _Reader(path, "[ruleset]", data.get("ruleset"))
    max_quota = head.get("max_quota", int)
    if max_quota < 1:
        raise head.fail("max_quota", "must be at least 1")
    citations = head.get("citations", list, required=False) or []

    rules_table = data.get("rules")
    if not isinstance(rules_table, dict) or not rules_table:
        raise RulesetError(path, "[rules]", "rules", "at least one rule is required")
    rules = {rid: _parse_rule(path, rid, t) for rid, t in rules_table.items()}

    roles = {
        role_id: _Reader(path, f"role '{role_id}'", t).localized("label")
        for role_id, t in _table(path, data, "roles").items()
    }
    levels = {
        level_id: _parse_level(_Reader(path, f"level '{level_id}'", t), roles)
        for level_id, t in _table(path, data, "levels").items()
    }
    flows = {
        flow_id: _Reader(path, f"flow '{flow_id}'", t).localized("label")
        for flow_id, t in _table(path, data, "flows").items()
    }
    steps = _parse_steps(path, data.get("steps") or [], rules, levels, flows, roles)
    retirement = _parse_retirement(path, data.get("retirement") or {})
    eligibility = _parse_eligibility(_Reader(path, "[eligibility]", data.get("eligibility") or {}))
    structure = _parse_structure(_Reader(path, "[structure]", data.get("structure") or {}))
    consultation = _Reader(path, "[consultation]", data.get("consultation") or {})
    dossier_items = consultation.get("dossier_items_vi", list, required=False) or []

    return Ruleset(
        id=head.get("id", str),
        version=head.get("version", str),
        name=head.localized("name"),
        max_quota=max_quota,
        citations=tuple(str(c) for c in citations),
        rules=rules,
        levels=levels,
        flows=flows,
        steps=tuple(steps),
        path=str(path),
        roles=roles,
        dossier_items_vi=tuple(str(i) for i in dossier_items),
        retirement=retirement,
        eligibility=eligibility,
        structure=structure,
    )


def _known_roles(
    r: _Reader, field: str, roles: dict[str, dict[str, str]], required: bool = False
) -> tuple[str, ...]:
    tags = r.get(field, list, required=required) or []
    for tag in tags:
        if tag not in roles:
            raise r.fail(field, f"unknown role {tag!r}")
    return tuple(tags)


def _parse_level(lr: _Reader, roles: dict[str, dict[str, str]]) -> dict[str, Any]:
    scope = lr.get("scope", str, required=False) or "unit"
    if scope not in SCOPES:
        raise lr.fail("scope", f"must be one of {', '.join(SCOPES)}, got {scope!r}")
    return {
        "label": lr.localized("label"),
        "head_vi": lr.get("head_vi", str),
        "positions_vi": lr.get("positions_vi", list),
        "scope": scope,
        "pool_roles": _known_roles(lr, "pool_roles", roles),
    }


STEP_FIELDS = {
    "level",
    "flow",
    "step",
    "rule",
    "title_vi",
    "title_en",
    "sitters_vi",
    "kind",
    "sitters",
    "discovery",
    "records_list",
    "output_vi",
}


def _parse_steps(
    path: Path | str,
    tables: Any,
    rules: dict[str, Rule],
    levels: dict[str, dict[str, Any]],
    flows: dict[str, dict[str, str]],
    roles: dict[str, dict[str, str]],
) -> list[Step]:
    steps: list[Step] = []
    seen: set[tuple[str, str, str]] = set()
    for i, t in enumerate(tables):
        sr = _Reader(path, f"steps[{i}]", t)
        level, flow, name = sr.get("level", str), sr.get("flow", str), sr.get("step", str)
        if level not in levels:
            raise sr.fail("level", f"unknown level {level!r}")
        if flow not in flows:
            raise sr.fail("flow", f"unknown flow {flow!r}")
        if (level, flow, name) in seen:
            raise sr.fail("step", f"{level}/{flow}/{name} is listed twice")
        seen.add((level, flow, name))
        sr.refuse_unknown(STEP_FIELDS)
        steps.append(_parse_step(sr, (level, flow, name), rules, roles))
    return steps


def _parse_step(
    sr: _Reader,
    where: tuple[str, str, str],
    rules: dict[str, Rule],
    roles: dict[str, dict[str, str]],
) -> Step:
    """One step whose level, flow and name are known good; the rest checked here."""
    rule_id = sr.get("rule", str, required=False)
    if rule_id is not None and rule_id not in rules:
        raise sr.fail("rule", f"unknown rule {rule_id!r}")
    kind = sr.get("kind", str, required=False) or ("vote" if rule_id else "decision")
    if kind not in STEP_KINDS:
        raise sr.fail("kind", f"must be one of {', '.join(STEP_KINDS)}, got {kind!r}")
    if (kind == "vote") != (rule_id is not None):
        raise sr.fail("kind", "a vote step needs a rule, and only a vote step has one")
    discovery = bool(sr.get("discovery", bool, required=False))
    if discovery and (rule_id is None or rules[rule_id].removal):
        raise sr.fail("discovery", "only a vote that introduces people can take write-ins")
    level, flow, name = where
    return Step(
        level,
        flow,
        name,
        rule_id,
        sr.localized("title"),
        sr.get("sitters_vi", str),
        kind=kind,
        sitters=_known_roles(sr, "sitters", roles),
        discovery=discovery,
        records_list=bool(sr.get("records_list", bool, required=False)),
        output_vi=sr.get("output_vi", str, required=False) or "",
    )


def _parse_eligibility(er: _Reader) -> dict[str, Any]:
    return {
        "min_months_left": _positive(er, "min_months_left", 60),
        "aim_months_left": _positive(er, "aim_months_left", 120),
        "discipline_forms": tuple(er.get("discipline_forms", list, required=False) or ()),
    }


def _parse_structure(tr: _Reader) -> dict[str, Any]:
    return {
        "max_positions_per_person": _positive(tr, "max_positions_per_person", 3),
        "young_under_age": _positive(tr, "young_under_age", 40),
        "young_share": _share(tr, "young_share", "15/100"),
        "women_share": _share(tr, "women_share", "25/100"),
        "majority_ethnicity": tr.get("majority_ethnicity", str, required=False) or "Kinh",
    }


def load_ruleset(path: Path | str | None = None) -> Ruleset:
    """Read and validate a ruleset file (the shipped QT.NB.03 one by default)."""
    file = Path(path) if path else DEFAULT_RULESET_PATH
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesetError(file, "file", "*", f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise RulesetError(file, "file", "*", f"is not UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesetError(file, "file", "*", f"is not valid TOML: {exc}") from None
    return parse_ruleset(data, file)


@cache
def default_ruleset() -> Ruleset:
    return load_ruleset(None)
