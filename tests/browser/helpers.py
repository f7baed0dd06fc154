"""Helpers for the browser tests: axe-core, CSP watching, phones, the chair's API."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHAIR = ("chutri", "chutri-password", "Nguyễn Văn Vũ")
PHONE_SIZES = [{"width": 360, "height": 740}, {"width": 390, "height": 844}]
BLOCKING_IMPACTS = ("serious", "critical")
AXE_REPORT = ROOT / "test-output" / "axe.json"

# Every axe result of the session, by screen name (written to test-output/axe.json).
axe_results: dict[str, list[dict[str, Any]]] = {}

_AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + " :: " + (n.failureSummary || "")),
  }));
}"""


def axe_check(page: Page, screen: str) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is; fail on serious or critical violations.

    axe is evaluated from the vendored file through the DevTools protocol, not added as
    a <script>: the app's CSP (script-src 'self') stays in force, and no page of the app
    ever references axe.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN)
    axe_results[screen] = violations
    AXE_REPORT.parent.mkdir(parents=True, exist_ok=True)
    AXE_REPORT.write_text(json.dumps(axe_results, indent=2, ensure_ascii=False) + "\n")
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {screen}:\n" + "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:6])
        for v in blocking
    )
    return violations


class ConsoleWatch:
    """Collects CSP violations and uncaught page errors from every page it watches."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def watch(self, page: Page, name: str) -> Page:
        def on_console(msg: Any) -> None:
            if "Content Security Policy" in msg.text:
                self.problems.append(f"{name}: {msg.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"{name}: {exc}"))
        return page


def new_phone(browser: Browser, base: str, n: int) -> BrowserContext:
    """A phone: its own browser context (cookies, storage), mobile viewport, touch, vi-VN."""
    return browser.new_context(
        base_url=base,
        viewport=PHONE_SIZES[n % len(PHONE_SIZES)],
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        device_scale_factor=2,
        # The room's self-signed certificate, accepted once as a person does on the warning.
        ignore_https_errors=base.startswith("https://"),
    )


def mark(page: Page, choices: dict[str, list[str]], candidates: dict[str, list[str]]) -> None:
    """Tap Agree for the chosen candidates, Disagree for the others, position by position."""
    for position, keys in candidates.items():
        agree = choices.get(position, [])
        for key in agree:
            page.click(f"label[for={position}-{key}-agree]")
        for key in keys:
            if key not in agree:
                page.click(f"label[for={position}-{key}-disagree]")


#: A button label's overflow and right edge, and its longest word's width (with the tick)
#: against the label's inside: a label wraps between words only if that word fits.
_LABEL_FIT = """(sel) => { const l = document.querySelector(sel);
                     const s = getComputedStyle(l);
                     const probe = document.createElement("span");
                     probe.textContent = "✓ " + l.textContent.trim().split(/\\s+/).sort(
                         (a, b) => b.length - a.length)[0];
                     probe.style.whiteSpace = "nowrap";
                     l.appendChild(probe);
                     const word = probe.getBoundingClientRect().width;
                     probe.remove();
                     const pad = parseFloat(s.paddingLeft) + parseFloat(s.paddingRight);
                     return {scroll: l.scrollWidth, client: l.clientWidth,
                             right: l.getBoundingClientRect().right,
                             room: l.clientWidth - pad, word: word}; }"""


def label_fit(page: Page, selector: str) -> dict[str, float]:
    """How the label at ``selector`` fits: scroll/client widths, right edge, room, word."""
    fit: dict[str, float] = page.evaluate(_LABEL_FIT, selector)
    return fit


def screenshot(page: Page, path: Path, *, full_page: bool = True) -> None:
    page.screenshot(path=str(path), full_page=full_page)


RECEIPT = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,}$")


class ChairBrowser:
    """The chair's browser context, logged in through the JSON API, with its CSRF token."""

    def __init__(self, ctx: BrowserContext) -> None:
        self.ctx = ctx
        username, password, _name = CHAIR
        r = ctx.request.post("/api/v1/session", data={"username": username, "password": password})
        assert r.ok, r.text()
        self.csrf = r.json()["csrf_token"]

    def api(self, method: str, url: str, body: Any = None) -> Any:
        r = self.ctx.request.fetch(
            url, method=method, data=body, headers={"X-CSRFToken": self.csrf}
        )
        assert r.ok, (method, url, r.status, r.text())
        return r.json()
