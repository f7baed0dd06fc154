"""The drafts' wording: TOML files of Vietnamese document text, validated at start-up.

The shipped defaults are ``wording/*.toml``; ``VOTING_DRAFTS`` points at a copy a
unit has edited. Every file must be there and every field known, typed and using
only the placeholders the document fills in: otherwise :class:`WordingError` names
the file and the field, and the app does not start (as with a bad ruleset).
No Flask import.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_DIR = Path(__file__).with_name("wording")
#: A4 landscape's text width (297 mm less the 30 and 15 mm margins).
LANDSCAPE_WIDTH_MM = 252.0

#: What every document can say about its process.
PROCESS_KEYS = frozenset(
    {
        "unit",
        "parent_body",
        "department",
        "locality",
        "year",
        "period",
        "period_label",
        "positions",
        "flow",
        "procedure",
        "head",
        "issuer",
        "approver",
        "count",
        "code",
    }
)


class WordingError(ValueError):
    """A wording file that cannot be used, with the file and the field."""

    def __init__(self, path: Path | str, field: str, message: str) -> None:
        self.path = str(path)
        self.field = field
        super().__init__(f"{self.path}: field '{field}': {message}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Issue(_Strict):
    """Who issues the document at one level and how the signer's lines read."""

    #: "unit": the Cục; "department": the phòng (under the Cục); "parent": the Tổng cục.
    issuer: Literal["unit", "department", "parent"]
    head: str = Field(min_length=1)
    authority: list[str] = Field(min_length=1)


class Document(_Strict):
    """What every document's file has. ``applies``: words of a step's output (the
    ruleset's ``output_vi``) that name this document there."""

    #: Placeholders beyond the process's that this document fills in.
    keys: ClassVar[frozenset[str]] = frozenset()

    applies: list[str] = Field(min_length=1)
    file: str = Field(pattern=r"^[a-z0-9-]+$")
    code: str = Field(min_length=1)
    title: str = Field(min_length=1)
    subtitle: list[str] = []
    recipients: list[str] = []
    levels: dict[Literal["cuc", "phong"], Issue]


class Common(_Strict):
    keys: ClassVar[frozenset[str]] = frozenset({"number"})

    unit_code: str
    parent_code: str
    grandparent_body: str
    number: str
    numbered: str
    undated: str
    positions_in_department: str
    period_term: str
    period_annual: str
    approver_cuc: str
    approver_phong: str
    recipients_heading: str


class Plan(Document):
    keys: ClassVar[frozenset[str]] = frozenset({"citation", "position", "quota"})

    bases_intro: str
    basis: str
    lead: str
    purpose_heading: str
    purpose: list[str]
    positions_heading: str
    position_line: str
    steps_heading: str
    steps_intro: str
    step_heads: list[str] = Field(min_length=6, max_length=6)
    no_due: str
    organisation_heading: str
    organisation: list[str]


PEOPLE_FIELDS = (
    "index",
    "name",
    "birth",
    "sex",
    "ethnicity",
    "post_unit",
    "qualification",
    "political_theory",
    "note",
)


class Column(_Strict):
    head: str
    width_mm: float = Field(gt=0)
    field: Literal[PEOPLE_FIELDS]  # type: ignore[valid-type]
    align: Literal["left", "center", "right"] = "left"


class People(Document):
    keys: ClassVar[frozenset[str]] = frozenset(
        {"stage", "step", "index", "position", "quota", "agree", "base_count", "percent", "base"}
    )

    stage_source: str
    stage_approved: str
    stage_consulted: str
    stage_vote: str
    stage_removal: str
    position_heading: str
    nobody: str
    male: str
    female: str
    note_vote: str
    size: float = Field(default=11.0, ge=8, le=13)
    columns: list[Column] = Field(min_length=1)

    @field_validator("columns")
    @classmethod
    def _fits(cls, columns: list[Column]) -> list[Column]:
        if sum(c.width_mm for c in columns) > LANDSCAPE_WIDTH_MM:
            raise ValueError(f"the columns are wider than the page ({LANDSCAPE_WIDTH_MM:g} mm)")
        return columns


class Letter(Document):
    keys: ClassVar[frozenset[str]] = frozenset(
        {"name", "birth", "post", "agency", "position", "item", "deadline"}
    )

    subject: str
    addressee: str
    body: list[str]
    dossier_item: str
    closing: list[str]
    no_deadline: str


class Submission(Document):
    keys: ClassVar[frozenset[str]] = frozenset(
        {
            "citation", "step", "title", "when", "date", "index", "name", "birth",
            "post_unit", "position", "agree", "base_count", "percent", "base", "verdict",
            "total", "women", "women_percent", "young", "young_age", "young_percent",
            "minority", "minority_percent", "women_target", "young_target",
        }
    )  # fmt: skip

    addressee: str
    basis: str
    lead: str
    steps_heading: str
    step_line: str
    step_held: str
    step_pending: str
    people_heading: str
    people_intro: str
    people_heads: list[str] = Field(min_length=5, max_length=5)
    person: str
    vote: str
    passes: str
    selected: str
    fails: str
    structure_heading: str
    structure: str
    structure_targets: str
    removal_heading: str
    removal: str
    request_heading: str
    request: str


class DecisionWording(Document):
    keys: ClassVar[frozenset[str]] = frozenset(
        {"citation", "step", "title", "date", "names", "number"}
    )

    issuer_line: str
    basis: str
    result_basis: str
    proposal_basis: str
    decides: str
    article_approve: str
    article_remove: str
    article_effect: str
    article_duty: str
    annex_title: str
    annex_subtitle: list[str]
    annex_blank_number: str
    annex_blank_date: str


#: File stem -> (its table, its model).
FILES: dict[str, type[_Strict]] = {
    "common": Common,
    "plan": Plan,
    "people": People,
    "letter": Letter,
    "submission": Submission,
    "decision": DecisionWording,
}


@dataclass(frozen=True)
class Wording:
    common: Common
    plan: Plan
    people: People
    letter: Letter
    submission: Submission
    decision: DecisionWording
    directory: str

    def documents(self) -> dict[str, Document]:
        """The documents by kind, in the order a process produces them."""
        return {
            "plan": self.plan,
            "people": self.people,
            "letter": self.letter,
            "submission": self.submission,
            "decision": self.decision,
        }


def _texts(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string inside a validated model, with its dotted field path."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _texts(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, f"{where}.{key}")


def _check_placeholders(path: Path, table: str, model: _Strict) -> None:
    allowed = PROCESS_KEYS | type(model).keys  # type: ignore[attr-defined]
    for where, text in _texts(model, table):
        try:
            names = {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}
        except ValueError as exc:  # a lone "{" or "}"
            raise WordingError(path, where, f"is not a valid template: {exc}") from None
        unknown = sorted(n for n in names if n not in allowed)
        if unknown:
            raise WordingError(
                path, where, f"unknown placeholder {{{unknown[0]}}}; known: {sorted(allowed)}"
            )


def _load_file(path: Path, stem: str, model: type[_Strict]) -> _Strict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WordingError(path, "*", f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise WordingError(path, "*", f"is not UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise WordingError(path, "*", f"is not valid TOML: {exc}") from None
    extra = sorted(set(data) - {stem})
    if extra:
        raise WordingError(path, extra[0], f"unknown table; this file holds [{stem}]")
    if stem not in data:
        raise WordingError(path, stem, "missing table")
    try:
        parsed = model.model_validate(data[stem])
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in (stem, *error["loc"]))
        raise WordingError(path, where, error["msg"]) from None
    _check_placeholders(path, stem, parsed)
    return parsed


def load_wording(directory: Path | str | None = None) -> Wording:
    """Read and validate every wording file (the shipped ones by default)."""
    folder = Path(directory) if directory else DEFAULT_DIR
    parts = {stem: _load_file(folder / f"{stem}.toml", stem, m) for stem, m in FILES.items()}
    return Wording(directory=str(folder), **parts)  # type: ignore[arg-type]


def fill(template: str, values: dict[str, Any]) -> str:
    """A validated template with the document's values."""
    return template.format_map(values)
