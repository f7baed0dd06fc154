"""Planning processes as /api/v1 shows and takes them.

Each answer model matches what :mod:`voting.api.processes` builds (``process_json``,
``list_processes``, ``step_action``); each ``…Input`` what the operations accept.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from voting.api.schemas.base import Absent, ApiModel, Localized, Text, localized, omitted

ProcessStatus = Annotated[
    Literal["active", "submitted", "approved"], Field(description="Life cycle of a process.")
]
StepStatus = Annotated[
    Literal["pending", "current", "done"],
    Field(description="Steps run in order: one is current, the earlier ones are done."),
]
StepKind = Literal["source-list", "approve-list", "consult", "vote", "decision"]
Origin = Literal["source", "write-in", "external", "current"]


class ProcessUnit(ApiModel):
    id: int
    name: str


class ProcessSummary(ApiModel):
    id: str = Field(description="The process's public id.")
    title: str
    status: ProcessStatus
    level: str
    flow: str
    department: str = Field(description='The division planned (phòng level); "" above it.')
    period: str = Field(description='The term ("2026–2031") or the year planned.')
    unit: ProcessUnit
    created: datetime


class ProcessList(ApiModel):
    processes: list[ProcessSummary]


class PositionEnded(ApiModel):
    """A position the chair ended with nobody planned, after a vote carried nobody."""

    step: str
    on: date | None
    reason: str


class ProcessPosition(ApiModel):
    id: int
    name: str
    quota: int = Field(ge=1)
    ended: PositionEnded | Absent = omitted("Only when the position ended with nobody planned.")


class SignedDocument(ApiModel):
    number: str
    signed_on: str
    signer: str


class HeldAgain(ApiModel):
    """A vote that carried nobody for some positions, held again with a new conference."""

    conference: str = Field(description="The first conference (kept, locked).")
    held_on: date
    positions: list[str]
    reason: str
    repeated_on: date


class FlagReview(ApiModel):
    """Someone whose flags bar planning, and whether the chair kept them on the ballot."""

    name: str
    position: str
    flags: list[str] = Field(description="The flags' codes (e.g. `dossier`).")
    decision: Literal["keep", "drop"]


class StepOutcome(ApiModel):
    """What the step recorded, as the process page shows it; a key only once recorded."""

    plan: str | Absent = omitted()
    drafted_on: str | Absent = omitted()
    meeting_on: str | Absent = omitted()
    conclusion: str | Absent = omitted()
    summary: str | Absent = omitted()
    skipped: str | Absent = omitted('Held without a ballot (nobody on it): the reason, or "-".')
    submission: SignedDocument | Absent = omitted("Submitted to the higher authority.")
    decision: SignedDocument | Absent = omitted("The approval decision.")
    rounds: list[HeldAgain] | Absent = omitted("Earlier rounds of this vote.")
    flag_review: list[FlagReview] | Absent = omitted("A vote step's flagged people.")


class StepPerson(ApiModel):
    """A nominee on a step's outgoing list."""

    nominee: int = Field(description="The nominee's id (what a later step's body names).")
    name: str
    position: int = Field(description="The process position's id.")
    origin: Origin
    agree: int | None = Field(description="Agree votes at a vote step; null at the others.")


class KeptFile(ApiModel):
    """A file kept with the process (a consultation's letter)."""

    id: int
    name: str
    sha256: str


class Consultation(ApiModel):
    """An external candidate's consultation; the details only once recorded."""

    nominee: int
    name: str
    met_on: str | Absent = omitted()
    letter: str | Absent = omitted()
    opinion: str | Absent = omitted()
    dossier: list[str] | Absent = omitted("The checklist items received.")
    files: list[str] | Absent = omitted("The files kept with it (by name).")
    attachments: list[KeptFile] | Absent = omitted(
        "The same files: `GET /processes/{process_id}/attachments/{id}` downloads one."
    )


class ProcessStep(ApiModel):
    step: str = Field(description='"B1" … "B6", as the ruleset names it.')
    kind: StepKind
    title: Localized = localized("The step's title.")
    rule: str | None = Field(description="The vote rule's id; null for a step without a ballot.")
    status: StepStatus
    due_on: date | None
    conference: str | None = Field(description="A vote step's conference (its public id).")
    outcome: StepOutcome
    carried: list[StepPerson] | Absent = omitted("Once done: carried to the next step.")
    removal: list[StepPerson] | Absent = omitted("Once done: proposed for removal.")
    consultations: list[Consultation] | Absent = omitted("A consultation step, once done.")


class Process(ProcessSummary):
    ruleset: str = Field(description="The ruleset the process started with (id@version).")
    can_run: bool = Field(description="The user may record its steps (its chair, or an admin).")
    positions: list[ProcessPosition]
    steps: list[ProcessStep]


class ProcessPositionInput(ApiModel):
    name: Text
    quota: int = Field(ge=1, description="At most the ruleset's `max_quota`.")


class ProcessInput(ApiModel):
    unit_id: int = Field(ge=1)
    level: str = Field(description="A level of the ruleset (`cuc`, `phong`).")
    flow: str = Field(description="A flow of the ruleset (`term`, `annual-local`, …).")
    department: Text | Absent = omitted("The division planned; required at phòng level.")
    period: Annotated[str, Field(max_length=32)]
    title: Text
    positions: Annotated[list[ProcessPositionInput], Field(min_length=1, max_length=20)]
    secretary_username: str | Absent = omitted("A secretary account who may read the process.")


class StepActionInput(ApiModel):
    """The action's data, as the page's form of the same action sends it.

    `source-list`: `plan`, `drafted_on`, `nominees` (`[{"position": id, "member_id":
    id}]`, or someone from outside by `name`, `birth_year`, `sex`, `post`, `agency`).
    `approve-list`: `meeting_on`, `conclusion`, `approved` (nominee ids), `quotas`
    (position id → quota). `consult`: `nominee` (id), `met_on`, `letter`, `opinion`,
    `dossier` (items of the ruleset's checklist); the opinion's file is uploaded on the
    page. `finish-consult`: `proceed` (nominee ids), `summary`. `conference`: `title`,
    `held_on`, `place`, `chair_name`, `secretary_name`, `people` (the roster; the
    register's by default),
    `flag_decisions` (nominee id → `keep` or `drop`). `carry`: nothing. `decision`:
    `outcome` (`approved` or `submitted`), `number`, `signed_on`, `signer`,
    `approved` and `removed` (nominee ids). When a vote left a position with nobody:
    `end-position`: `position` (id), `reason`, `ended_on`; `repeat` (hold that vote
    again): `reason`; `skip` (nobody left on the ballot): `reason`.
    """

    model_config = ConfigDict(extra="allow")


class DueDatesInput(ApiModel):
    """The timeline: step name ("B1" …) → its due date (YYYY-MM-DD); null or "" clears it.
    Steps not named keep theirs."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"additionalProperties": {"type": ["string", "null"]}},
    )


class ConsultationResult(ApiModel):
    process: Process


class StepActionResult(ApiModel):
    process: Process
    conference: str | Absent = omitted("`conference` only: the new conference's public id.")


# ------------------------------------------------------------------ path parameters

#: The step actions of the API (:data:`voting.api.processes.STEP_ACTIONS`).
STEP_ACTION_NAMES = (
    "source-list",
    "approve-list",
    "consult",
    "finish-consult",
    "conference",
    "carry",
    "decision",
    "end-position",
    "repeat",
    "skip",
)


def _path_parameter(name: str, description: str, schema: dict[str, object]) -> dict[str, object]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
    }


#: The process paths' parameters, by the placeholder that names them (see
#: :data:`voting.api.openapi.PATH_PARAMETERS`).
PROCESS_PARAMETERS = {
    "{process_id}": _path_parameter(
        "process_id", "The process's public id.", {"type": "string", "maxLength": 32}
    ),
    "{step}": _path_parameter(
        "step", 'The step, as the ruleset names it ("B1" … "B6").', {"type": "string"}
    ),
    "{action}": _path_parameter(
        "action",
        "What to record: the page's step form of the same name.",
        {"type": "string", "enum": list(STEP_ACTION_NAMES)},
    ),
    "{attachment_id}": _path_parameter(
        "attachment_id", "A kept file's id (a consultation's `attachments`).", {"type": "integer"}
    ),
    "{entry_id}": _path_parameter("entry_id", "A planning-list entry's id.", {"type": "integer"}),
    "{unit_id}": _path_parameter("unit_id", "The unit's id.", {"type": "integer"}),
    "{fmt}": _path_parameter(
        "fmt", "The file's format.", {"type": "string", "enum": ["xlsx", "csv"]}
    ),
}
PROCESS_NAMES = {
    "{process_id}": "ProcessId",
    "{step}": "StepName",
    "{action}": "StepAction",
    "{attachment_id}": "AttachmentId",
    "{entry_id}": "EntryId",
    "{unit_id}": "UnitId",
    "{fmt}": "FileFormat",
}
