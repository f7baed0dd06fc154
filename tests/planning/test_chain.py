"""The chain's plain functions: who sits, who may be introduced, who is carried on."""

from __future__ import annotations

from dataclasses import dataclass, field

from voting.planning.chain import outcomes, roster, write_in_pool
from voting.procedure.ruleset import default_ruleset


@dataclass
class P:
    id: int
    department: str
    tags: set[str] = field(default_factory=set)
    status: str = "serving"

    @property
    def role_tags(self) -> set[str]:
        return self.tags

    @property
    def serving(self) -> bool:
        return self.status == "serving"


PEOPLE = [
    P(1, "", {"cuc-leader", "party-standing"}),
    P(2, "TCCB", {"phong-head"}),
    P(3, "TCCB", {"phong-deputy", "mass-org-head"}),
    P(4, "TCCB"),
    P(5, "VP", {"phong-head"}),
    P(6, "VP", {"phong-deputy"}, status="moved"),
    P(7, "Chi cục", {"chi-cuc-head"}),
]


def step(level: str, flow: str, name: str):  # type: ignore[no-untyped-def]
    found = default_ruleset().step(level, flow, name)
    assert found is not None
    return found


def test_cuc_rosters_match_roles_across_the_unit() -> None:
    ids = [p.id for p in roster(step("cuc", "term", "B3"), PEOPLE, "unit", "")]
    assert ids == [1, 2, 3, 5, 7]  # the moved deputy (6) and the plain civil servant (4) do not sit
    assert [p.id for p in roster(step("cuc", "term", "B4"), PEOPLE, "unit", "")] == [1, 2, 5, 7]
    assert [p.id for p in roster(step("cuc", "term", "B5"), PEOPLE, "unit", "")] == [1]


def test_phong_rosters_stay_inside_the_phong() -> None:
    assert [p.id for p in roster(step("phong", "term", "B3"), PEOPLE, "department", "TCCB")] == [
        2,
        3,
        4,
    ]
    b4 = roster(step("phong", "term", "B4"), PEOPLE, "department", "TCCB")
    assert [p.id for p in b4] == [2, 3]
    assert [p.id for p in roster(step("phong", "term", "B5"), PEOPLE, "department", "VP")] == [5]


def test_write_in_pool_excludes_the_listed_and_those_not_serving() -> None:
    cuc = default_ruleset().levels["cuc"]["pool_roles"]
    assert [p.id for p in write_in_pool(cuc, PEOPLE, "unit", "", {2})] == [3, 5, 7]
    assert [p.id for p in write_in_pool(("staff",), PEOPLE, "department", "TCCB", {4})] == [2, 3]


def test_outcomes_carry_passes_or_selected() -> None:
    decision = {
        "positions": [
            {
                "id": "p1",
                "candidates": [
                    {"id": "c1", "agree": 5, "passes": True, "selected": True},
                    {"id": "c2", "agree": 5, "passes": True, "selected": False},
                    {"id": "c3", "agree": 1, "passes": False, "selected": False},
                ],
            }
        ]
    }
    assert [o.carried for o in outcomes(decision, ranked=True)] == [True, False, False]
    assert [o.carried for o in outcomes(decision, ranked=False)] == [True, True, False]
    first = outcomes(decision, ranked=False)[0]
    assert (first.position_key, first.candidate_key, first.agree) == ("p1", "c1", 5)
