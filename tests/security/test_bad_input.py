"""Bad input gets a clear 4xx with a stable code, never a 5xx, and changes nothing.

(a) Schemathesis generates requests from ``/api/v1/openapi.json`` — conforming
    and non-conforming — for every operation, signed in as the chair, with the
    conference ids left to chance and pinned to real conferences in every state.
(b) Hypothesis fuzzes the ballot endpoints (JSON and the phone's plain form) and
    the set-up (API and HTML form) with malformed, oversized, wrong-typed,
    forged and foreign tokens, other conferences' ids, closed and locked
    conferences, replays, unknown candidates and too many choices: each refusal
    has the code its cause calls for, and the database — every row of every
    table — is exactly as before.
(c) A body above ``MAX_CONTENT_LENGTH`` gets 413 ``request_too_large``.
"""

from __future__ import annotations

import io
import json
import string
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.conftest import Api, conference_payload, token_of
from tests.security.apps import app_on, login
from tests.security.apps import create_conference as make_conference
from voting.ballots.tokens import CODE_ALPHABET, format_code, sign, unsign
from voting.extensions import db

KEY = "test-secret-key"
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same examples on every run
    database=None,
    suppress_health_check=list(HealthCheck),
)

#: Requests sent per test, reported at the end of the run (see the module's summary).
SENT: Counter[str] = Counter()
TIMES: dict[str, float] = {}


def error_of(response: Any) -> dict[str, Any]:
    """The ``{"code", "message"}`` of a JSON error (asserting the shape).

    ``response`` is Flask's test response, or Schemathesis' (``content`` bytes).
    """
    if hasattr(response, "get_json"):
        assert response.is_json, (response.status_code, response.get_data(as_text=True)[:300])
        body = response.get_json()
    else:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/json"), (response.status_code, content_type)
        body = json.loads(response.content)
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), body
    error = body["error"]
    assert isinstance(error.get("code"), str) and error["code"], body
    assert isinstance(error.get("message"), str) and error["message"], body
    return error


def page_code(response: Any) -> str | None:
    """The stable code an HTML refusal page carries."""
    import re

    text = response.get_data(as_text=True)
    found = re.search(r'data-code="([a-z_]+)"', text) or re.search(r"<code>([a-z_]+)</code>", text)
    return found.group(1) if found else None


def snapshot(app: Flask) -> dict[str, list[str]]:
    """Every row of every table, as sorted text: what "nothing changed" compares."""
    with app.app_context():
        tables = sa.inspect(db.engine).get_table_names()
        state = {
            table: sorted(
                repr(tuple(row)) for row in db.session.execute(sa.text(f'SELECT * FROM "{table}"'))
            )
            for table in tables
        }
        db.session.rollback()
    return state


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.services)]


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """This module's app: on SQLite, and again on a fresh PostgreSQL database."""
    with app_on(request.param, tmp_path) as app:
        yield app


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """Conferences in every state, tokens in every state, and a chair's client.

    - ``open``: open, 8 tokens: 2 used, 1 voided (and its replacement), the rest fresh;
    - ``other_open``: another open conference of the same chair (foreign tokens);
    - ``closed`` and ``locked``: one unused token each;
    - ``draft``: not open yet; ``stranger``: another chair's draft.
    """
    chair_api = login(app, "chair")

    def create_conference(**kw: Any) -> dict[str, Any]:
        return make_conference(chair_api, **kw)

    phone = app.test_client()

    def cast(token: dict[str, str]) -> None:
        r = phone.post("/api/v1/ballots", json={"token": token_of(token), "choices": {}})
        assert r.status_code == 201, r.get_json()

    open_ = create_conference(summoned=8)
    other_open = create_conference(summoned=3)
    closed = create_conference(summoned=2)
    locked = create_conference(summoned=2)
    draft = create_conference(summoned=4, open_it=False)
    cast(open_["tokens"][0])
    cast(open_["tokens"][1])
    r = chair_api.post(
        f"/api/v1/conferences/{open_['id']}/tokens/void", json={"code": open_["tokens"][2]["code"]}
    )
    assert r.status_code == 200
    cast(closed["tokens"][1])
    cast(locked["tokens"][1])
    assert chair_api.post(f"/api/v1/conferences/{closed['id']}/close").status_code == 200
    assert chair_api.post(f"/api/v1/conferences/{locked['id']}/close").status_code == 200
    assert chair_api.post(f"/api/v1/conferences/{locked['id']}/lock").status_code == 200
    other = login(app, "other")
    r = other.post("/api/v1/conferences", json=conference_payload(summoned=2))
    assert r.status_code == 201
    stranger = r.get_json()

    fresh = open_["tokens"][3:]
    tokens_by_kind: dict[str, list[dict[str, str]]] = {
        "used": open_["tokens"][:2],
        "void": [open_["tokens"][2]],
        "closed": [closed["tokens"][0]],
        "locked": [locked["tokens"][0]],
        "fresh": fresh,
    }
    return {
        "chair": chair_api,
        "open": open_,
        "other_open": other_open,
        "closed": closed,
        "locked": locked,
        "draft": draft,
        "stranger": stranger,
        "tokens": tokens_by_kind,
        "ids": [c["id"] for c in (open_, other_open, closed, locked, draft, stranger)],
    }


# --------------------------------------------------------------------------------------
# (a) Schemathesis: every operation of the OpenAPI document, as the chair.


def test_openapi_operations_never_fail_with_5xx(app: Flask, world: dict[str, Any]) -> None:
    chair: Api = world["chair"]
    cookie = chair.client.get_cookie("session")
    assert cookie is not None
    session_cookie, csrf = cookie.value, chair.csrf
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    credentials = [token_of(t) for t in world["tokens"]["used"] + world["tokens"]["closed"]]
    credentials += [t["code"] for t in world["tokens"]["void"]]
    statuses: Counter[int] = Counter()

    for operation in operations:
        pinned: dict[str, st.SearchStrategy[Any]] = {}
        if "{public_id}" in operation.path:
            pinned["public_id"] = st.sampled_from(world["ids"])
        if "{credential}" in operation.path:
            pinned["credential"] = st.sampled_from(credentials)
        strategies = [operation.as_strategy(mode) for mode in GenerationMode]
        if pinned:
            strategies += [
                st.fixed_dictionaries(pinned).flatmap(
                    lambda params, mode=mode, operation=operation: operation.as_strategy(
                        mode, path_parameters=params
                    )
                )
                for mode in GenerationMode
            ]
        for i, strategy in enumerate(strategies):
            # 30 examples per operation and mode, split between the two kinds of ids.
            @settings(FUZZ, max_examples=15 if pinned else 30)
            @given(case=strategy)
            def run(case: Any) -> None:
                # A fresh client each time: a generated logout must not end the session.
                client = app.test_client()
                response = case.call(
                    session=client,
                    headers={"X-CSRFToken": csrf},
                    cookies={"session": session_cookie},
                )
                statuses[response.status_code] += 1
                assert response.status_code < 500, (
                    case.method,
                    case.formatted_path,
                    response.content[:500],
                )
                if response.status_code >= 400:
                    error_of(response)

            started = time.perf_counter()
            try:
                run()
            except Unsatisfiable:
                # Nothing in the document can be broken (e.g. no parameters, no body).
                assert i % 2 == 1, f"{operation.label}: no conforming request"
            TIMES[f"{operation.label} #{i}"] = time.perf_counter() - started
    SENT["schemathesis"] += sum(statuses.values())
    # The generated requests reached real work, not only refusals.
    assert sum(n for s, n in statuses.items() if s < 300) > 50, statuses
    assert not [s for s in statuses if s >= 500]


# --------------------------------------------------------------------------------------
# (b) Hypothesis: the ballot endpoints and the set-up, with the database compared.

#: Text no database takes as it is: NUL (PostgreSQL), lone surrogates (any driver),
#: longer than a VARCHAR(200) column (PostgreSQL).
NASTY_TEXT = st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfff", "Ư" * 250, "😀" * 70])
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | NASTY_TEXT,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=10,
)
TEXT = st.text(max_size=40) | st.text(alphabet=string.printable, min_size=500, max_size=700)
CHOICE_REFUSALS = {
    "invalid_choices",
    "unknown_position",
    "unknown_candidate",
    "duplicate_candidate",
    "over_quota",
}


def bad_choices() -> st.SearchStrategy[Any]:
    """Choices no valid paper ballot could carry (for a token that may still vote)."""
    candidate = st.sampled_from(["c1", "c2", "c3"])
    return st.one_of(
        JSON.filter(lambda v: not isinstance(v, dict)),  # not a mapping
        st.dictionaries(  # an unknown position
            st.text(max_size=6).filter(lambda k: k != "p1"), JSON, min_size=1, max_size=3
        ),
        st.fixed_dictionaries({"p1": JSON.filter(lambda v: not isinstance(v, list))}),
        st.fixed_dictionaries(  # a candidate that is not a string
            {
                "p1": st.lists(JSON, min_size=1).filter(
                    lambda v: not all(isinstance(c, str) for c in v)
                )
            }
        ),
        st.fixed_dictionaries(  # an unknown candidate
            {
                "p1": st.lists(st.text(max_size=8), min_size=1).filter(
                    lambda v: any(c not in ("c1", "c2", "c3") for c in v)
                )
            }
        ),
        st.fixed_dictionaries({"p1": candidate.map(lambda c: [c, c])}),  # twice
        st.fixed_dictionaries({"p1": st.permutations(["c1", "c2", "c3"])}),  # over the quota 2
    )


def credentials(world: dict[str, Any]) -> st.SearchStrategy[tuple[str, Any, set[str]]]:
    """(kind, credential, the codes its refusal may carry) for every kind of bad credential."""
    tokens = world["tokens"]
    open_id, other_id = world["open"]["id"], world["other_open"]["id"]
    fresh_secrets = [unsign(KEY, token_of(t))[1] for t in tokens["fresh"]]  # type: ignore[index]

    def issued(kind: str, codes: set[str]) -> st.SearchStrategy[tuple[str, Any, set[str]]]:
        as_token = st.sampled_from([token_of(t) for t in tokens[kind]])
        as_code = st.sampled_from(
            [t["code"] for t in tokens[kind]]
            + [t["code"].replace("-", "").lower() for t in tokens[kind]]
        )
        return st.tuples(st.just(kind), as_token | as_code, st.just(codes))

    def tampered(token: str, i: int, ch: str) -> str:
        # One character of the payload changed. Not its last one: a base64 tail has
        # spare bits, so a different last character can decode to the same bytes.
        payload, signature = token.rsplit(".", 1)
        i %= len(payload) - 1
        ch = ch if payload[i] != ch else ("A" if ch != "A" else "B")
        return f"{payload[:i]}{ch}{payload[i + 1 :]}.{signature}"

    real = st.sampled_from([token_of(t) for ts in tokens.values() for t in ts])
    b64 = st.sampled_from(string.ascii_letters + string.digits + "-_")
    return st.one_of(
        st.tuples(st.just("garbage"), TEXT, st.just({"invalid_token", "unknown_code"})),
        st.tuples(
            st.just("garbage code"),
            st.text(alphabet=CODE_ALPHABET, min_size=10, max_size=10).map(format_code),
            st.just({"unknown_code"}),
        ),
        st.tuples(
            st.just("not a string"),
            JSON.filter(lambda v: not isinstance(v, str)),
            st.just({"invalid_token"}),
        ),
        st.tuples(
            st.just("forged"),
            st.builds(
                lambda key, pid, secret: sign(key, pid, secret),
                st.text(min_size=1, max_size=20).filter(lambda k: k != KEY),
                st.sampled_from([open_id, other_id]),
                st.sampled_from(fresh_secrets),
            ),
            st.just({"invalid_token"}),
        ),
        st.tuples(
            st.just("tampered"),
            st.builds(tampered, real, st.integers(0, 200), b64),
            st.just({"invalid_token"}),
        ),
        st.tuples(
            st.just("unknown secret"),
            st.builds(
                lambda pid, secret: sign(KEY, pid, secret),
                st.sampled_from([open_id, other_id, "no-such-conference"]),
                st.text(max_size=30),
            ),
            st.just({"unknown_token"}),
        ),
        st.tuples(  # a real secret of one conference, signed for another
            st.just("foreign"),
            st.builds(lambda s: sign(KEY, other_id, s), st.sampled_from(fresh_secrets)),
            st.just({"unknown_token"}),
        ),
        issued("used", {"already_recorded"}),
        issued("void", {"token_void"}),
        issued("closed", {"ballot_closed"}),
        issued("locked", {"ballot_closed"}),
    )


def codes_for(body: Any, codes: set[str]) -> set[str]:
    """A body with a lone surrogate anywhere is refused as a whole, before its token."""
    try:
        json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return {"invalid_json"}
    return codes


def assert_refused(response: Any, codes: set[str]) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data()[:300])
    code = error_of(response)["code"] if response.is_json else page_code(response)
    assert code in codes, (code, codes)


def test_ballot_endpoints_refuse_bad_input_and_change_nothing(
    app: Flask, world: dict[str, Any]
) -> None:
    before = snapshot(app)
    phone = app.test_client()
    fresh = [token_of(t) for t in world["tokens"]["fresh"]]
    fresh_codes = [t["code"] for t in world["tokens"]["fresh"]]
    sent: Counter[str] = Counter()

    @settings(FUZZ, max_examples=250)
    @given(
        credential=credentials(world),
        choices=JSON,
        extra=st.dictionaries(st.text(max_size=5), JSON, max_size=2),
    )
    def json_cast(credential: tuple[str, Any, set[str]], choices: Any, extra: dict) -> None:
        kind, value, codes = credential
        body = {**extra, "token": value, "choices": choices}
        assert_refused(phone.post("/api/v1/ballots", json=body), codes_for(body, codes))
        sent[kind] += 1

    @settings(FUZZ, max_examples=120)
    @given(
        credential=st.sampled_from(fresh) | st.sampled_from(fresh_codes),
        choices=bad_choices(),
    )
    def fresh_token_bad_choices(credential: str, choices: Any) -> None:
        body = {"token": credential, "choices": choices}
        r = phone.post("/api/v1/ballots", json=body)
        assert_refused(r, codes_for(body, CHOICE_REFUSALS))
        sent["fresh token, bad choices"] += 1

    @settings(FUZZ, max_examples=60)
    @given(
        body=st.one_of(
            st.binary(max_size=300),
            JSON.filter(lambda v: not isinstance(v, dict)).map(lambda v: json.dumps(v).encode()),
            st.just(b"[" * 100_000),  # deeper than any parser's stack
            st.just(b'{"token": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
        ),
        content_type=st.sampled_from(
            ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]
        ),
    )
    def raw_body(body: bytes, content_type: str) -> None:
        r = phone.post("/api/v1/ballots", data=body, content_type=content_type or None)
        assert_refused(r, {"invalid_json"})
        sent["malformed body"] += 1

    @settings(FUZZ, max_examples=120)
    @given(
        credential=credentials(world).filter(lambda c: isinstance(c[1], str)),
        form=st.dictionaries(
            st.text(max_size=8),
            st.sampled_from(["agree", "disagree", ""]) | st.text(max_size=5),
            max_size=4,
        ),
    )
    def phone_pages(credential: tuple[str, str, set[str]], form: dict[str, str]) -> None:
        kind, value, codes = credential
        path_codes = codes | {"not_found"}  # a '/' in a garbage credential is another path
        path = quote(value, safe="")
        for response in (
            phone.get(f"/v/{path}"),
            phone.get(f"/api/v1/ballots/{path}"),
            phone.post(f"/v/{path}", data=form),
        ):
            assert_refused(response, path_codes)
        sent[f"{kind} (pages)"] += 3

    @settings(FUZZ, max_examples=60)
    @given(
        credential=st.sampled_from(fresh),
        form=st.dictionaries(st.text(max_size=8), st.sampled_from(["agree", "x"]), max_size=4),
    )
    def phone_form_bad_choices(credential: str, form: dict[str, str]) -> None:
        # An unknown candidate makes the ballot invalid whatever else is ticked.
        r = phone.post(f"/v/{credential}", data={**form, "p1.zz": "agree"})
        assert_refused(r, CHOICE_REFUSALS)
        assert phone.get(f"/v/{credential}").status_code == 200  # still votes
        sent["fresh token, bad form"] += 1

    for fuzz in (json_cast, fresh_token_bad_choices, raw_body, phone_pages, phone_form_bad_choices):
        fuzz()
        assert snapshot(app) == before, fuzz.__name__
    SENT.update({f"ballot: {k}": v for k, v in sent.items()})
    assert sum(sent.values()) > 800
    # Every kind of bad credential was tried.
    kinds = {k.removesuffix(" (pages)") for k in sent}
    assert {"garbage", "forged", "tampered", "unknown secret", "foreign", "used", "void"} <= kinds
    assert {"closed", "locked", "not a string", "malformed body"} <= kinds

    # A fresh token was never consumed by all this: it still votes, once.
    r = phone.post("/api/v1/ballots", json={"token": fresh[0], "choices": {"p1": ["c1"]}})
    assert r.status_code == 201
    r = phone.post("/api/v1/ballots", json={"token": fresh[0], "choices": {"p1": ["c1"]}})
    assert r.status_code == 409 and error_of(r)["code"] == "already_recorded"


def mutated_setup() -> st.SearchStrategy[dict[str, Any]]:
    """A valid set-up with one part broken: wrong type, oversized, missing or absurd."""
    fields = [
        "level",
        "flow",
        "step",
        "title",
        "held_on",
        "place",
        "locality",
        "parent_body",
        "unit_name",
        "chair_name",
        "secretary_name",
        "head_title",
        "secretary_username",
        "people",
        "positions",
    ]

    def apply(base: dict[str, Any], how: str, field: str, value: Any) -> dict[str, Any]:
        data = json.loads(json.dumps(base))
        if how == "drop":
            data.pop(field, None)
        elif how == "replace":
            data[field] = value
        elif how == "oversize":
            data[field] = "Ư" * 5000
        elif how == "person":
            data["people"][0] = value
        elif how == "position":
            data["positions"][0] = value
        elif how == "quota":
            data["positions"][0]["quota"] = value
        elif how == "candidate":
            data["positions"][0]["candidates"][0] = value
        elif how == "birth_year":
            data["positions"][0]["candidates"][0]["birth_year"] = value
        elif how == "committee_role":
            data["people"][0]["committee_role"] = value
        return data

    return st.builds(
        apply,
        st.just(conference_payload(summoned=3)),
        st.sampled_from(
            [
                "drop",
                "replace",
                "oversize",
                "person",
                "position",
                "quota",
                "candidate",
                "birth_year",
                "committee_role",
            ]
        ),
        st.sampled_from(fields),
        JSON | st.sampled_from([-1, 0, 4, 10**30, "2", True, "9999-99-99", "khác"]),
    )


VALID_FORM = {
    "step": "cuc/term/B3",
    "title": "Hội nghị",
    "held_on": "2026-11-23",
    "roster": "Nguyễn Văn A; Trưởng phòng\nTrần Thị B; Phó Trưởng phòng",
    "positions": "## Phó Cục trưởng | 1\nLê Văn C; 1980; Trưởng phòng",
}


def test_setup_refusals_change_nothing(app: Flask, world: dict[str, Any]) -> None:
    """API and HTML set-up: no 5xx; a refusal carries a stable code and changes nothing."""
    chair: Api = world["chair"]
    sent: Counter[str] = Counter()
    draft, stranger = world["draft"], world["stranger"]
    foreign_people = [p["id"] for p in world["open"]["people"] + stranger["people"]]
    own_people = {p["id"] for p in draft["people"]}
    state = {"before": snapshot(app)}

    def check(response: Any, allowed_ok: tuple[int, ...], label: str) -> None:
        sent[label] += 1
        assert response.status_code < 500, (label, response.get_data(as_text=True)[:500])
        if response.status_code in allowed_ok:
            state["before"] = snapshot(app)  # accepted: the new state is the baseline
            return
        if label.startswith("api"):
            assert 400 <= response.status_code < 500, (label, response.status_code)
            error_of(response)
        assert snapshot(app) == state["before"], label

    @settings(FUZZ, max_examples=100)
    @given(data=mutated_setup())
    def api_create(data: dict[str, Any]) -> None:
        check(chair.post("/api/v1/conferences", json=data), (201,), "api create")

    @settings(FUZZ, max_examples=60)
    @given(data=mutated_setup(), target=st.sampled_from(["open", "closed", "locked", "stranger"]))
    def api_patch_frozen(data: dict[str, Any], target: str) -> None:
        # Open, closed, locked or someone else's: refused whatever the body.
        check(chair.patch(f"/api/v1/conferences/{world[target]['id']}", json=data), (), "api patch")

    @settings(FUZZ, max_examples=60)
    @given(
        rows=st.lists(
            st.fixed_dictionaries(
                {
                    "person_id": st.sampled_from(foreign_people)
                    | JSON.filter(lambda v: isinstance(v, list | dict) or v not in own_people)
                },
                optional={"present": JSON, "reason": JSON},
            ),
            min_size=1,
            max_size=3,
        )
    )
    def api_attendance_foreign(rows: list[dict[str, Any]]) -> None:
        # Another conference's people are not this draft's: refused, nothing changes.
        r = chair.put(f"/api/v1/conferences/{draft['id']}/attendance", json={"attendance": rows})
        check(r, (), "api attendance")

    @settings(FUZZ, max_examples=40)
    @given(
        action=st.sampled_from(
            [
                ("open", "closed"),
                ("open", "locked"),
                ("open", "open"),
                ("close", "draft"),
                ("close", "closed"),
                ("close", "locked"),
                ("lock", "open"),
                ("lock", "draft"),
                ("lock", "locked"),
                ("head-decision", "closed"),
                ("head-decision", "open"),
                ("head-decision", "locked"),
                ("tokens/void", "open"),
                ("tokens/void", "closed"),
                ("tokens/void", "draft"),
                ("open", "stranger"),
                ("close", "stranger"),
                ("tokens/void", "stranger"),
            ]
        ),
        body=JSON,
    )
    def api_actions_in_the_wrong_state(action: tuple[str, str], body: Any) -> None:
        verb, target = action
        r = chair.post(f"/api/v1/conferences/{world[target]['id']}/{verb}", json=body)
        check(r, (), "api action")

    nasty_lines = st.sampled_from(
        [
            "## Phó Cục trưởng | 2",
            "## P | 0",
            "## P | 99999999999999999999",
            "## P | ²",
            "## P",
            "##",
            "| 2",
            "A; 1980",
            "A; ²",
            "A; " + "9" * 5000,
            "A; ١٩٨٠; x; y",
            "A\tB\tC",
            ";;;",
            "Không có",
            "\x00",
            "Ư" * 400,
        ]
    )
    lines = st.lists(nasty_lines | st.text(max_size=30), max_size=5).map("\n".join)
    form_fields = st.fixed_dictionaries(
        {},
        optional={
            "positions": lines,
            "roster": lines,
            "committee_head": st.sampled_from(["Nguyễn Văn A", "Không ai"]) | st.text(max_size=9),
            "committee_members": lines,
            "step": st.sampled_from(["cuc/term/B3", "cuc/term/B1", "phong/annual/B1", "x/y/z"])
            | st.text(max_size=12),
            "held_on": st.sampled_from(["2026-02-30", "9999-12-31", "0001-01-01", "hôm nay"]),
            "title": st.text(max_size=12) | st.just("T" * 400),
            "secretary_username": st.sampled_from(["secretary", "chair", "nobody", ""]),
            "roster_file": st.one_of(
                st.binary(max_size=200),
                st.just(b"A" * 200_000),  # one field beyond the csv module's limit
                st.text(max_size=80).map(str.encode),
                st.just("Họ và tên;Chức vụ\nA;B\n".encode("utf-16")),
            ).map(lambda content: (io.BytesIO(content), "roster.csv")),
        },
    )

    page = chair.client.get("/conferences/new").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]

    @settings(FUZZ, max_examples=80)
    @given(fields=form_fields)
    def html_forms(fields: dict[str, str]) -> None:
        # A valid form with some fields replaced, so the refusals come from deep inside.
        upload = fields.pop("roster_file", None)

        def data() -> dict[str, Any]:
            form: dict[str, Any] = {**VALID_FORM, **fields, "csrf_token": token}
            if upload:
                form["roster_file"] = (io.BytesIO(upload[0].getvalue()), upload[1])
            return form

        r = chair.client.post("/conferences/new", data=data())
        check(r, (302,), "html new")
        r = chair.client.post(f"/c/{draft['id']}/edit", data=data())
        check(r, (302,), "html edit")

    for fuzz in (
        api_create,
        api_patch_frozen,
        api_attendance_foreign,
        api_actions_in_the_wrong_state,
        html_forms,
    ):
        fuzz()
    SENT.update({f"set-up: {k}": v for k, v in sent.items()})


# --------------------------------------------------------------------------------------
# (c) The request size limit.


def test_request_too_large_is_a_json_413(app: Flask, world: dict[str, Any]) -> None:
    before = snapshot(app)
    limit = app.config["MAX_CONTENT_LENGTH"]
    token = token_of(world["tokens"]["fresh"][0])
    big = json.dumps({"token": token, "choices": {"p1": ["c1"]}, "pad": "x" * limit})
    phone: FlaskClient = app.test_client()
    r = phone.post("/api/v1/ballots", data=big, content_type="application/json")
    assert r.status_code == 413 and error_of(r)["code"] == "request_too_large"
    r = world["chair"].post("/api/v1/conferences", json={"title": "x" * (limit + 1)})
    assert r.status_code == 413 and error_of(r)["code"] == "request_too_large"
    # The phone's plain form: the same refusal, as a page.
    r = phone.post(f"/v/{token}", data={"p1.c1": "agree", "pad": "x" * limit})
    assert r.status_code == 413
    assert snapshot(app) == before
    # Just under the limit is read (and refused for its content, not its size).
    r = phone.post(
        "/api/v1/ballots",
        data=json.dumps({"token": token, "choices": {"p1": ["c1"]}, "pad": "x" * (limit - 200)}),
        content_type="application/json",
    )
    assert r.status_code == 201


# --------------------------------------------------------------------------------------
# 500s the fuzzers above found in voting/conferences/operations.py, now regression tests.


def test_attendance_with_an_unhashable_person_id_is_refused(
    app: Flask, world: dict[str, Any]
) -> None:
    before = snapshot(app)
    r = world["chair"].put(
        f"/api/v1/conferences/{world['draft']['id']}/attendance",
        json={"attendance": [{"person_id": [1]}]},
    )
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_field"
    assert snapshot(app) == before


def test_replacing_a_drafts_positions_works(app: Flask, world: dict[str, Any]) -> None:
    """Found by the set-up fuzzer as a 500 (UNIQUE positions key), fixed in operations.py."""
    draft = world["draft"]
    positions = conference_payload()["positions"]
    r = world["chair"].patch(f"/api/v1/conferences/{draft['id']}", json={"positions": positions})
    assert r.status_code == 200, r.get_json()
    assert [c["name"] for c in r.get_json()["positions"][0]["candidates"]] == [
        c["name"] for c in positions[0]["candidates"]
    ]


def test_zz_report_fuzz_counts() -> None:
    """Not a check: prints how many fuzz requests the tests above sent (run with -s)."""
    for k, v in sorted(TIMES.items(), key=lambda kv: -kv[1])[:15]:
        print(f"{v:6.2f}s {k}")
    if SENT:
        print("\nfuzz requests sent:", dict(sorted(SENT.items())), "total", sum(SENT.values()))
