"""The phone's ballot page is light: what a cold load moves over the network.

Bytes do not depend on the machine, so they are asserted; the times under Slow 3G are
printed by ``scripts/bench_phone_page`` (a benchmark, not a timed test).
"""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Server
from tests.browser.helpers import CHAIR
from tests.browser.weight import SLOW_3G, measure
from tests.servers import login, open_conference

#: The issue's budget for the ballot page, everything a phone fetches before it can vote.
BUDGET = 40 * 1024


def test_the_ballot_page_costs_under_40_kb_under_slow_3g(server: Server, browser: Any) -> None:
    chair, csrf = login(server.base, CHAIR[0], CHAIR[1])
    _, tokens = open_conference(server.base, chair, csrf, 3)
    cost = measure(browser, f"{server.base}/v/{tokens[0]}", network=SLOW_3G)
    assert cost.transferred <= BUDGET, cost.requests
    static = {path: enc for path, enc in cost.encodings.items() if path.startswith("/static/")}
    assert static, cost.requests
    for path, encoding in static.items():
        assert encoding == "gzip", path
        assert "immutable" in cost.cache_control[path], path
    # The socket comes up, even on a slow link.
    assert cost.socket_ms is not None
