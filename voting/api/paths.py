"""Every operation of /api/v1, one row each: what it takes, answers and refuses.

:mod:`voting.api.openapi` turns the rows into the document's ``paths``. Bodies
and answers are the models of :mod:`voting.api.schemas`; each refusal lists the
stable ``error.code`` values the handler can return, by status. Paths are
relative to the server ``/api/v1``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from voting.api.schemas import ballot as b
from voting.api.schemas import conference as c
from voting.api.schemas import planning as pl
from voting.api.schemas import process as pr
from voting.api.schemas import result as r

Errors = dict[int, list[str]]


def merge(*parts: Errors) -> Errors:
    """Union of error-code tables, keeping each status's codes in order."""
    out: Errors = {}
    for part in parts:
        for status, codes in part.items():
            bucket = out.setdefault(status, [])
            bucket.extend(code for code in codes if code not in bucket)
    return out


BODY: Errors = {400: ["invalid_json"], 413: ["request_too_large"]}
CSRF: Errors = {400: ["csrf_failed"]}
LOGIN: Errors = {401: ["login_required"]}
READ: Errors = {401: ["login_required"], 404: ["conference_not_found"]}
RUN: Errors = {**READ, 403: ["forbidden"]}
#: A state change on a conference the user runs.
ACTION = merge(CSRF, RUN)
DRAFT: Errors = {409: ["conference_locked", "conference_not_draft"]}
INVALID_FIELD: Errors = {422: ["invalid_field"]}
TOKEN_LOOKUP: Errors = {
    400: ["invalid_token"],
    404: ["unknown_token", "unknown_code"],
    # slip_taken: a kiosk slip another phone opened first (only that phone may cast it).
    409: ["already_recorded", "ballot_closed", "ballot_not_open", "slip_taken"],
    410: ["token_void"],
}
OPEN_REFUSALS: Errors = {
    400: ["invalid_json"],
    409: [
        "no_positions",
        "no_candidates",
        "no_people",
        "attendance_incomplete",
        "nobody_present",
        # The counting committee: a head and a member present, none absent or on the
        # ballot unless the chair recorded why.
        "committee_incomplete",
        "committee_member_absent",
        "committee_member_candidate",
    ],
}


@dataclass(frozen=True)
class Operation:
    """One operation. It needs the session (and, unless a GET, the CSRF token) unless
    ``public``; ``answer`` None is an answer without a body (204) or any object."""

    method: str
    path: str
    operation_id: str
    summary: str
    tag: str
    answer: type[BaseModel] | None
    #: What the success answer is.
    answered: str
    status: int = 200
    errors: Errors | None = None
    body: type[BaseModel] | None = None
    #: The body may be left out (an empty request).
    body_optional: bool = False
    #: Properties the body needs beyond what its model requires.
    body_needs: tuple[str, ...] = ()
    #: A query parameter: (name, max length, description).
    query: tuple[str, int, str] | None = None
    #: More query parameters, each as ``query``.
    queries: tuple[tuple[str, int, str], ...] = ()
    public: bool = False
    #: Phones get the answer with ``Cache-Control: no-store``.
    no_store: bool = False
    #: The body's media type: a file upload is ``multipart/form-data``.
    media: str = "application/json"
    #: The answer is a file in one of these media types (not JSON).
    files: tuple[str, ...] = ()

    @property
    def description(self) -> str | None:
        return DESCRIPTIONS.get(self.operation_id)


#: One conference's path; most operations are below it.
C = "/conferences/{public_id}"
_CONFERENCE = (c.Conference, "The conference.")
_HANDOUT = (b.Handout, "The hand-out state.")
#: One process's path.
P = "/processes/{process_id}"
PROCESS_READ: Errors = {401: ["login_required"], 404: ["process_not_found"], 409: ["unknown_step"]}
#: What a step action's operations refuse (voting.planning.records, vote, approval).
STEP_REFUSALS: Errors = {
    403: ["forbidden"],
    404: ["step_not_found", "unknown_action"],
    409: [
        "step_done",
        "step_not_current",
        "wrong_step_kind",
        "conference_not_draft",
        "conference_exists",
        "nobody_to_vote_on",
        "flags_undecided",
        "result_not_locked",
        "source_list_missing",
        "position_without_people",
        "already_planned",
        "over_quota",
        "cannot_repeat",
        "ballot_not_empty",
        "consultation_missing",
    ],
    422: ["invalid_field"],
}

MULTIPART = "multipart/form-data"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: What a consultation's letter may be (voting.planning.consultation.UPLOAD_TYPES).
KEPT_FILES = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
UPLOAD: Errors = {403: ["forbidden"], 413: ["request_too_large"], 422: ["invalid_field"]}
UNIT_MISSING: Errors = {404: ["unit_not_found"]}
#: The list's reads: any login; a filter refused names its field.
LIST_READ = merge(LOGIN, UNIT_MISSING, INVALID_FIELD)
LIST_FILTERS: tuple[tuple[str, int, str], ...] = (
    ("unit", 20, "One unit's lists (its id); every unit's by default."),
    ("level", 16, "One level (`cuc`, `phong`)."),
    ("department", 200, "One phòng; `department=` (empty) is the Cục level's lists."),
    ("position", 200, "One position, by name."),
)

# One operation a row: method, path, operationId, summary, tag, answer and what it is,
# then what differs from the defaults. Laid out by hand, as a table.
# fmt: off
OPERATIONS: tuple[Operation, ...] = (
    Operation("get", "/session", "getSession", "Who is logged in, and a CSRF token", "session",
              c.Session, "The session.", public=True),
    Operation("post", "/session", "login", "Log in", "session", c.Session, "Logged in.",
              errors=merge(BODY, {401: ["bad_credentials"], 429: ["too_many_attempts"]}),
              body=c.Login, public=True),
    Operation("delete", "/session", "logout", "Log out", "session", None, "Logged out.",
              status=204, errors=CSRF),
    Operation("get", "/ruleset", "getRuleset", "The active ruleset", "ruleset", c.Ruleset,
              "The ruleset.", public=True),
    Operation("get", "/openapi.json", "getOpenApi", "This document", "meta", None,
              "The OpenAPI document.", public=True),
    # conferences
    Operation("get", "/conferences", "listConferences", "Conferences the user may read",
              "conferences", c.ConferenceList, "Newest first.", errors=LOGIN),
    Operation("post", "/conferences", "createConference", "Set up a conference for one vote step",
              "conferences", c.Conference, "Created.", status=201,
              errors=merge(CSRF, BODY, LOGIN, {403: ["forbidden"]}, INVALID_FIELD),
              body=c.ConferenceInput, body_needs=c.CREATE_NEEDS),
    Operation("get", C, "getConference", "One conference", "conferences", *_CONFERENCE,
              errors=READ),
    Operation("patch", C, "updateConference", "Change a draft conference's set-up",
              "conferences", *_CONFERENCE, errors=merge(ACTION, BODY, DRAFT, INVALID_FIELD),
              body=c.ConferenceInput),
    Operation("put", f"{C}/attendance", "setAttendance", "Mark people present or absent",
              "conferences", *_CONFERENCE, body=c.Attendance,
              errors=merge(ACTION, BODY, DRAFT, INVALID_FIELD, {422: ["absence_reason_missing"]})),
    # ballot
    Operation("post", f"{C}/open", "openBallot",
              "Open the ballot and issue one token per person present", "ballot",
              b.Tokens, "Opened.", errors=merge(ACTION, DRAFT, INVALID_FIELD, OPEN_REFUSALS),
              body=b.OpenBallotInput, body_optional=True),
    Operation("get", f"{C}/handout", "getHandout", "The kiosk's current token", "ballot",
              *_HANDOUT, errors=RUN, query=("token_id", 64, "The slip the kiosk shows now.")),
    Operation("post", f"{C}/handout/next", "nextHandout", "Skip the kiosk's current token",
              "ballot", *_HANDOUT, errors=merge(ACTION, BODY), body=b.HandoutNextInput),
    Operation("post", f"{C}/tokens/void", "voidToken",
              "Void an unused token and issue a replacement", "ballot", b.Replacement, "Voided.",
              errors=merge(ACTION, BODY, {404: ["unknown_token"]},
                           {409: ["ballot_not_open", "token_used", "token_void"]}, INVALID_FIELD),
              body=b.VoidTokenInput),
    Operation("post", f"{C}/close", "closeBallot", "Stop accepting ballots", "ballot",
              *_CONFERENCE, errors=merge(ACTION, {409: ["ballot_not_open"]})),
    Operation("post", f"{C}/paper/finish", "finishPaperEntry",
              "Declare the paper ballots still out not returned", "ballot", *_CONFERENCE,
              errors=merge(ACTION, {409: ["ballot_not_closed", "conference_locked",
                                          "no_paper_left", "paper_entry_waiting"]})),
    # result
    Operation("post", f"{C}/head-decision", "recordHeadDecision",
              "Record (or correct, until lock) the head of unit's choice for a tie", "result",
              r.RecordedDecision, "The new decision.", body=r.HeadDecisionInput,
              errors=merge(ACTION, BODY, {409: ["conference_locked", "ballot_not_closed"]},
                           {422: ["invalid_field", "invalid_head_decision"]})),
    Operation("post", f"{C}/lock", "lockResult", "Freeze the result for ever", "result",
              r.LockedResult, "Locked.",
              errors=merge(ACTION, {409: ["conference_locked", "ballot_not_closed",
                                          "head_decision_needed", "paper_entry_waiting"]})),
    Operation("get", f"{C}/minutes/record", "getMinutesRecord",
              "The secretary's free fields of the minutes", "result", r.MinutesRecord,
              "The fields.", errors=READ),
    Operation("put", f"{C}/minutes/record", "setMinutesRecord",
              "Set the secretary's free fields (before lock)", "result", r.MinutesRecord,
              "The saved fields.", body=r.MinutesRecord,
              errors=merge(READ, CSRF, BODY, {409: ["conference_locked"]}, INVALID_FIELD)),
    Operation("get", f"{C}/minutes/notes", "listMinutesNotes", "Notes appended after lock",
              "result", r.MinutesNotes, "The notes.", errors=READ),
    Operation("post", f"{C}/minutes/notes", "addMinutesNote",
              "Append a dated note to the locked minutes", "result", r.MinutesNote, "The note.",
              status=201, body=r.MinutesNoteInput,
              errors=merge(READ, CSRF, BODY, {409: ["result_not_locked"]}, INVALID_FIELD)),
    Operation("get", f"{C}/tally", "getTally", "Live tally", "result", b.Tally,
              "The tally snapshot.", errors=READ),
    Operation("get", f"{C}/result", "getResult", "The result document (a preview until locked)",
              "result", r.ResultView, "The result.",
              errors=merge(READ, {409: ["ballot_not_closed", "result_withheld"]})),
    # processes
    Operation("get", "/processes", "listProcesses", "Planning processes the user may read",
              "processes", pr.ProcessList, "Newest first.", errors=LOGIN),
    Operation("post", "/processes", "createProcess", "Start a planning process for one unit",
              "processes", pr.Process, "Created.", status=201,
              errors=merge(CSRF, BODY, LOGIN, {403: ["forbidden"]}, INVALID_FIELD),
              body=pr.ProcessInput),
    Operation("get", P, "getProcess", "One process, its positions and its steps", "processes",
              pr.Process, "The process.", errors=PROCESS_READ),
    Operation("post", f"{P}/steps/{{step}}/{{action}}", "runStepAction",
              "Record the current step (or create its conference, or carry its result)",
              "processes", pr.StepActionResult, "The process after the action.",
              errors=merge(CSRF, BODY, PROCESS_READ, STEP_REFUSALS),
              body=pr.StepActionInput, body_optional=True),
    Operation("get", f"{P}/drafts/{{draft}}", "getProcessDraft",
              "A step's document drafted from the process (DOCX or PDF)", "processes", None,
              "The file, as the process page downloads it.",
              errors=merge(LOGIN, {404: ["process_not_found", "draft_not_found"],
                                   409: ["unknown_step"]})),
    Operation("put", f"{P}/due-dates", "setDueDates", "Set the steps' due dates (the timeline)",
              "processes", pr.Process, "The process with its timeline.", body=pr.DueDatesInput,
              errors=merge(CSRF, BODY, PROCESS_READ, {403: ["forbidden"]}, INVALID_FIELD)),
    Operation("post", f"{P}/steps/{{step}}/consult/file", "recordConsultationWithFile",
              "Record an external candidate's consultation with the agency's letter",
              "processes", pr.ConsultationResult, "The process after the consultation.",
              body=pl.ConsultationUpload, media=MULTIPART,
              errors=merge(CSRF, PROCESS_READ, UPLOAD, {404: ["step_not_found"]},
                           {409: ["step_done", "step_not_current", "wrong_step_kind"]})),
    Operation("get", f"{P}/attachments/{{attachment_id}}", "getAttachment",
              "Download a file kept with the process", "processes", None, "The file.",
              errors=merge(PROCESS_READ, {404: ["attachment_not_found"]}), files=KEPT_FILES),
    # the approved planning list
    Operation("get", "/planning", "getPlanningList", "Each unit's approved planning list",
              "planning", pl.PlanningList, "Units by name.", errors=LIST_READ,
              queries=LIST_FILTERS),
    Operation("get", "/planning/history", "getPlanningHistory",
              "Who entered and left each unit's list, when and by what", "planning",
              pl.PlanningHistory, "Oldest first.", errors=LIST_READ, queries=LIST_FILTERS),
    Operation("get", "/planning/exits", "listAutomaticExits",
              "People in a list who meet an automatic-exit condition", "planning",
              pl.AutomaticExits, "By unit, level, phòng and position.", errors=LIST_READ,
              queries=LIST_FILTERS[:1]),
    Operation("post", "/planning/entries/{entry_id}/exit", "recordExit",
              "Record that someone leaves the list (no vote)", "planning", pl.PlanningEntry,
              "The closed entry.", body=pl.ExitInput,
              errors=merge(CSRF, BODY, LOGIN, {403: ["forbidden"], 404: ["entry_not_found"],
                                               409: ["already_left"]}, INVALID_FIELD)),
    # units and their register
    Operation("get", "/units", "listUnits", "The units", "register", pl.UnitList, "By name.",
              errors=LOGIN),
    Operation("post", "/units", "createUnit", "Create a unit (its register empty)", "register",
              pl.Unit, "Created.", status=201, body=pl.UnitInput,
              errors=merge(CSRF, BODY, LOGIN, {403: ["forbidden"]}, INVALID_FIELD)),
    Operation("get", "/units/{unit_id}", "getUnit", "One unit and its register", "register",
              pl.Unit, "The unit.", errors=merge(LOGIN, UNIT_MISSING)),
    Operation("post", "/units/{unit_id}/register", "importRegister",
              "Append the people of a register file (XLSX or CSV)", "register",
              pl.RegisterImported, "Added.", status=201, body=pl.RegisterUpload,
              media=MULTIPART,
              errors=merge(CSRF, LOGIN, {403: ["forbidden"]}, UNIT_MISSING,
                           {413: ["request_too_large", "file_too_large"],
                            422: ["file_missing", "invalid_file", "invalid_rows",
                                  "invalid_field"]})),
    Operation("get", "/units/{unit_id}/register.{fmt}", "exportRegister",
              "The register as a spreadsheet (re-imports unchanged)", "register", None,
              "The file.", errors=merge(LOGIN, UNIT_MISSING, {404: ["unknown_format"]}),
              files=(XLSX, "text/csv")),
    # voting
    Operation("get", "/ballots/{credential}", "getBallot", "What a phone shows for a token",
              "voting", b.BallotDefinition, "The ballot.", errors=TOKEN_LOOKUP,
              public=True, no_store=True),
    Operation("post", "/ballots", "castBallot", "Cast a ballot", "voting", b.CastResponse,
              "Recorded.", status=201, body=b.CastRequest, public=True, no_store=True,
              errors=merge(BODY, TOKEN_LOOKUP, {400: ["invalid_choices"]},
                           {422: ["unknown_position", "unknown_candidate",
                                  "duplicate_candidate", "over_quota"]})),
)
# fmt: on

#: The longer explanations, by operationId.
DESCRIPTIONS = {
    "login": (
        "Needs no CSRF token: logging in is how a client gets one. Sets the "
        "`session` cookie. Repeated failures from one address are throttled."
    ),
    "createConference": "Chairs and admins only. The conference starts as a draft.",
    "openBallot": (
        "The token links are returned once; the server keeps only hashes. "
        'An optional body `{"paper": n}` pairs n of the tokens with printed paper '
        "ballots instead of phone slips. The counting committee is checked first: "
        "a head and a member present, and no member absent or on the ballot unless "
        "their seat carries the chair's `committee_note` (set with the roster). A "
        "conference naming no committee opens only without paper ballots."
    ),
    "getHandout": (
        "The slip for the kiosk to show. With `token_id` (the slip the kiosk shows "
        "now) the same slip while no phone has opened it; otherwise one chosen at "
        "random among the unopened. Nothing records what was shown."
    ),
    "finishPaperEntry": (
        "After the close, while paper ballots are outstanding, the result is "
        "withheld. When the rest will not come back, this counts them as not "
        "returned, shows the result and allows a tie to be decided; paper entry "
        "then refuses `paper_entry_finished`."
    ),
    "recordHeadDecision": (
        "Sent again before lock with another choice, it replaces the recorded "
        "one; the audit entry keeps the earlier choice and who decided it. "
        "After lock it is refused with `conference_locked`."
    ),
    "listProcesses": (
        "As the process pages show them: a chair sees the processes they own, a "
        "secretary those they are named on, an admin every one."
    ),
    "createProcess": (
        "Chairs and admins only. The steps come from the ruleset's flow; the first is current."
    ),
    "getProcess": (
        "Another chair's process answers `process_not_found`, as if it did not exist. "
        "A step's outgoing lists are shown once it is done."
    ),
    "runStepAction": (
        "Only the process's chair (or an admin); the secretary may read but gets "
        "`forbidden`. Runs the same operation as the page's step form of that action, "
        "with the body as its data; a refusal changes nothing. `carry` takes no body."
    ),
    "setDueDates": "Only the process's chair (or an admin). A step not named keeps its date.",
    "recordConsultationWithFile": (
        "The page's consultation form (multipart): the same operation as the step action "
        "`consult`, with the letter kept with the process. Sent again, the record is "
        "replaced and the file added to the earlier ones."
    ),
    "getPlanningList": (
        "As the list page shows it: each unit's list apart, only the people planned today. "
        "Any signed-in user."
    ),
    "getPlanningHistory": (
        "Every entering (a process's approval) and leaving (a removal vote's decision, or "
        "an exit recorded with `recordExit`), with the process and the decision."
    ),
    "listAutomaticExits": (
        "Nobody is taken off silently: the chair records each exit (`recordExit`, reason "
        "`automatic`)."
    ),
    "recordExit": "Chairs and admins. The entry is closed, never deleted (see the history).",
    "importRegister": (
        "Chairs and admins. The form field `file`: the register page's XLSX or UTF-8 CSV "
        "(its header row), as exported. Every row is checked first: one bad row refuses "
        "all (`invalid_rows`, each row's problem in `details.rows`)."
    ),
    "getBallot": "The token is the credential; no session is involved.",
    "castBallot": (
        "Needs no session and no CSRF token: the ballot token is the credential. "
        "A token votes once; a refused request changes nothing."
    ),
}
