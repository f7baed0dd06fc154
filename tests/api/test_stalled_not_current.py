"""End a position, hold the vote again, record it without a ballot: only at the current
step. A step still to come answers ``step_not_current``, a done one ``step_done`` — the
same function for the page's form and the API, and nothing changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from tests.api.flows import Client, client_for
from tests.api.test_openapi_schemas import PREFIX
from tests.api.test_planning_refusals import expect_refusals
from tests.planning.test_stalled import stuck_at_b5
from tests.planning_scene import Flow, refused, start_flow, unit  # noqa: F401 (fixtures)
from voting.conferences.rules import current_ruleset
from voting.planning import stalled


@pytest.fixture
def chair(app: Flask) -> Client:
    return client_for(app, "chair")


def test_end_position_repeat_and_skip_refuse_a_step_not_current(
    app: Flask,
    start_flow: Callable[..., Flow],  # noqa: F811
    chair: Client,
) -> None:
    flow = stuck_at_b5(start_flow, {})  # B4 locked (nobody passed), not carried: B4 current
    url = f"{PREFIX}/processes/{flow.public_id}/steps"
    position = flow.position_id("Phó Trưởng phòng")
    bodies = {
        "end-position": {"position": position, "reason": "Không ai đạt"},
        "repeat": {"reason": "Chưa ai đạt"},
        "skip": {"reason": "Không còn ai"},
    }
    ruleset = current_ruleset()
    operations = {
        "end-position": stalled.end_position,
        "repeat": stalled.repeat_previous,
        "skip": stalled.skip_vote,
    }
    # The page's forms and the API run the same operation: refused there, refused here.
    for action, operation in operations.items():
        refused(
            lambda op=operation, a=action: op(flow.process, flow.step("B5"), bodies[a], ruleset),
            "step_not_current",
        )
    expect_refusals(
        app,
        [
            (chair, "post", f"{url}/B5/{a}", {"json": b}, 409, "step_not_current")
            for a, b in bodies.items()
        ]
        + [
            (chair, "post", f"{url}/B6/{a}", {"json": b}, 409, "step_not_current")
            for a, b in bodies.items()
        ],
    )
    chair.ok("post", f"{url}/B4/carry")
    for action, operation in operations.items():
        refused(
            lambda op=operation, a=action: op(flow.process, flow.step("B4"), bodies[a], ruleset),
            "step_done",
        )
    expect_refusals(
        app,
        [
            (chair, "post", f"{url}/B4/{a}", {"json": b}, 409, "step_done")
            for a, b in bodies.items()
        ],
    )
    # At the current step the same bodies go through (the position ends).
    process = chair.ok("post", f"{url}/B5/end-position", bodies["end-position"])["process"]
    assert [p["name"] for p in process["positions"] if "ended" in p] == ["Phó Trưởng phòng"]
