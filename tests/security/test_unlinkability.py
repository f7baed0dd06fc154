"""Unlinkability on a real server: no ballot credential outside the tokens table.

One conference runs end to end on ``voting serve`` — every way a phone can
vote (QR link and JSON API, the plain form, a typed code), a replay, a voided
slip and its replacement, a forged link — then closes, locks and exports.
Afterwards the server's own output (Werkzeug's access log included), every
table of the SQLite file, the raw database files and every export are
searched for every credential and everything derived from one: the signed
token, its secret, the short code (as printed and as typed), the token id
and both HMACs. Only the tokens table may hold the id and the hashes; the
secrets and codes are nowhere at all.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import requests

from tests.conftest import token_of
from tests.security.live import SECRET_KEY, Instance, open_conference
from voting.ballots.tokens import code_hash, normalize_code, secret_hash, unsign

TWO_POSITIONS = [
    {
        "name": "Phó Cục trưởng",
        "quota": 2,
        "candidates": [
            {"name": "Lê Thị Phương Tâm", "birth_year": 1982},
            {"name": "Nguyễn Hoàng Phúc", "birth_year": 1979},
            {"name": "Trương Ngọc Ánh", "birth_year": 1985},
        ],
    },
    {
        "name": "Trưởng phòng Tổ chức cán bộ",
        "quota": 1,
        "candidates": [{"name": "Đặng Văn Hùng"}, {"name": "Võ Thị Lan"}],
    },
]


def needles_of(issued: dict[str, str]) -> dict[str, str]:
    """Every string a credential is made of or derived from, by kind."""
    signed = token_of(issued)
    unsigned = unsign(SECRET_KEY, signed)
    assert unsigned is not None
    secret = unsigned[1]
    code = normalize_code(issued["code"])
    return {
        "signed token": signed,
        "token secret": secret,
        "printed code": issued["code"],
        "typed code": code,
        "code as typed": issued["code"].lower().replace("-", " "),
        "code as typed, in a URL": issued["code"].lower().replace("-", "%20"),
        "secret hash": secret_hash(SECRET_KEY, secret),
        "code hash": code_hash(SECRET_KEY, code),
    }


def cast_every_way(base: str, tokens: list[dict[str, str]]) -> list[str]:
    """Vote with each token by a different route; returns the receipts shown."""
    receipts: list[str] = []
    phone = requests.Session()

    # 1. QR link: the page, the phone's JSON view of its ballot, the JSON cast.
    t = token_of(tokens[0])
    assert phone.get(f"{base}/v/{t}").status_code == 200
    assert phone.get(f"{base}/api/v1/ballots/{t}?lang=en").status_code == 200
    r = phone.post(
        base + "/api/v1/ballots", json={"token": t, "choices": {"p1": ["c1", "c2"], "p2": ["c1"]}}
    )
    assert r.status_code == 201, r.text
    receipts.append(r.json()["receipt"])

    # 2. The plain HTML form (no JavaScript on the phone).
    t = token_of(tokens[1])
    assert phone.get(f"{base}/v/{t}").status_code == 200
    r = phone.post(f"{base}/v/{t}", data={"p1.c3": "agree", "p1.c1": "disagree", "p2.c2": "agree"})
    assert r.status_code == 200, r.text
    shown = re.search(r'<p class="receipt">\s*([A-Z0-9]+)\s*</p>', r.text)
    assert shown, r.text
    receipts.append(shown.group(1))

    # 3. A typed code: the code form redirects to /v/<code>, then the JSON cast.
    code = tokens[2]["code"].lower().replace("-", " ")
    r = phone.post(f"{base}/v", data={"code": code})
    assert r.status_code == 200 and r.history and r.history[0].status_code == 302
    r = phone.post(base + "/api/v1/ballots", json={"token": code, "choices": {"p1": ["c2"]}})
    assert r.status_code == 201, r.text
    receipts.append(r.json()["receipt"])

    # 4. A vote, then a replay of the same token: refused, nothing changes.
    t = token_of(tokens[3])
    r = phone.post(base + "/api/v1/ballots", json={"token": t, "choices": {"p2": ["c1"]}})
    assert r.status_code == 201
    receipts.append(r.json()["receipt"])
    r = phone.post(base + "/api/v1/ballots", json={"token": t, "choices": {"p2": ["c2"]}})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_recorded"
    assert phone.get(f"{base}/v/{t}").status_code == 409

    # 5. A blank ballot, through the typed code's JSON view first.
    code = normalize_code(tokens[4]["code"])
    assert phone.get(f"{base}/api/v1/ballots/{code}").status_code == 200
    r = phone.post(base + "/api/v1/ballots", json={"token": code, "choices": {}})
    assert r.status_code == 201
    receipts.append(r.json()["receipt"])
    return receipts


def scan(text: str, needles: dict[str, dict[str, str]], kinds: set[str] | None = None) -> list:
    """(token #, kind) of every needle found in ``text``."""
    return [
        (i, kind)
        for i, found in needles.items()
        for kind, value in found.items()
        if (kinds is None or kind in kinds) and value in text
    ]


def pdf_text(response: requests.Response) -> str:
    assert response.status_code == 200, response.text[:300]
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def dossier_text(response: requests.Response) -> str:
    """Every file of the dossier as text: the PDFs read back, the rest decoded."""
    assert response.status_code == 200, response.text[:300]
    parts = []
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            if name.endswith(".pdf"):
                from pypdf import PdfReader

                reader = PdfReader(io.BytesIO(data))
                parts.append("\n".join(page.extract_text() or "" for page in reader.pages))
            elif name.endswith((".json", ".csv", ".sha256")):
                parts.append(data.decode("utf-8-sig"))
            else:  # DOCX and XLSX are ZIPs of XML: scan their parts
                with zipfile.ZipFile(io.BytesIO(data)) as office:
                    parts += [office.read(n).decode("utf-8", "replace") for n in office.namelist()]
    return "\n".join(parts)


def test_no_credential_in_logs_database_or_exports(tmp_path: Path) -> None:
    instance = Instance(tmp_path)
    instance.start()
    base = instance.url
    try:
        chair, headers = instance.chair()
        conf = open_conference(base, chair, headers, summoned=8, present=7, positions=TWO_POSITIONS)
        issued = list(conf["tokens"])
        assert len(issued) == 7

        # A lost slip: voided by its code, replaced; the void slip is refused.
        r = chair.post(
            f"{base}/api/v1/conferences/{conf['id']}/tokens/void",
            json={"code": issued[5]["code"]},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        replacement = r.json()["replacement"]
        voided = issued[5]
        assert (
            requests.post(
                base + "/api/v1/ballots", json={"token": token_of(voided), "choices": {}}
            ).status_code
            == 410
        )
        everyone = [*issued, replacement]

        receipts = cast_every_way(base, issued)
        r = requests.post(
            base + "/api/v1/ballots",
            json={"token": token_of(replacement), "choices": {"p1": ["c1"]}},
        )
        assert r.status_code == 201
        receipts.append(r.json()["receipt"])
        # A forged link and an unknown code: refused pages, logged like any request.
        assert requests.get(f"{base}/v/WyJhYmMiLCJkZWYiXQ.forged").status_code == 400
        assert requests.get(f"{base}/v/ACDEF-GHJKM").status_code == 404
        # Token 6 is never used: its slip stays in the chair's hand (see docs/security.md).

        for action in ("close", "lock"):
            r = chair.post(f"{base}/api/v1/conferences/{conf['id']}/{action}", headers=headers)
            assert r.status_code == 200, r.text
        exports = {
            "result.json": chair.get(f"{base}/c/{conf['id']}/result.json").text,
            "counting minutes": chair.get(f"{base}/c/{conf['id']}/minutes/counting").text,
            "conference minutes": chair.get(f"{base}/c/{conf['id']}/minutes/conference").text,
            "API result": chair.get(f"{base}/api/v1/conferences/{conf['id']}/result").text,
            "API conference": chair.get(f"{base}/api/v1/conferences/{conf['id']}").text,
            "API tally": chair.get(f"{base}/api/v1/conferences/{conf['id']}/tally").text,
            "chair page": chair.get(f"{base}/c/{conf['id']}").text,
            "counting PDF": pdf_text(chair.get(f"{base}/c/{conf['id']}/minutes/counting.pdf")),
            "dossier": dossier_text(chair.get(f"{base}/c/{conf['id']}/dossier.zip")),
        }
        receipts_page = requests.get(f"{base}/r/{conf['id']}")
        if receipts_page.status_code == 200:  # the public receipts page, where present
            exports["receipts page"] = receipts_page.text
    finally:
        instance.stop()

    needles = {i: needles_of(t) for i, t in enumerate(everyone)}
    with instance.sqlite() as db:
        token_rows = db.execute("SELECT id, secret_hash, code_hash FROM tokens").fetchall()
        # The hashes this test derives are exactly the ones stored: the scan looks for the
        # real values, not for strings of its own invention.
        assert {r[1] for r in token_rows} == {n["secret hash"] for n in needles.values()}
        assert {r[2] for r in token_rows} == {n["code hash"] for n in needles.values()}
        by_hash = {r[1]: r[0] for r in token_rows}
        for found in needles.values():
            found["token id"] = by_hash[found["secret hash"]]

        # 1. The server's output was captured, and it has no access log at all: a ballot's
        # URL is its credential, and the time and address of each ballot request would date
        # the ballot (the Werkzeug server's log did, redacted). Errors still go through
        # the redacting filter of voting/logs.py.
        log = instance.log_text()
        assert "Phones and the chair open" in log, log[-2000:]
        assert "/api/v1/ballots" not in log and "/v/" not in log, log[-2000:]
        assert scan(log, needles) == []
        # No request body either: no choices, no receipt, no password.
        assert '"choices"' not in log and "chair-password" not in log
        assert not [code for code in receipts if code in log]

        # 2. Every table but tokens: no credential, no id, no hash, in any column.
        tables = [
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not row[0].startswith("sqlite_")
        ]
        assert {"tokens", "ballots", "receipts", "conferences"} <= set(tables)
        for table in tables:
            if table == "tokens":
                continue
            for row in db.execute(f'SELECT * FROM "{table}"'):
                text = " ".join(str(v) for v in row)
                assert scan(text, needles) == [], (table, row)

        # 3. Ballots: no time, no link, canonical content; receipts apart.
        columns = {r[1]: r[2] for r in db.execute("PRAGMA table_info(ballots)")}
        assert set(columns) == {"id", "conference_id", "choices", "is_valid", "published"}
        assert {r[1] for r in db.execute("PRAGMA table_info(receipts)")} == {
            "conference_id",
            "code",
        }
        stored = db.execute("SELECT choices FROM ballots").fetchall()
        assert len(stored) == 6
        for (choices,) in stored:
            assert choices == json.dumps(json.loads(choices), sort_keys=True, separators=(",", ":"))
        stored_receipts = [r[0] for r in db.execute("SELECT code FROM receipts")]
        assert sorted(stored_receipts) == sorted(receipts)

    # 4. The raw database files (main file, WAL, shared memory): no secret or code in
    #    clear, whatever page it might linger in.
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("voting.db*"))
    assert (
        scan(raw.decode("latin-1"), needles, {"signed token", "token secret", "typed code"}) == []
    )

    # 5. Exports: nothing of any token; ballots in canonical order, no time on them.
    for name, text in exports.items():
        assert scan(text, needles) == [], name
    result = json.loads(exports["result.json"])
    ballots = result["decide_input"]["ballots"]
    as_text = [json.dumps(b, sort_keys=True, separators=(",", ":")) for b in ballots]
    assert as_text == sorted(as_text) and len(ballots) == 6
    assert all(set(b) <= {"p1", "p2"} for b in ballots)
    assert result["receipts"] == sorted(stored_receipts)


def test_log_records_are_redacted_at_the_source(app, caplog) -> None:  # type: ignore[no-untyped-def]
    """Access-log lines, error logs and tracebacks lose the credential; SQL hides values."""
    import logging

    import sqlalchemy as sa

    from voting.extensions import db

    signed = "WyJjb25mIiwic2VjcmV0Il0.c2lnbmF0dXJl"
    caplog.set_level(logging.INFO)
    logging.getLogger("werkzeug").info(
        '%s - - [%s] "%s" %s -', "10.0.0.9", "now", f"GET /v/{signed} HTTP/1.1", 200
    )
    logging.getLogger("werkzeug").info('"GET /api/v1/ballots/ACDEF-GHJKM?lang=en HTTP/1.1" 200')
    app.logger.error("Exception on /v/%s [POST]", "acdef%20ghjkm")
    try:
        raise ValueError(f"bad token {{'token': '{signed}'}} at /v/{signed}")
    except ValueError:
        app.logger.exception("failed")
    text = caplog.text + "".join(r.exc_text or "" for r in caplog.records)
    assert signed not in text and "ACDEF-GHJKM" not in text and "acdef" not in text
    assert text.count("[redacted]") >= 5
    assert "10.0.0.9" in text and "HTTP/1.1" in text  # the rest of the line stays

    # SQL errors name no parameter value (hide_parameters), so no hash or choice leaks.
    with app.app_context():
        assert db.engine.hide_parameters
        try:
            db.session.execute(sa.text("SELECT * FROM no_such_table WHERE x = :x"), {"x": signed})
        except sa.exc.OperationalError as exc:
            assert signed not in str(exc)
        else:  # pragma: no cover
            raise AssertionError("the query should fail")
        finally:
            db.session.rollback()
