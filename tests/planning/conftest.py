"""The planning tests' fixtures and helpers: those of :mod:`tests.planning_scene`.

Kept importable from here (``from tests.planning.conftest import Flow, …``) for the
tests that already do; new tests import :mod:`tests.planning_scene`.
"""

from __future__ import annotations

from tests.planning_scene import (
    REGISTER,
    SECOND_REGISTER,
    SECOND_UNIT,
    TCCB,
    Flow,
    member_id,
    refused,
    run_conference,
    second_unit,
    start_flow,
    unit,
)

__all__ = [
    "REGISTER",
    "SECOND_REGISTER",
    "SECOND_UNIT",
    "TCCB",
    "Flow",
    "member_id",
    "refused",
    "run_conference",
    "second_unit",
    "start_flow",
    "unit",
]
