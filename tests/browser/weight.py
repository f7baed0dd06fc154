"""What the phone's ballot page costs on a slow network, as Chromium's DevTools counts it.

Used by ``tests/browser/test_phone_weight.py`` (bytes, which do not depend on the
machine) and ``scripts/bench_phone_page`` (bytes and times under Slow 3G).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser

#: DevTools' "Slow 3G" as the issue names it: 400 kbit/s each way, 400 ms round trip.
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}


@dataclass
class PageCost:
    """One cold load of a page, with the browser's cache empty."""

    #: Bytes on the wire (headers and bodies, after compression), every request.
    transferred: int
    #: Per request: URL path → bytes on the wire, and whether it came gzipped.
    requests: dict[str, int] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)
    cache_control: dict[str, str] = field(default_factory=dict)
    first_paint_ms: float | None = None
    interactive_ms: float | None = None
    socket_ms: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def measure(
    browser: Browser, url: str, *, network: dict[str, Any] | None = None, viewport: Any = None
) -> PageCost:
    """Load ``url`` once in a fresh phone context and count what crossed the network."""
    context = browser.new_context(
        viewport=viewport or {"width": 360, "height": 640}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if network:
        cdp.send("Network.emulateNetworkConditions", network)
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    encodings: dict[str, str] = {}
    caching: dict[str, str] = {}
    socket_up: list[float] = []

    def path_of(full: str) -> str:
        rest = full.split("://", 1)[-1]
        return "/" + rest.split("/", 1)[-1] if "/" in rest else "/"

    def on_response(event: dict[str, Any]) -> None:
        response = event["response"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        urls[event["requestId"]] = path_of(response["url"])
        encodings[urls[event["requestId"]]] = headers.get("content-encoding", "")
        caching[urls[event["requestId"]]] = headers.get("cache-control", "")

    def on_finished(event: dict[str, Any]) -> None:
        name = urls.get(event["requestId"], event["requestId"])
        sizes[name] = sizes.get(name, 0) + int(event["encodedDataLength"])

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on(
        "Network.webSocketHandshakeResponseReceived", lambda _e: socket_up.append(time.monotonic())
    )
    began = time.monotonic()
    page.goto(url, wait_until="load")
    deadline = time.monotonic() + 30
    while not socket_up and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    timing = page.evaluate(
        """() => {
          const nav = performance.getEntriesByType("navigation")[0];
          const paint = performance.getEntriesByName("first-contentful-paint")[0];
          return {interactive: nav ? nav.domContentLoadedEventEnd : null,
                  paint: paint ? paint.startTime : null};
        }"""
    )
    # Polling requests of the socket may still be in flight: count what finished.
    page.wait_for_timeout(200)
    cost = PageCost(
        transferred=sum(sizes.values()),
        requests=dict(sizes),
        encodings=encodings,
        cache_control=caching,
        first_paint_ms=timing["paint"],
        interactive_ms=timing["interactive"],
        socket_ms=(socket_up[0] - began) * 1000 if socket_up else None,
    )
    context.close()
    return cost
