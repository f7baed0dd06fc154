"""A planning process driven through /api/v1 alone: the unit, its register, each step.

Nothing here touches the database or the domain functions: the unit is created and
its register imported through the API, each step recorded by its step action, each
vote's conference run as the chair's laptop and the phones do. Every answer is
checked against the OpenAPI document (:class:`tests.api.test_openapi_schemas.Checked`).
"""

from __future__ import annotations

import io
from typing import Any

from flask import Flask, g, has_app_context
from werkzeug.test import TestResponse

from tests.api.test_openapi_schemas import PREFIX, Checked
from tests.conftest import Api
from tests.planning_scene import REGISTER, run_conference

UNIT = "Cục Thi hành án dân sự tỉnh Kiên Giang"
#: The register page's CSV headers, for the columns the pasted register has.
HEADERS = ("Họ và tên", "Tháng/năm sinh", "Giới tính", "Chức vụ", "Phòng, đơn vị", "Vai trò")


class Client(Checked):
    """Checked, and each request alone: a pushed app context's ``g`` would carry the
    last request's user and CSRF token into the next."""

    def __call__(self, method: str, url: str, body: Any = None, **kw: Any) -> TestResponse:
        if has_app_context():
            g.pop("_login_user", None)
            g.pop("csrf_token", None)
        return super().__call__(method, url, body, **kw)

    def ok(self, method: str, url: str, body: Any = None, status: int = 200, **kw: Any) -> Any:
        r = self(method, url, body, **kw)
        assert r.status_code == status, (method, url, r.get_json())
        return r.get_json()


def client_for(app: Flask, username: str) -> Client:
    api = Api(app.test_client()).login(username, f"{username}-password")
    return Client(api.client, api.csrf)


def register_csv(text: str = REGISTER) -> bytes:
    """The pasted register ('Name; year; sex; post; phòng; roles') as the page's CSV file."""
    lines = [";".join(HEADERS)]
    for line in text.strip().splitlines():
        cells = [c.strip() for c in line.split(";")] + [""] * len(HEADERS)
        lines.append(";".join(cells[: len(HEADERS)]))
    return ("\n".join(lines) + "\n").encode()


def upload(name: str, data: bytes, field: str = "file", **form: Any) -> dict[str, Any]:
    return {"data": {**form, field: (io.BytesIO(data), name)}}


def create_unit(chair: Client, name: str = UNIT, register: str = REGISTER) -> dict[str, Any]:
    """A unit and its register, through the API (the register page's CSV import)."""
    unit = chair.ok("post", f"{PREFIX}/units", {"name": name, "locality": "Kiên Giang"}, 201)
    made = chair.ok(
        "post",
        f"{PREFIX}/units/{unit['id']}/register",
        status=201,
        **upload("danh-sach.csv", register_csv(register)),
    )
    assert made["added"] == len(register.strip().splitlines())
    return dict(made["unit"])


def step_of(process: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in process["steps"] if s["step"] == name)


class ApiFlow:
    """One process run step by step through the API, its last answer kept."""

    def __init__(self, chair: Client, unit: dict[str, Any], process: dict[str, Any]) -> None:
        self.chair = chair
        self.unit = unit
        self.process = process

    @classmethod
    def start(
        cls,
        chair: Client,
        unit: dict[str, Any],
        level: str,
        flow: str,
        positions: dict[str, int],
        department: str = "",
    ) -> ApiFlow:
        body = {
            "unit_id": unit["id"],
            "level": level,
            "flow": flow,
            "department": department,
            "period": "2026–2031" if flow == "term" else "2026",
            "title": f"Quy hoạch {level} {flow}",
            "positions": [{"name": n, "quota": q} for n, q in positions.items()],
        }
        return cls(chair, unit, chair.ok("post", f"{PREFIX}/processes", body, 201))

    @property
    def url(self) -> str:
        return f"{PREFIX}/processes/{self.process['id']}"

    def act(self, step: str, action: str, body: Any = None) -> dict[str, Any]:
        answer = self.chair.ok("post", f"{self.url}/steps/{step}/{action}", body)
        self.process = answer["process"]
        return dict(answer)

    def step(self, name: str) -> dict[str, Any]:
        return step_of(self.process, name)

    def position_id(self, name: str) -> int:
        return next(int(p["id"]) for p in self.process["positions"] if p["name"] == name)

    def member_id(self, name: str) -> int:
        return next(int(m["id"]) for m in self.unit["people"] if m["name"] == name)

    def people(self, step: str, kind: str = "carried") -> list[dict[str, Any]]:
        return list(self.step(step).get(kind, []))

    def names(self, step: str, kind: str = "carried") -> list[str]:
        return sorted(p["name"] for p in self.people(step, kind))

    def nominee(self, step: str, name: str, kind: str = "carried") -> int:
        return next(int(p["nominee"]) for p in self.people(step, kind) if p["name"] == name)

    def incoming(self, step: str) -> list[dict[str, Any]]:
        before = self.process["steps"][[s["step"] for s in self.process["steps"]].index(step) - 1]
        return list(before.get("carried", []))

    # ---- steps without a ballot

    def source_list(self, step: str, people: dict[str, list[str]]) -> None:
        rows = [
            {"position": self.position_id(pos), "member_id": self.member_id(name)}
            for pos, names in people.items()
            for name in names
        ]
        body = {"plan": "Kế hoạch số 01/KH-CTHADS", "drafted_on": "2026-11-02", "nominees": rows}
        self.act(step, "source-list", body)

    def approve(self, step: str, drop: tuple[str, ...] = (), **extra: Any) -> None:
        keep = [p["nominee"] for p in self.incoming(step) if p["name"] not in drop]
        body = {"meeting_on": "2026-11-05", "conclusion": "Thống nhất", "approved": keep}
        self.act(step, "approve-list", {**body, **extra})

    def decide(self, step: str, outcome: str = "approved", removed: tuple[str, ...] = ()) -> None:
        proposals = [p for s in self.process["steps"] for p in s.get("removal", [])]
        body = {
            "outcome": outcome,
            "number": "15/QĐ-CTHADS",
            "signed_on": "2026-11-30",
            "signer": "Cục trưởng Nguyễn Văn Vũ",
            "approved": [p["nominee"] for p in self.incoming(step)],
            "removed": [p["nominee"] for p in proposals if p["name"] in removed],
        }
        self.act(step, "decision", body)

    # ---- vote steps

    def conference(self, step: str, keep: tuple[str, ...] = ()) -> dict[str, Any]:
        """The step's conference; ``keep`` names flagged people the chair keeps on the ballot."""
        decisions = {str(p["nominee"]): "keep" for p in self.incoming(step) if p["name"] in keep}
        body = {
            "held_on": "2026-11-23",
            "place": "Hội trường Cục",
            "chair_name": "Nguyễn Văn Vũ",
            "flag_decisions": decisions,
        }
        made = self.act(step, "conference", body)
        assert self.step(step)["conference"] == made["conference"]
        return dict(self.chair.ok("get", f"{PREFIX}/conferences/{made['conference']}"))

    def vote(
        self,
        step: str,
        ballots: list[dict[str, list[str]]],
        *,
        absent: int = 0,
        head: dict[str, list[str]] | None = None,
        keep: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """Create, run and lock the step's conference, then carry its result on."""
        conf = self.conference(step, keep)
        api = Api(self.chair.client)
        api.csrf = self.chair.csrf
        run_conference(api, conf, ballots, absent=absent, head=head)
        self.act(step, "carry")
        return conf


def planning_list(
    chair: Client, unit: dict[str, Any], level: str, department: str = ""
) -> dict[str, set[str]]:
    """The unit's active list at a level (and phòng), read through the API."""
    query = {"unit": unit["id"], "level": level, "department": department}
    answer = chair.ok("get", f"{PREFIX}/planning", query_string=query)
    found: dict[str, set[str]] = {}
    for listed in answer["units"]:
        assert listed["id"] == unit["id"]
        for e in listed["entries"]:
            assert (e["level"], e["department"]) == (level, department)
            found.setdefault(e["position"], set()).add(e["name"])
    return found
