"""Every route × every role, against an explicit table of what is allowed.

Roles: ``anonymous`` (no login, no ballot token), ``attendee`` (no login, holds
a valid ballot token of the conference), ``owner`` (the chair who set the
conference up), ``other`` (another chair), ``secretary`` (the secretary
account assigned to the conference) and ``admin``.

Outcomes, read from the response:

- ``ok``: the request got past access control (2xx, a redirect that is not to
  the login page, or a refusal about the request itself such as 409 or 422);
- ``login``: 401 ``login_required`` or a redirect to ``/login?next=…``;
- ``forbidden``: 403 ``forbidden`` (the role may read but not run);
- ``hidden``: 404 ``conference_not_found`` (another chair's conference looks
  exactly like a missing one);
- ``no_token``: a ballot route without a valid ballot token
  (``invalid_token``/``unknown_token``: a login grants no ballot).

A 5xx fails the test. A route that appears in the app without a row here, or a
row without its route, fails it too: a new route is a new access decision.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Api, token_of
from voting.extensions import socketio

ROLES = ("anonymous", "attendee", "owner", "other", "secretary", "admin")

PUBLIC = dict.fromkeys(ROLES, "ok")
LOGGED_IN = {**PUBLIC, "anonymous": "login", "attendee": "login"}
READ = {**LOGGED_IN, "other": "hidden"}  # owner, assigned secretary, admin
RUN = {**READ, "secretary": "forbidden"}  # owner, admin
SET_UP = {**LOGGED_IN, "secretary": "forbidden"}  # any chair, admin
ADMIN = {**LOGGED_IN, "owner": "forbidden", "other": "forbidden", "secretary": "forbidden"}
BALLOT = {**dict.fromkeys(ROLES, "no_token"), "attendee": "ok"}

#: (rule, method) -> expected outcome per role.
EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    ("/", "GET"): LOGGED_IN,
    ("/account", "GET"): LOGGED_IN,
    ("/account", "POST"): LOGGED_IN,
    ("/login", "GET"): PUBLIC,
    ("/login", "POST"): PUBLIC,
    ("/logout", "POST"): PUBLIC,
    ("/users", "GET"): ADMIN,
    ("/users", "POST"): ADMIN,
    ("/healthz", "GET"): PUBLIC,
    ("/favicon.ico", "GET"): PUBLIC,
    ("/static/<path:filename>", "GET"): PUBLIC,
    # The attendee's phone.
    ("/v", "GET"): PUBLIC,
    ("/v", "POST"): PUBLIC,
    ("/k", "GET"): PUBLIC,  # the kiosk's code form (binds the slip it opens to the phone)
    ("/v/<credential>", "GET"): BALLOT,
    ("/v/<credential>", "POST"): BALLOT,
    ("/api/v1/ballots/<credential>", "GET"): BALLOT,
    ("/api/v1/ballots", "POST"): BALLOT,
    # The booth: any browser the chair points at it; the slip is the ballot's credential.
    ("/b/<signed>", "GET"): PUBLIC,
    ("/b/<signed>", "POST"): PUBLIC,
    ("/b/<signed>/cast", "POST"): BALLOT,
    # Public after the close: every receipt code, nothing about choices.
    ("/r/<public_id>", "GET"): PUBLIC,
    # The chair's pages.
    ("/conferences/new", "GET"): SET_UP,
    ("/conferences/new", "POST"): SET_UP,
    ("/c/<public_id>", "GET"): READ,
    ("/c/<public_id>/projector", "GET"): READ,
    ("/c/<public_id>/minutes/<kind>", "GET"): READ,
    ("/c/<public_id>/result.json", "GET"): READ,
    ("/c/<public_id>/minutes/<kind>.docx", "GET"): READ,
    ("/c/<public_id>/minutes/<kind>.pdf", "GET"): READ,
    ("/c/<public_id>/dossier.zip", "GET"): READ,
    # The secretary fills the minutes: the assigned secretary may, like the chair.
    ("/c/<public_id>/minutes/record", "POST"): READ,
    ("/c/<public_id>/minutes/notes", "POST"): READ,
    ("/c/<public_id>/results.xlsx", "GET"): READ,
    ("/c/<public_id>/results.csv", "GET"): READ,
    ("/c/<public_id>/edit", "GET"): RUN,
    ("/c/<public_id>/edit", "POST"): RUN,
    ("/c/<public_id>/handout/sheet", "GET"): RUN,
    ("/c/<public_id>/handout/kiosk", "GET"): RUN,
    ("/c/<public_id>/attendance", "POST"): RUN,
    ("/c/<public_id>/open", "POST"): RUN,
    ("/c/<public_id>/void", "POST"): RUN,
    ("/c/<public_id>/head-decision", "POST"): RUN,
    ("/c/<public_id>/close", "POST"): RUN,
    ("/c/<public_id>/lock", "POST"): RUN,
    # Paper ballots and the booth: the chair's (and the committee at the chair's laptop).
    ("/c/<public_id>/paper", "GET"): RUN,
    ("/c/<public_id>/paper/convert", "POST"): RUN,
    ("/c/<public_id>/paper/entry", "GET"): RUN,
    ("/c/<public_id>/paper/entry", "POST"): RUN,
    ("/c/<public_id>/paper/pins", "GET"): RUN,
    ("/c/<public_id>/paper/pins", "POST"): RUN,
    ("/c/<public_id>/booth", "GET"): RUN,
    # Planning processes: like a conference, the owner runs, the assigned secretary reads.
    ("/processes", "GET"): LOGGED_IN,
    ("/processes/new", "GET"): SET_UP,
    ("/processes/new", "POST"): SET_UP,
    ("/p/<public_id>", "GET"): READ,
    ("/p/<public_id>/dossier.zip", "GET"): READ,
    ("/p/<public_id>/drafts/<filename>", "GET"): READ,
    ("/p/<public_id>/attachments/<int:attachment_id>", "GET"): READ,
    ("/p/<public_id>/dates", "POST"): RUN,
    ("/p/<public_id>/steps/<step>", "POST"): RUN,
    # The approved list and the register: every account reads, chairs and admins write.
    ("/planning", "GET"): LOGGED_IN,
    ("/planning/exits", "GET"): LOGGED_IN,
    ("/planning/<int:entry_id>/exit", "POST"): SET_UP,
    ("/register", "GET"): LOGGED_IN,
    ("/register", "POST"): SET_UP,
    ("/register/<int:unit_id>", "GET"): LOGGED_IN,
    ("/register/<int:unit_id>", "POST"): SET_UP,
    ("/register/<int:unit_id>/reference", "POST"): SET_UP,
    ("/register/<int:unit_id>/import", "POST"): SET_UP,
    ("/register/<int:unit_id>/register.<fmt>", "GET"): LOGGED_IN,
    ("/register/member/<int:member_id>/discipline", "POST"): SET_UP,
    ("/register/member/<int:member_id>", "GET"): SET_UP,
    ("/register/member/<int:member_id>", "POST"): SET_UP,
    # The JSON API.
    ("/api/v1/openapi.json", "GET"): PUBLIC,
    ("/api/v1/ruleset", "GET"): PUBLIC,
    ("/api/v1/session", "GET"): PUBLIC,
    ("/api/v1/session", "POST"): PUBLIC,
    ("/api/v1/session", "DELETE"): PUBLIC,
    ("/api/v1/conferences", "GET"): LOGGED_IN,
    ("/api/v1/conferences", "POST"): SET_UP,
    ("/api/v1/conferences/<public_id>", "GET"): READ,
    ("/api/v1/conferences/<public_id>/tally", "GET"): READ,
    ("/api/v1/conferences/<public_id>/result", "GET"): READ,
    ("/api/v1/conferences/<public_id>/minutes/record", "GET"): READ,
    ("/api/v1/conferences/<public_id>/minutes/record", "PUT"): READ,
    ("/api/v1/conferences/<public_id>/minutes/notes", "GET"): READ,
    ("/api/v1/conferences/<public_id>/minutes/notes", "POST"): READ,
    ("/api/v1/conferences/<public_id>", "PATCH"): RUN,
    ("/api/v1/conferences/<public_id>/attendance", "PUT"): RUN,
    ("/api/v1/conferences/<public_id>/open", "POST"): RUN,
    ("/api/v1/conferences/<public_id>/handout", "GET"): RUN,
    ("/api/v1/conferences/<public_id>/handout/next", "POST"): RUN,
    ("/api/v1/conferences/<public_id>/tokens/void", "POST"): RUN,
    ("/api/v1/conferences/<public_id>/head-decision", "POST"): RUN,
    ("/api/v1/conferences/<public_id>/close", "POST"): RUN,
    ("/api/v1/conferences/<public_id>/paper/finish", "POST"): RUN,
    ("/api/v1/conferences/<public_id>/lock", "POST"): RUN,
    ("/api/v1/processes", "GET"): LOGGED_IN,
    ("/api/v1/processes", "POST"): SET_UP,
    ("/api/v1/processes/<process_id>", "GET"): READ,
    ("/api/v1/processes/<process_id>/steps/<step>/<action>", "POST"): RUN,
    ("/api/v1/processes/<process_id>/due-dates", "PUT"): RUN,
    ("/api/v1/processes/<process_id>/steps/<step>/consult/file", "POST"): RUN,
    ("/api/v1/processes/<process_id>/attachments/<int:attachment_id>", "GET"): READ,
    ("/api/v1/processes/<process_id>/drafts/<draft>", "GET"): READ,
    ("/api/v1/planning", "GET"): LOGGED_IN,
    ("/api/v1/planning/history", "GET"): LOGGED_IN,
    ("/api/v1/planning/exits", "GET"): LOGGED_IN,
    ("/api/v1/planning/entries/<int:entry_id>/exit", "POST"): SET_UP,
    ("/api/v1/units", "GET"): LOGGED_IN,
    ("/api/v1/units", "POST"): SET_UP,
    ("/api/v1/units/<int:unit_id>", "GET"): LOGGED_IN,
    ("/api/v1/units/<int:unit_id>/register", "POST"): SET_UP,
    ("/api/v1/units/<int:unit_id>/register.<fmt>", "GET"): LOGGED_IN,
}

#: Bodies that pass access control but change nothing (refused for their content).
JSON_BODIES = {
    "/api/v1/session": {},
    "/api/v1/conferences": {},
    "/api/v1/conferences/<public_id>": {"title": ""},
    "/api/v1/conferences/<public_id>/attendance": {"attendance": "nope"},
    "/api/v1/conferences/<public_id>/handout/next": {},
    "/api/v1/conferences/<public_id>/tokens/void": {},
    "/api/v1/conferences/<public_id>/head-decision": {},
    "/api/v1/conferences/<public_id>/minutes/record": {"copies": 99},
    "/api/v1/conferences/<public_id>/minutes/notes": {"text": ""},
    "/api/v1/processes": {},
    # "carry" on the consultation step: refused as the wrong kind of step.
    "/api/v1/processes/<process_id>/steps/<step>/<action>": {},
    "/api/v1/processes/<process_id>/due-dates": {"B9": ""},
    "/api/v1/planning/entries/<int:entry_id>/exit": {},
    "/api/v1/units": {},
}
#: Run last: they change the conference's state for the roles allowed to.
STATE_CHANGES = ("/close", "/lock")

PASSWORDS = {
    "owner": ("chair", "chair-password"),
    "other": ("other", "other-password"),
    "secretary": ("secretary", "secretary-password"),
    "admin": ("admin", "admin-password"),
}

REFUSAL_CODES = {
    "login_required": "login",
    "forbidden": "forbidden",
    "conference_not_found": "hidden",
    "process_not_found": "hidden",
    "invalid_token": "no_token",
    "unknown_token": "no_token",
    "unknown_code": "no_token",
}


def app_routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


def test_every_route_has_an_entry(app: Flask) -> None:
    routes = app_routes(app)
    assert sorted(routes - EXPECTED.keys()) == [], "new routes need a row in EXPECTED"
    assert sorted(EXPECTED.keys() - routes) == [], "rows for routes that no longer exist"


def error_code(response: Any) -> str | None:
    if response.is_json:
        return ((response.get_json() or {}).get("error") or {}).get("code")
    text = response.get_data(as_text=True)
    found = re.search(r'data-code="([a-z_]+)"', text) or re.search(r"<code>([a-z_]+)</code>", text)
    return found.group(1) if found else None


def classify(response: Any) -> str:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/login?next=" in location:
        return "login"
    if response.status_code in (400, 401, 403, 404):
        outcome = REFUSAL_CODES.get(error_code(response) or "")
        if outcome:
            return outcome
    return "ok"


@pytest.fixture
def scene(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> dict[str, Any]:
    """One open conference with its secretary assigned, and a client per role."""
    conf = create_conference(summoned=12, open_it=False)
    r = chair_api.patch(
        f"/api/v1/conferences/{conf['id']}", json={"secretary_username": "secretary"}
    )
    assert r.status_code == 200, r.get_json()
    r = chair_api.post(f"/api/v1/conferences/{conf['id']}/open")
    assert r.status_code == 200, r.get_json()
    tokens = [token_of(t) for t in r.get_json()["tokens"]]
    cookies: dict[str, str | None] = {"anonymous": None, "attendee": None}
    csrf: dict[str, str] = {}
    for role in ROLES:
        client = app.test_client()
        if role in PASSWORDS:
            username, password = PASSWORDS[role]
            body = client.post(
                "/api/v1/session", json={"username": username, "password": password}
            ).get_json()
        else:
            body = client.get("/api/v1/session").get_json()
        cookie = client.get_cookie("session")
        assert cookie is not None
        cookies[role] = cookie.value
        csrf[role] = body["csrf_token"]
    return {
        "conf": conf,
        "tokens": tokens,
        "cookies": cookies,
        "csrf": csrf,
        **planning_scene(app),
    }


def planning_scene(app: Flask) -> dict[str, Any]:
    """A process (secretary assigned) with an uploaded letter, and a planning-list entry."""
    from datetime import date

    import sqlalchemy as sa

    from voting.auth.models import User
    from voting.conferences.rules import current_ruleset
    from voting.extensions import db
    from voting.personnel.operations import add_members, create_unit
    from voting.planning.consultation import record_consultation
    from voting.planning.models import Attachment, PlanningEntry
    from voting.planning.processes import create_process
    from voting.planning.records import approve_list, record_source_list
    from voting.planning.steps import incoming

    with app.app_context():
        ruleset = current_ruleset()
        unit = create_unit({"name": "Cục THADS tỉnh Kiên Giang"})
        members = add_members(unit, [{"name": "Phạm Thị Yến", "roles": ["cuc-leader"]}], ruleset)
        chair = db.session.scalar(sa.select(User).where(User.username == "chair"))
        process = create_process(
            chair,
            {
                "unit_id": unit.id,
                "level": "cuc",
                "flow": "annual-external",
                "period": "2026",
                "title": "Bổ sung quy hoạch 2026",
                "positions": [{"name": "Phó Cục trưởng", "quota": 1}],
                "secretary_username": "secretary",
            },
            ruleset,
        )
        steps = process.steps
        position = process.positions[0].id
        nominee = {"position": position, "name": "Trần Văn Nam", "agency": "Cục THADS An Giang"}
        record_source_list(process, steps[0], {"nominees": [nominee]}, ruleset)
        nominees = incoming(process, steps[1])
        approve_list(
            process, steps[1], {"meeting_on": "2026-11-05", "approved": [nominees[0].id]}, ruleset
        )
        record_consultation(
            process,
            steps[2],
            nominees[0].id,
            {"met_on": "2026-11-10"},
            ruleset,
            upload=("y-kien.pdf", "application/pdf", b"%PDF-1.4"),
        )
        entry = PlanningEntry(
            unit_id=unit.id,
            level="cuc",
            position_name="Phó Cục trưởng",
            name="Lê Văn Hùng",
            entered_on=date(2025, 12, 1),
        )
        db.session.add(entry)
        db.session.commit()
        return {
            "process": process.public_id,
            "attachment": db.session.scalar(sa.select(Attachment.id)),
            "entry": entry.id,
            "unit": unit.id,
            "member": members[0].id,
        }


def client_as(app: Flask, scene: dict[str, Any], role: str) -> FlaskClient:
    """A fresh client carrying the role's session (logging out one changes no other)."""
    client = app.test_client()
    client.set_cookie("session", scene["cookies"][role])
    return client


def booth_signature(app: Flask, conf_id: str) -> str:
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(app.config["SECRET_KEY"], salt="voting.booth").dumps(conf_id)


def request_for(app: Flask, scene: dict[str, Any], rule: str, method: str, role: str) -> Any:
    conf_id = scene["process"] if rule.startswith("/p/") else scene["conf"]["id"]
    credential = "WyJub3QiLCJ2YWxpZCJd.forged"
    if role == "attendee" and EXPECTED[(rule, method)] is BALLOT:
        credential = scene["tokens"].pop()  # a fresh token for each ballot route
    path = (
        rule.replace("<public_id>", conf_id)
        .replace("<credential>", credential)
        .replace("<kind>", "counting")
        .replace("<path:filename>", "css/app.css")
        .replace("<signed>", booth_signature(app, scene["conf"]["id"]))
        .replace("<process_id>", scene["process"])
        .replace("<action>", "carry")
        .replace("<step>", "B3")
        .replace("<fmt>", "xlsx")
        .replace("<int:attachment_id>", str(scene["attachment"]))
        .replace("<int:entry_id>", str(scene["entry"]))
        .replace("<int:unit_id>", str(scene["unit"]))
        .replace("<int:member_id>", str(scene["member"]))
    )
    headers = {"X-CSRFToken": scene["csrf"][role], "Accept": "application/json"}
    kwargs: dict[str, Any] = {"headers": headers}
    if rule in ("/api/v1/ballots", "/b/<signed>/cast"):
        kwargs["json"] = {"token": credential, "choices": {"p1": ["c1"]}}
    elif rule.startswith("/api/") and method != "GET" and rule in JSON_BODIES:
        kwargs["json"] = JSON_BODIES[rule]
    elif method == "POST":
        kwargs["data"] = {"csrf_token": scene["csrf"][role]}
        if rule == "/v/<credential>":
            kwargs["data"]["p1.c1"] = "agree"
        if rule == "/v":
            kwargs["data"]["code"] = "ACDEF-GHJKM"
    return client_as(app, scene, role).open(path, method=method, **kwargs)


def test_access_matrix(app: Flask, scene: dict[str, Any]) -> None:
    order = sorted(EXPECTED, key=lambda k: (k[0].endswith(STATE_CHANGES), k[1] != "GET", k))
    seen: dict[tuple[str, str, str], str] = {}
    for rule, method in order:
        for role in ROLES:
            seen[(rule, method, role)] = classify(request_for(app, scene, rule, method, role))
    wrong = {
        key: (got, EXPECTED[key[:2]][key[2]])
        for key, got in seen.items()
        if got != EXPECTED[key[:2]][key[2]]
    }
    assert wrong == {}, "(rule, method, role): (got, expected)"
    assert len(seen) == len(EXPECTED) * len(ROLES)


#: Socket.IO views: who may connect to which view of the conference.
SOCKET_EXPECTED = {
    "chair": {r: r in ("owner", "secretary", "admin") for r in ROLES},
    "projector": {r: r in ("owner", "secretary", "admin") for r in ROLES},
    "ballot": dict.fromkeys(ROLES, True),  # turnout only, for the phones
}


def test_socket_views_by_role(app: Flask, scene: dict[str, Any]) -> None:
    conf_id = scene["conf"]["id"]
    for view, allowed in SOCKET_EXPECTED.items():
        for role in ROLES:
            client = socketio.test_client(
                app,
                flask_test_client=client_as(app, scene, role),
                auth={"conference": conf_id, "view": view},
            )
            assert client.is_connected() == allowed[role], (view, role)
            if client.is_connected():
                names = {e["name"] for e in client.get_received()}
                # Only the chair view carries per-candidate numbers.
                assert names == ({"tally", "turnout"} if view == "chair" else {"turnout"})
                reply = client.emit("snapshot", {"conference": conf_id}, callback=True)
                assert set(reply) == {"conference", "status", "present", "received"}
                client.disconnect()
    # Unknown views and conferences are refused whoever asks.
    for role in ("anonymous", "admin"):
        for auth in (
            {"conference": conf_id, "view": "admin"},
            {"conference": "x", "view": "chair"},
        ):
            client = socketio.test_client(
                app, flask_test_client=client_as(app, scene, role), auth=auth
            )
            assert not client.is_connected(), (role, auth)


def test_security_headers_on_every_kind_of_response(app: Flask, scene: dict[str, Any]) -> None:
    conf_id = scene["conf"]["id"]
    owner = client_as(app, scene, "owner")
    anonymous = app.test_client()
    responses = {
        "chair page": owner.get(f"/c/{conf_id}"),
        "login page": anonymous.get("/login"),
        "ballot page": anonymous.get(f"/v/{scene['tokens'][0]}"),
        "refused ballot": anonymous.get("/v/forged"),
        "code page": anonymous.get("/v"),
        "API": anonymous.get("/api/v1/session"),
        "API error": anonymous.get(f"/api/v1/conferences/{conf_id}"),
        "error page": owner.get("/no-such-page"),
        "static file": anonymous.get("/static/css/app.css"),
    }
    for name, r in responses.items():
        csp = r.headers.get("Content-Security-Policy", "")
        directives = dict(
            [*part.strip().split(" ", 1), ""][:2] for part in csp.split(";") if part.strip()
        )
        assert directives.get("frame-ancestors") == "'none'", name
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, name
        assert directives.get("script-src") == "'self'", name
        assert directives.get("default-src") == "'self'", name
        assert r.headers.get("X-Content-Type-Options") == "nosniff", name
        # A ballot's URL is its credential: it never leaves as a Referer. Elsewhere the
        # Referer goes to this site only (Flask-WTF checks it on HTTPS forms).
        credential_in_url = name in ("ballot page", "refused ballot")
        expected = "no-referrer" if credential_in_url else "same-origin"
        assert r.headers.get("Referrer-Policy") == expected, name
        if r.mimetype == "text/html":
            html = r.get_data(as_text=True)
            # No inline script: every <script> has a src, or is an inert JSON data block.
            for tag in re.findall(r"<script\b[^>]*>", html):
                assert "src=" in tag or 'type="application/json"' in tag, (name, tag)
            assert not re.search(r"\son[a-z]+=", html), name  # no inline event handlers
    for name in ("ballot page", "refused ballot"):
        assert responses[name].headers["Cache-Control"] == "no-store", name


def test_session_cookie_is_httponly_and_samesite_lax(app: Flask) -> None:
    for login in (
        lambda c: c.post(
            "/api/v1/session", json={"username": "chair", "password": "chair-password"}
        ),
        lambda c: c.get("/api/v1/session"),
    ):
        r = login(app.test_client())
        cookies = [h for h in r.headers.getlist("Set-Cookie") if h.startswith("session=")]
        assert cookies, r.headers
        for header in cookies:
            attributes = {a.strip().split("=")[0].lower(): a for a in header.split(";")[1:]}
            assert "httponly" in attributes
            assert attributes["samesite"].strip().lower() == "samesite=lax"
            assert "secure" not in attributes  # plain HTTP on the LAN by default
    r = app.test_client().get("/login?lang=en")
    lang = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("lang="))
    assert "SameSite=Lax" in lang


def test_login_form_is_rate_limited_per_address(app: Flask) -> None:
    def attempt(address: str, password: str) -> int:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token
        return client.post(
            "/login",
            data={"username": "chair", "password": password, "csrf_token": token.group(1)},
        ).status_code

    for _ in range(10):
        assert attempt("198.51.100.7", "wrong-password") == 401
    # Blocked now, even with the right password; another address is not.
    assert attempt("198.51.100.7", "chair-password") == 429
    assert attempt("198.51.100.8", "chair-password") == 302
