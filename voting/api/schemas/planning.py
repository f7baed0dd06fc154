"""The approved planning list, its history and exits, and the units' register, in /api/v1.

Each answer model matches what :mod:`voting.api.planning` and :mod:`voting.api.register`
build; each ``…Input`` what they accept.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from voting.api.schemas.base import Absent, ApiModel, Text, omitted
from voting.planning.models import ExitReason


class EntryLeft(ApiModel):
    """How the person left the list."""

    on: date
    reason: ExitReason | None
    decision: str
    note: str
    process: str | None = Field(description="The process whose decision removed them, if any.")


class PlanningEntry(ApiModel):
    """One person in a unit's approved list for one position (level, phòng)."""

    id: int
    unit: int = Field(description="The unit's id.")
    level: str
    department: str = Field(description='The phòng; "" at Cục level.')
    position: str
    name: str
    member_id: int | None = Field(description="The register row; null for another agency's.")
    birth_year: int | None
    sex: str | None
    post: str
    agency: str
    period: str
    entered_on: date
    entered_decision: str
    entered_process: str | None = Field(description="The process that approved them, if any.")
    left: EntryLeft | Absent = omitted("Only once they left the list.")


class UnitPlanning(ApiModel):
    id: int
    name: str
    exits: int = Field(description="People in the list who now meet an automatic-exit condition.")
    entries: list[PlanningEntry]


class PlanningList(ApiModel):
    """Each unit's active list apart (who is planned on `reference_on`), as filtered."""

    reference_on: date
    units: list[UnitPlanning]


class HistoryEvent(ApiModel):
    """Someone entered the list, or left it: when, by which process and decision."""

    on: date
    change: Literal["added", "removed"]
    entry: int = Field(description="The planning entry's id.")
    name: str
    level: str
    department: str
    position: str
    process: str | None = Field(description="The process whose decision did it, if any.")
    decision: str
    reason: ExitReason | None = Field(description="Why they left; null on entering.")
    note: str


class UnitHistory(ApiModel):
    id: int
    name: str
    events: list[HistoryEvent]


class PlanningHistory(ApiModel):
    """Each unit's list history, oldest first."""

    units: list[UnitHistory]


class ExitFlag(ApiModel):
    code: str = Field(description="The condition (e.g. `over-age`, `discipline`, `deceased`).")
    params: dict[str, Any]


class AutomaticExit(ApiModel):
    entry: PlanningEntry
    reasons: list[ExitFlag]


class AutomaticExits(ApiModel):
    """People in an approved list who meet an automatic-exit condition, to be recorded."""

    exits: list[AutomaticExit]


class ExitInput(ApiModel):
    reason: ExitReason = Field(description="Any reason but `removal-vote` (that is a vote's).")
    left_on: date
    decision: Text = Field(description="The decision it follows (number, date, signer).")
    note: str | Absent = omitted()


# ------------------------------------------------------------------ units and register


class UnitSummary(ApiModel):
    id: int
    name: str
    parent_body: str
    locality: str
    reference_on: date | None = Field(description="The date service left is counted from.")
    members: int = Field(description="People in the register.")


class UnitList(ApiModel):
    units: list[UnitSummary]


class RegisterMember(ApiModel):
    """One person in the unit's register."""

    id: int = Field(description="What a source list names (`member_id`).")
    seq: int
    name: str
    birth_year: int | None
    birth_month: int | None
    sex: Literal["male", "female"] | None
    ethnicity: str
    post: str
    department: str
    qualification: str
    political_theory: str
    roles: list[str] = Field(description="The ruleset's role tags (who sits at which step).")
    status: str
    dossier_complete: bool | None


class Unit(UnitSummary):
    departments: list[str] = Field(description="The phòng and chi cục of the register.")
    people: list[RegisterMember]


class UnitInput(ApiModel):
    name: Text
    parent_body: Text | Absent = omitted()
    locality: Text | Absent = omitted()


class RegisterImported(ApiModel):
    added: int
    unit: Unit


class RegisterUpload(ApiModel):
    """The register page's import: an XLSX or UTF-8 CSV file with its header row."""

    file: bytes = Field(json_schema_extra={"format": "binary"})


class ConsultationUpload(ApiModel):
    """The consultation form with the home agency's letter (PDF, DOCX, JPEG or PNG, 5 MB)."""

    nominee: int
    met_on: date
    letter: str | Absent = omitted()
    opinion: str | Absent = omitted()
    dossier: list[str] | Absent = omitted("Items of the ruleset's checklist (one field each).")
    opinion_file: bytes = Field(json_schema_extra={"format": "binary"})
