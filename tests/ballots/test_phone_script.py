"""The phone's script runs on old engines: ES5 only, and no NodeList.forEach.

Old Android WebViews and browsers (still common in the room) have no
``NodeList.prototype.forEach`` and no ``Element.closest``, and stop at the first arrow
function or ``let``: one such line and the ballot's review, counter and cast stop working
(the server-side review still works, but the phone shows no quota counter). Pinned by
reading the file, since the test browser is a current Chromium.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PHONE_SCRIPTS = ["static/js/ballot.js"]

FORBIDDEN = {
    "NodeList.forEach": re.compile(r"querySelectorAll\([^)]*\)\s*\.forEach"),
    "Element.closest": re.compile(r"\.closest\("),
    "arrow function": re.compile(r"=>"),
    "let/const": re.compile(r"^\s*(let|const)\s", re.M),
    "template literal": re.compile(r"`"),
    "classList.toggle with force": re.compile(r"classList\.toggle\([^,)]+,"),
    "dataset": re.compile(r"\.dataset\b"),
}


@pytest.mark.parametrize("script", PHONE_SCRIPTS)
def test_phone_script_is_es5(script: str) -> None:
    code = re.sub(r"//[^\n]*", "", (ROOT / script).read_text(encoding="utf-8"))
    found = {name for name, pattern in FORBIDDEN.items() if pattern.search(code)}
    assert found == set(), f"{script}: {sorted(found)}"
