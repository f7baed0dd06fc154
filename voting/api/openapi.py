"""The OpenAPI 3 description of /api/v1.

Built from small helpers so each schema sits next to the code shape it
describes (:func:`voting.api.routes.conference_json`, the tally snapshots, the
decision and the result document). Paths are relative to the single server
``/api/v1``. Every 4xx response lists the stable ``error.code`` values the
handler can return; clients match on the code, never on the (translated)
message.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

TITLE = "Secret-ballot conference voting (QT.NB.03)"

# Security requirements, per operation.
PUBLIC: list[dict[str, list[str]]] = []
SESSION: list[dict[str, list[str]]] = [{"session": []}]
SESSION_CSRF: list[dict[str, list[str]]] = [{"session": [], "csrf": []}]


# ---------------------------------------------------------------- primitives


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def string(description: str | None = None, **kw: Any) -> Schema:
    return _described({"type": "string", **kw}, description)


def integer(description: str | None = None, **kw: Any) -> Schema:
    return _described({"type": "integer", **kw}, description)


def boolean(description: str | None = None, **kw: Any) -> Schema:
    return _described({"type": "boolean", **kw}, description)


def nullable(schema: Schema) -> Schema:
    out = {**schema, "nullable": True}
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


def array(items: Schema, description: str | None = None) -> Schema:
    return _described({"type": "array", "items": items}, description)


def obj(
    properties: dict[str, Schema],
    *,
    required: list[str] | str | None = "all",
    description: str | None = None,
) -> Schema:
    """An object; by default every listed property is required (a response shape)."""
    schema: Schema = {"type": "object", "properties": properties}
    names = list(properties) if required == "all" else list(required or [])
    if names:
        schema["required"] = names
    return _described(schema, description)


def mapping(values: Schema, description: str | None = None) -> Schema:
    return _described({"type": "object", "additionalProperties": values}, description)


def _described(schema: Schema, description: str | None) -> Schema:
    if description:
        schema["description"] = description
    return schema


def localized(description: str) -> Schema:
    return mapping(string(), f"{description} Keyed by locale (`vi`, `en`).")


STATUS = string("Life cycle of a conference.", enum=["draft", "open", "closed", "locked"])
ROLE = string(enum=["chair", "secretary", "admin"])
THRESHOLD = string("Exact fraction of the base, e.g. `2/3`.", pattern=r"^\d+/\d+$", example="1/2")
COMPARISON = string(enum=[">=", ">"])
BASE = string(
    "Whom the threshold counts against: people present (frozen at opening) or summoned.",
    enum=["present", "summoned"],
)
PERCENT = string("Percent of the base, two decimals rounded half-up.", example="66.67")
CHOICES = mapping(
    array(string()), 'Position id → ids of the candidates agreed with (e.g. `{"p1": ["c2"]}`).'
)


# ------------------------------------------------------------------- schemas


def error_schema() -> Schema:
    return obj(
        {
            "error": obj(
                {
                    "code": string("Stable machine-readable code, e.g. `invalid_field`."),
                    "message": string("Human-readable message, translated (Vietnamese default)."),
                    "details": mapping(
                        {},
                        "Parameters of the error, e.g. `field` for `invalid_field`, "
                        "`position`/`quota` for `over_quota`.",
                    ),
                },
                required=["code", "message"],
            )
        },
        description="Every 4xx answer of /api/v1.",
    )


def rule_schema() -> Schema:
    return obj(
        {
            "id": string(),
            "label": localized("Short name of the rule."),
            "sentence": localized("The rule as one sentence."),
            "base": BASE,
            "threshold": THRESHOLD,
            "comparison": COMPARISON,
            "cap_at_quota": boolean("Agreeing with more people than the quota spoils the ballot."),
            "blank_valid": boolean("A ballot agreeing with nobody is valid."),
            "ranked": boolean("Rank by agree and select down to the quota."),
            "removal": boolean("Passing means proposed for removal from the planning list."),
            "citation": string(),
        },
        description="A vote rule of the ruleset, frozen into each conference.",
    )


def ruleset_schema() -> Schema:
    step = obj(
        {
            "level": string(),
            "flow": string(),
            "step": string(),
            "rule": nullable(string("Rule id; null when nobody votes at this step.")),
            "title": localized("Title of the step."),
            "sitters_vi": string("Who sits the conference (Vietnamese)."),
        }
    )
    return obj(
        {
            "id": string(),
            "version": string(),
            "name": localized("Name of the ruleset."),
            "max_quota": integer("Largest quota a position may have.", minimum=1),
            "rules": mapping(ref("Rule"), "Rule id → rule."),
            "steps": array(step),
        },
        description="The active ruleset: vote rules and the procedure's steps.",
    )


def session_schema() -> Schema:
    return obj(
        {
            "user": nullable(obj({"username": string(), "role": ROLE})),
            "csrf_token": string("Send it back in the `X-CSRFToken` header on state changes."),
        },
        description="Who is logged in (null if nobody) and the session's CSRF token.",
    )


def login_schema() -> Schema:
    return obj(
        {"username": string(maxLength=64), "password": string(maxLength=256, format="password")},
        required=["username", "password"],
    )


def person_schema() -> Schema:
    return obj(
        {
            "id": integer(),
            "name": string(),
            "title": string(),
            "group": string(),
            "present": nullable(boolean("Null until attendance is taken.")),
            "absence_reason": string(),
            "committee_role": nullable(string("Counting-committee role.", enum=["head", "member"])),
            "entered_paper": boolean("Committee members only: has entered paper ballots."),
            "committee_note": string(
                "Committee members only: the chair's reason to keep a member the open "
                "checks flag (absent, or on the ballot)."
            ),
        },
        required=["id", "name", "title", "group", "present", "absence_reason", "committee_role"],
    )


def candidate_schema() -> Schema:
    return obj(
        {
            "id": string("Candidate key within its position, e.g. `c1`."),
            "name": string(),
            "birth_year": nullable(integer()),
            "post": string(),
            "unit": string(),
            "write_in": {
                "type": "boolean",
                "description": "Present (true) only for someone a voter may introduce.",
            },
        },
        required=["id", "name", "birth_year", "post", "unit"],
    )


def position_schema() -> Schema:
    return obj(
        {
            "id": string("Position key, e.g. `p1`."),
            "name": string(),
            "quota": integer(minimum=1),
            "candidates": array(ref("Candidate")),
        }
    )


def conference_schema() -> Schema:
    return obj(
        {
            "id": string("Public id used in URLs."),
            "status": STATUS,
            "level": string(),
            "flow": string(),
            "step": string(),
            "rule": ref("Rule"),
            "title": string(),
            "held_on": string(format="date"),
            "place": string(),
            "locality": string(),
            "parent_body": string(),
            "unit_name": string(),
            "chair_name": string(),
            "secretary_name": string(),
            "head_title": string(),
            "summoned": integer(),
            "present": integer(),
            "tokens": obj(
                {"issued": integer(), "voided": integer(), "paper": integer("Of them, paper.")}
            ),
            "ballots_received": integer(),
            "paper_entered": integer("Paper ballots entered by the counting committee."),
            "booth_cast": integer("Ballots cast at the room's booth."),
            "result_sha256": nullable(string("SHA-256 of the locked result.")),
            "people": array(ref("Person")),
            "positions": array(ref("Position")),
        },
        description="A conference as its chair (or secretary) sees it.",
    )


def minutes_record_schema() -> Schema:
    return obj(
        {
            "agenda": string("The meeting's agenda, one item per line.", maxLength=4000),
            "remarks": string("Opinions raised at the meeting, one per line.", maxLength=4000),
            "ended_at": string("When the meeting ended, `HH:MM`, or empty.", maxLength=5),
            "copies": nullable(integer("Copies of the minutes made.", minimum=1, maximum=20)),
        },
        required=[],
        description=(
            "The secretary's free fields of the minutes. Editable until lock, then locked "
            "with the result."
        ),
    )


def minutes_note_schema() -> Schema:
    return obj(
        {
            "written_at": string(format="date-time"),
            "author": string(),
            "text": string(maxLength=2000),
        },
        description="A dated note appended to the minutes after lock.",
    )


def conference_summary_schema() -> Schema:
    return obj(
        {
            "id": string(),
            "title": string(),
            "status": STATUS,
            "step": string(),
            "level": string(),
            "flow": string(),
            "held_on": string(format="date"),
        }
    )


def conference_input_schema() -> Schema:
    text = string(maxLength=300)
    person = obj(
        {
            "name": text,
            "title": text,
            "group": text,
            "committee_role": nullable(string(enum=["head", "member"])),
            "committee_note": string(maxLength=300),
        },
        required=["name"],
    )
    candidate = obj(
        {
            "name": text,
            "birth_year": nullable(integer(minimum=1900)),
            "post": text,
            "unit": text,
        },
        required=["name"],
    )
    position = obj(
        {
            "name": text,
            "quota": integer("At most the ruleset's `max_quota`.", minimum=1),
            "candidates": _described({"type": "array", "items": candidate, "maxItems": 200}, None),
        },
        required=["name", "quota"],
    )
    return obj(
        {
            "level": string("Step of the ruleset; fixed once created."),
            "flow": string(),
            "step": string(),
            "title": text,
            "held_on": string(format="date"),
            "place": text,
            "locality": text,
            "parent_body": text,
            "unit_name": text,
            "chair_name": text,
            "secretary_name": text,
            "head_title": string(maxLength=300, description="Default: the level's head title."),
            "secretary_username": nullable(string("A user with the secretary role.")),
            "people": {**array(person, "The summoned people, in order."), "maxItems": 5000},
            "positions": array(position),
        },
        required=None,
        description=(
            "Set-up of a draft conference. Creating needs `level`, `flow`, `step`, `title` "
            "and `held_on`; an update replaces only the fields given (`people`/`positions` "
            "are replaced whole) and cannot change `level`, `flow` or `step`."
        ),
    )


def attendance_schema() -> Schema:
    row = obj(
        {
            "person_id": integer(),
            "present": nullable(boolean()),
            "reason": string("Reason for absence.", maxLength=300),
            "no_reason": boolean(
                "The chair confirms that the absent person gave no reason. An absence "
                "needs a reason or this, else `absence_reason_missing`."
            ),
        },
        required=["person_id"],
    )
    return obj({"attendance": array(row)}, description="Attendance, taken before opening.")


def slip_schema() -> Schema:
    return obj(
        {
            "url": string("Ballot link (what the QR code carries).", format="uri"),
            "code": string("Short code printed on the slip."),
        },
        description="One ballot token as handed out.",
    )


def tokens_schema() -> Schema:
    return obj(
        {"conference": ref("Conference"), "tokens": array(ref("Slip"), "One per person present.")},
        description="The tokens issued when the ballot opens; their secrets are never stored.",
    )


def handout_schema() -> Schema:
    return obj(
        {
            "status": STATUS,
            "remaining": integer("Tokens held for hand-out: neither opened by a phone nor used."),
            "double_scans": integer(
                "Kiosk slips a second phone tried to open after the first had it "
                "(someone still needs a slip)."
            ),
            "token_id": nullable(string()),
            "qr": nullable(string("SVG of the current QR code (it encodes `kiosk_url`).")),
            "code": nullable(string()),
            "url": nullable(string("The slip's ballot URL, as on the printed sheet.")),
            "kiosk_url": nullable(
                string("The same URL with the kiosk's mark: the first phone to open it keeps it.")
            ),
            "code_url": string("Where a phone types the kiosk's code."),
        },
        description="Kiosk hand-out: the one token currently shown (null when none).",
    )


def public_snapshot_schema() -> Schema:
    return obj(
        {
            "conference": string("Public id."),
            "status": STATUS,
            "present": nullable(integer()),
            "received": integer("Ballots received."),
        },
        description="Turnout only, as phones and the projector see it.",
    )


def tally_schema() -> Schema:
    snapshot = public_snapshot_schema()["properties"]
    candidate = obj(
        {
            "id": string(),
            "name": string(),
            "agree": nullable(integer()),
            "percent": nullable(PERCENT),
            "passes": nullable(boolean()),
        }
    )
    position = obj(
        {"id": string(), "name": string(), "quota": integer(), "candidates": array(candidate)}
    )
    return obj(
        {
            **snapshot,
            "summoned": nullable(integer()),
            "visible": boolean("Whether per-candidate numbers are shown (else they are null)."),
            "published_received": integer(
                "Ballots counted in the numbers shown (0 while none are shown)."
            ),
            "base": BASE,
            "base_count": integer(),
            "votes_needed": nullable(integer()),
            "positions": array(position),
        },
        description=(
            "Live tally for the chair: per-candidate numbers over a set of ballots that grows "
            "by at least k (LIVE_MIN_BATCH) and leaves at least k out; none below 2k ballots; "
            "frozen after the close while paper ballots are outstanding; complete once every "
            "paper ballot is entered, or at the lock."
        ),
    )


def decision_schema() -> Schema:
    candidate = obj(
        {
            "id": string(),
            "agree": integer(),
            "disagree": integer(),
            "percent": PERCENT,
            "passes": boolean(),
            "selected": boolean(),
        }
    )
    position = obj(
        {
            "id": string(),
            "quota": nullable(integer()),
            "candidates": array(candidate, "By agree, descending; ties keep ballot order."),
            "needs_head_decision": boolean(),
            "tied": array(string(), "Passing candidates tied on the last seat."),
            "open_seats": integer("Seats the tied candidates compete for."),
            "head_decision": nullable(array(string())),
        }
    )
    return obj(
        {
            "rule": string("Rule id."),
            "base": BASE,
            "base_count": integer(),
            "threshold": THRESHOLD,
            "comparison": COMPARISON,
            "votes_needed": integer(),
            "summoned": integer(),
            "present": integer(),
            "ballots": obj({"received": integer(), "valid": integer(), "invalid": integer()}),
            "needs_head_decision": boolean(),
            "positions": array(position),
        },
        description="Output of the decision engine (`voting decide`).",
    )


def decide_input_schema() -> Schema:
    position = obj({"id": string(), "quota": nullable(integer()), "candidates": array(string())})
    return obj(
        {
            "rule": string(),
            "summoned": integer(),
            "present": integer(),
            "positions": array(position),
            "ballots": array(CHOICES, "Every ballot's choices, in canonical order."),
            "head_decision": CHOICES,
        },
        required=["rule", "summoned", "present", "positions", "ballots"],
        description="Input of `voting decide`; anyone can recompute the decision from it.",
    )


def result_schema() -> Schema:
    timestamp = nullable(string(format="date-time"))
    conference = obj(
        {
            "id": string(),
            "title": string(),
            "parent_body": string(),
            "unit": string(),
            "level": string(),
            "flow": string(),
            "step": string(),
            "ruleset": string("`id@version` of the ruleset."),
            "held_on": string(format="date"),
            "place": string(),
            "locality": string(),
            "chair": string(),
            "secretary": string(),
            "head_title": string(),
            "opened_at": timestamp,
            "closed_at": timestamp,
            "locked_at": timestamp,
            "record": ref("MinutesRecord"),
        },
        # Results locked before the secretary's fields existed carry no "record".
        required=[k for k in ("id", "title", "parent_body", "unit", "level", "flow", "step")]
        + ["ruleset", "held_on", "place", "locality", "chair", "secretary", "head_title"]
        + ["opened_at", "closed_at", "locked_at"],
    )
    person = obj(
        {
            "name": string(),
            "title": string(),
            "group": string(),
            "present": nullable(boolean()),
            "absence_reason": string(),
            "committee_role": nullable(string(enum=["head", "member"])),
            "entered_paper": boolean(),
            "committee_note": string(),
        },
        required=["name", "title", "group", "present", "absence_reason", "committee_role"],
    )
    return obj(
        {
            "format": string(enum=["voting.result/1"]),
            "conference": conference,
            "rule": ref("Rule"),
            "attendance": obj(
                {"summoned": integer(), "present": integer(), "people": array(person)}
            ),
            "tokens": obj(
                {"issued": integer(), "voided": integer(), "paper": integer()},
                required=["issued", "voided"],
            ),
            "returned": obj(
                {"phone": integer(), "booth": integer(), "paper": integer()},
                description="How the ballots came (absent from results locked before paper).",
            ),
            "positions": array(ref("Position")),
            "head_decision": nullable(
                obj({"decided_by": string(), "decided_at": timestamp, "choice": CHOICES})
            ),
            "receipts": array(string(), "Receipt codes of every ballot, sorted."),
            "decide_input": ref("DecideInput"),
            "ballots_sha256": string(
                "SHA-256 of the canonical JSON of `decide_input.ballots` (sorted ballots)."
            ),
            "decision": ref("Decision"),
        },
        required=[
            "format",
            "conference",
            "rule",
            "attendance",
            "tokens",
            "positions",
            "head_decision",
            "receipts",
            "decide_input",
            "ballots_sha256",
            "decision",
        ],
        description=(
            "The result document the minutes record; once locked, its canonical JSON "
            "(sorted keys, no spaces, UTF-8) hashes to `sha256`."
        ),
    )


def ballot_definition_schema() -> Schema:
    return obj(
        {
            "conference": obj(
                {
                    "id": string(),
                    "title": string(),
                    "step": string(),
                    "held_on": string(format="date"),
                    "place": string(),
                    "status": STATUS,
                }
            ),
            "rule": ref("Rule"),
            "positions": array(ref("Position")),
            "public": ref("PublicSnapshot"),
        },
        description="What a phone shows before casting.",
    )


def cast_request_schema() -> Schema:
    return obj(
        {
            "token": string(
                "The signed token from the ballot link, or the short code from the slip.",
                maxLength=512,
            ),
            "choices": CHOICES,
        },
        required=["token", "choices"],
    )


def cast_response_schema() -> Schema:
    return obj(
        {
            "status": string(enum=["recorded"]),
            "receipt": string("Receipt code; it appears in the result's `receipts`."),
        }
    )


def head_decision_input_schema() -> Schema:
    return obj(
        {
            "decided_by": string("Name of the head of unit.", maxLength=300),
            "choice": mapping(
                array(string()),
                "Position id → exactly the open seats' worth of the tied candidates.",
            ),
        },
        description="The head of unit's choice for a tie straddling the last seat.",
    )


def schemas() -> dict[str, Schema]:
    return {
        "Error": error_schema(),
        "Rule": rule_schema(),
        "Ruleset": ruleset_schema(),
        "Session": session_schema(),
        "Login": login_schema(),
        "Person": person_schema(),
        "Candidate": candidate_schema(),
        "Position": position_schema(),
        "Conference": conference_schema(),
        "MinutesRecord": minutes_record_schema(),
        "MinutesNote": minutes_note_schema(),
        "ConferenceSummary": conference_summary_schema(),
        "ConferenceInput": conference_input_schema(),
        "Attendance": attendance_schema(),
        "Slip": slip_schema(),
        "Tokens": tokens_schema(),
        "Handout": handout_schema(),
        "PublicSnapshot": public_snapshot_schema(),
        "Tally": tally_schema(),
        "Decision": decision_schema(),
        "DecideInput": decide_input_schema(),
        "HeadDecisionInput": head_decision_input_schema(),
        "Result": result_schema(),
        "BallotDefinition": ballot_definition_schema(),
        "CastRequest": cast_request_schema(),
        "CastResponse": cast_response_schema(),
    }


# ------------------------------------------------------------ operations


HTTP_REASONS = {
    400: "Bad request",
    401: "Not logged in or wrong credentials",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict with the conference's state",
    410: "Gone",
    413: "Request body too large",
    422: "Unprocessable request",
    429: "Too many attempts",
}


def json_body(schema: Schema, description: str | None = None) -> Schema:
    return _described(
        {"required": True, "content": {"application/json": {"schema": schema}}}, description
    )


def _optional(body: Schema) -> Schema:
    return {**body, "required": False}


def ok(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_response(status: int, codes: list[str]) -> Schema:
    listed = ", ".join(f"`{c}`" for c in codes)
    return {
        "description": f"{HTTP_REASONS[status]}. Error codes: {listed}.",
        "content": {"application/json": {"schema": ref("Error")}},
        "x-error-codes": codes,
    }


def operation(
    operation_id: str,
    summary: str,
    *,
    tag: str,
    responses: dict[str, Schema],
    errors: dict[int, list[str]],
    security: list[dict[str, list[str]]],
    body: Schema | None = None,
    description: str | None = None,
    parameters: list[Schema] | None = None,
) -> Schema:
    op: Schema = {"operationId": operation_id, "summary": summary, "tags": [tag]}
    if description:
        op["description"] = description
    if parameters:
        op["parameters"] = parameters
    if body is not None:
        op["requestBody"] = body
    all_responses = dict(responses)
    for status, codes in sorted(errors.items()):
        all_responses[str(status)] = error_response(status, codes)
    op["responses"] = all_responses
    op["security"] = security
    return op


def merge(*parts: dict[int, list[str]]) -> dict[int, list[str]]:
    """Union of error-code tables, keeping each status's codes in order."""
    out: dict[int, list[str]] = {}
    for part in parts:
        for status, codes in part.items():
            bucket = out.setdefault(status, [])
            bucket.extend(c for c in codes if c not in bucket)
    return out


BODY = {400: ["invalid_json"], 413: ["request_too_large"]}
CSRF = {400: ["csrf_failed"]}
LOGIN = {401: ["login_required"]}
READ = {401: ["login_required"], 404: ["conference_not_found"]}
RUN = {**READ, 403: ["forbidden"]}
DRAFT = {409: ["conference_locked", "conference_not_draft"]}
INVALID_FIELD = {422: ["invalid_field"]}
TOKEN_LOOKUP = {
    400: ["invalid_token"],
    404: ["unknown_token", "unknown_code"],
    # slip_taken: a kiosk slip another phone opened first (only that phone may cast it).
    409: ["already_recorded", "ballot_closed", "ballot_not_open", "slip_taken"],
    410: ["token_void"],
}

PUBLIC_ID = {"$ref": "#/components/parameters/PublicId"}
CREDENTIAL = {"$ref": "#/components/parameters/Credential"}


def session_paths() -> dict[str, Schema]:
    return {
        "/session": {
            "get": operation(
                "getSession",
                "Who is logged in, and a CSRF token",
                tag="session",
                security=PUBLIC,
                errors={},
                responses={"200": ok(ref("Session"), "The session.")},
            ),
            "post": operation(
                "login",
                "Log in",
                tag="session",
                security=PUBLIC,
                description=(
                    "Needs no CSRF token: logging in is how a client gets one. Sets the "
                    "`session` cookie. Repeated failures from one address are throttled."
                ),
                body=json_body(ref("Login")),
                errors=merge(BODY, {401: ["bad_credentials"], 429: ["too_many_attempts"]}),
                responses={"200": ok(ref("Session"), "Logged in.")},
            ),
            "delete": operation(
                "logout",
                "Log out",
                tag="session",
                security=SESSION_CSRF,
                errors=CSRF,
                responses={"204": {"description": "Logged out."}},
            ),
        },
        "/ruleset": {
            "get": operation(
                "getRuleset",
                "The active ruleset",
                tag="ruleset",
                security=PUBLIC,
                errors={},
                responses={"200": ok(ref("Ruleset"), "The ruleset.")},
            ),
        },
        "/openapi.json": {
            "get": operation(
                "getOpenApi",
                "This document",
                tag="meta",
                security=PUBLIC,
                errors={},
                responses={"200": ok({"type": "object"}, "The OpenAPI document.")},
            ),
        },
    }


def conference_paths() -> dict[str, Schema]:
    conference = ok(ref("Conference"), "The conference.")
    action = merge(CSRF, RUN)
    return {
        "/conferences": {
            "get": operation(
                "listConferences",
                "Conferences the user may read",
                tag="conferences",
                security=SESSION,
                errors=LOGIN,
                responses={
                    "200": ok(
                        obj({"conferences": array(ref("ConferenceSummary"))}), "Newest first."
                    )
                },
            ),
            "post": operation(
                "createConference",
                "Set up a conference for one vote step",
                tag="conferences",
                security=SESSION_CSRF,
                description="Chairs and admins only. The conference starts as a draft.",
                body=json_body(
                    {
                        "allOf": [
                            ref("ConferenceInput"),
                            {"required": ["level", "flow", "step", "title", "held_on"]},
                        ],
                    }
                ),
                errors=merge(CSRF, BODY, LOGIN, {403: ["forbidden"]}, INVALID_FIELD),
                responses={"201": ok(ref("Conference"), "Created.")},
            ),
        },
        "/conferences/{public_id}": {
            "parameters": [PUBLIC_ID],
            "get": operation(
                "getConference",
                "One conference",
                tag="conferences",
                security=SESSION,
                errors=READ,
                responses={"200": conference},
            ),
            "patch": operation(
                "updateConference",
                "Change a draft conference's set-up",
                tag="conferences",
                security=SESSION_CSRF,
                body=json_body(ref("ConferenceInput")),
                errors=merge(action, BODY, DRAFT, INVALID_FIELD),
                responses={"200": conference},
            ),
        },
        "/conferences/{public_id}/attendance": {
            "parameters": [PUBLIC_ID],
            "put": operation(
                "setAttendance",
                "Mark people present or absent",
                tag="conferences",
                security=SESSION_CSRF,
                body=json_body(ref("Attendance")),
                errors=merge(action, BODY, DRAFT, INVALID_FIELD, {422: ["absence_reason_missing"]}),
                responses={"200": conference},
            ),
        },
        "/conferences/{public_id}/open": {
            "parameters": [PUBLIC_ID],
            "post": operation(
                "openBallot",
                "Open the ballot and issue one token per person present",
                tag="ballot",
                security=SESSION_CSRF,
                description=(
                    "The token links are returned once; the server keeps only hashes. "
                    'An optional body `{"paper": n}` pairs n of the tokens with printed paper '
                    "ballots instead of phone slips. The counting committee is checked first: "
                    "a head and a member present, and no member absent or on the ballot unless "
                    "their seat carries the chair's `committee_note` (set with the roster). A "
                    "conference naming no committee opens only without paper ballots."
                ),
                body=_optional(json_body(obj({"paper": integer()}, required=[]))),
                errors=merge(
                    action,
                    DRAFT,
                    INVALID_FIELD,
                    {
                        400: ["invalid_json"],
                        409: [
                            "no_positions",
                            "no_candidates",
                            "no_people",
                            "attendance_incomplete",
                            "nobody_present",
                            # The counting committee: a head and a member present, none
                            # absent or on the ballot unless the chair recorded why.
                            "committee_incomplete",
                            "committee_member_absent",
                            "committee_member_candidate",
                        ],
                    },
                ),
                responses={"200": ok(ref("Tokens"), "Opened.")},
            ),
        },
        "/conferences/{public_id}/handout": {
            "parameters": [PUBLIC_ID],
            "get": operation(
                "getHandout",
                "The kiosk's current token",
                tag="ballot",
                security=SESSION,
                errors=RUN,
                description=(
                    "The slip for the kiosk to show. With `token_id` (the slip the kiosk shows "
                    "now) the same slip while no phone has opened it; otherwise one chosen at "
                    "random among the unopened. Nothing records what was shown."
                ),
                parameters=[
                    {
                        "name": "token_id",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 64},
                        "description": "The slip the kiosk shows now.",
                    }
                ],
                responses={"200": ok(ref("Handout"), "The hand-out state.")},
            ),
        },
        "/conferences/{public_id}/handout/next": {
            "parameters": [PUBLIC_ID],
            "post": operation(
                "nextHandout",
                "Skip the kiosk's current token",
                tag="ballot",
                security=SESSION_CSRF,
                body=json_body(obj({"token_id": string()}, required=None)),
                errors=merge(action, BODY),
                responses={"200": ok(ref("Handout"), "The hand-out state.")},
            ),
        },
        "/conferences/{public_id}/tokens/void": {
            "parameters": [PUBLIC_ID],
            "post": operation(
                "voidToken",
                "Void an unused token and issue a replacement",
                tag="ballot",
                security=SESSION_CSRF,
                body=json_body(obj({"code": string("The code printed on the slip.")})),
                errors=merge(
                    action,
                    BODY,
                    {
                        404: ["unknown_token"],
                        409: ["ballot_not_open", "token_used", "token_void"],
                    },
                    INVALID_FIELD,
                ),
                responses={"200": ok(obj({"replacement": ref("Slip")}), "Voided.")},
            ),
        },
        "/conferences/{public_id}/close": {
            "parameters": [PUBLIC_ID],
            "post": operation(
                "closeBallot",
                "Stop accepting ballots",
                tag="ballot",
                security=SESSION_CSRF,
                errors=merge(action, {409: ["ballot_not_open"]}),
                responses={"200": conference},
            ),
        },
        "/conferences/{public_id}/paper/finish": {
            "parameters": [PUBLIC_ID],
            "post": operation(
                "finishPaperEntry",
                "Declare the paper ballots still out not returned",
                tag="ballot",
                security=SESSION_CSRF,
                errors=merge(
                    action,
                    {
                        409: [
                            "ballot_not_closed",
                            "conference_locked",
                            "no_paper_left",
                            "paper_entry_waiting",
                        ]
                    },
                ),
                responses={"200": conference},
                description=(
                    "After the close, while paper ballots are outstanding, the result is "
                    "withheld. When the rest will not come back, this counts them as not "
                    "returned, shows the result and allows a tie to be decided; paper entry "
                    "then refuses `paper_entry_finished`."
                ),
            ),
        },
        "/conferences/{public_id}/head-decision": {
            "parameters": [PUBLIC_ID],
            "post": operation(
                "recordHeadDecision",
                "Record (or correct, until lock) the head of unit's choice for a tie",
                tag="result",
                security=SESSION_CSRF,
                body=json_body(ref("HeadDecisionInput")),
                errors=merge(
                    action,
                    BODY,
                    {
                        409: ["conference_locked", "ballot_not_closed"],
                        422: ["invalid_field", "invalid_head_decision"],
                    },
                ),
                responses={"200": ok(obj({"decision": ref("Decision")}), "The new decision.")},
                description=(
                    "Sent again before lock with another choice, it replaces the recorded "
                    "one; the audit entry keeps the earlier choice and who decided it. "
                    "After lock it is refused with `conference_locked`."
                ),
            ),
        },
        "/conferences/{public_id}/lock": {
            "parameters": [PUBLIC_ID],
            "post": operation(
                "lockResult",
                "Freeze the result for ever",
                tag="result",
                security=SESSION_CSRF,
                errors=merge(
                    action,
                    {
                        409: [
                            "conference_locked",
                            "ballot_not_closed",
                            "head_decision_needed",
                            "paper_entry_waiting",
                        ]
                    },
                ),
                responses={
                    "200": ok(
                        obj(
                            {
                                "sha256": string("SHA-256 of the canonical result."),
                                "conference": ref("Conference"),
                            }
                        ),
                        "Locked.",
                    )
                },
            ),
        },
        "/conferences/{public_id}/minutes/record": {
            "parameters": [PUBLIC_ID],
            "get": operation(
                "getMinutesRecord",
                "The secretary's free fields of the minutes",
                tag="result",
                security=SESSION,
                errors=READ,
                responses={"200": ok(ref("MinutesRecord"), "The fields.")},
            ),
            "put": operation(
                "setMinutesRecord",
                "Set the secretary's free fields (before lock)",
                tag="result",
                security=SESSION_CSRF,
                body=json_body(ref("MinutesRecord")),
                errors=merge(
                    READ, CSRF, BODY, {409: ["conference_locked"], 422: ["invalid_field"]}
                ),
                responses={"200": ok(ref("MinutesRecord"), "The saved fields.")},
            ),
        },
        "/conferences/{public_id}/minutes/notes": {
            "parameters": [PUBLIC_ID],
            "get": operation(
                "listMinutesNotes",
                "Notes appended after lock",
                tag="result",
                security=SESSION,
                errors=READ,
                responses={"200": ok(obj({"notes": array(ref("MinutesNote"))}), "The notes.")},
            ),
            "post": operation(
                "addMinutesNote",
                "Append a dated note to the locked minutes",
                tag="result",
                security=SESSION_CSRF,
                body=json_body(obj({"text": string(maxLength=2000)}, required=["text"])),
                errors=merge(
                    READ, CSRF, BODY, {409: ["result_not_locked"], 422: ["invalid_field"]}
                ),
                responses={"201": ok(ref("MinutesNote"), "The note.")},
            ),
        },
        "/conferences/{public_id}/tally": {
            "parameters": [PUBLIC_ID],
            "get": operation(
                "getTally",
                "Live tally",
                tag="result",
                security=SESSION,
                errors=READ,
                responses={"200": ok(ref("Tally"), "The tally snapshot.")},
            ),
        },
        "/conferences/{public_id}/result": {
            "parameters": [PUBLIC_ID],
            "get": operation(
                "getResult",
                "The result document (a preview until locked)",
                tag="result",
                security=SESSION,
                errors=merge(READ, {409: ["ballot_not_closed", "result_withheld"]}),
                responses={
                    "200": ok(
                        obj(
                            {
                                "locked": boolean(),
                                "sha256": nullable(string()),
                                "result": ref("Result"),
                            }
                        ),
                        "The result.",
                    )
                },
            ),
        },
    }


def ballot_paths() -> dict[str, Schema]:
    no_store = {"Cache-Control": {"schema": string(enum=["no-store"])}}
    return {
        "/ballots/{credential}": {
            "parameters": [CREDENTIAL],
            "get": operation(
                "getBallot",
                "What a phone shows for a token",
                tag="voting",
                security=PUBLIC,
                errors=TOKEN_LOOKUP,
                description="The token is the credential; no session is involved.",
                responses={
                    "200": {**ok(ref("BallotDefinition"), "The ballot."), "headers": no_store}
                },
            ),
        },
        "/ballots": {
            "post": operation(
                "castBallot",
                "Cast a ballot",
                tag="voting",
                security=PUBLIC,
                description=(
                    "Needs no session and no CSRF token: the ballot token is the credential. "
                    "A token votes once; a refused request changes nothing."
                ),
                body=json_body(ref("CastRequest")),
                errors=merge(
                    BODY,
                    TOKEN_LOOKUP,
                    {
                        400: ["invalid_choices"],
                        422: [
                            "unknown_position",
                            "unknown_candidate",
                            "duplicate_candidate",
                            "over_quota",
                        ],
                    },
                ),
                responses={"201": {**ok(ref("CastResponse"), "Recorded."), "headers": no_store}},
            ),
        },
    }


def components() -> Schema:
    return {
        "schemas": schemas(),
        "parameters": {
            "PublicId": {
                "name": "public_id",
                "in": "path",
                "required": True,
                "description": "The conference's public id.",
                "schema": string(),
            },
            "Credential": {
                "name": "credential",
                "in": "path",
                "required": True,
                "description": "Signed ballot token (from the QR) or the slip's short code.",
                "schema": string(maxLength=512),
            },
        },
        "securitySchemes": {
            "session": {
                "type": "apiKey",
                "in": "cookie",
                "name": "session",
                "description": "Session cookie set by `POST /session`.",
            },
            "csrf": {
                "type": "apiKey",
                "in": "header",
                "name": "X-CSRFToken",
                "description": (
                    "The session's CSRF token (from `GET /session` or `POST /session`), "
                    "required on every POST, PUT, PATCH and DELETE except `POST /session` "
                    "and `POST /ballots`. A missing or wrong token gives 400 `csrf_failed`."
                ),
            },
        },
    }


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": TITLE,
            "version": "1",
            "description": (
                "JSON API of the voting server. Errors are "
                '`{"error": {"code", "message", "details"?}}` with a 4xx status; '
                "`code` is stable. State changes need the session cookie and the "
                "`X-CSRFToken` header, except logging in (`POST /session`) and casting a "
                "ballot (`POST /ballots`), which need no CSRF token."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "tags": [
            {"name": n}
            for n in ("session", "ruleset", "conferences", "ballot", "result", "voting", "meta")
        ],
        "paths": {**session_paths(), **conference_paths(), **ballot_paths()},
        "components": components(),
    }
