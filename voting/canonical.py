"""The one spelling of a JSON document that is hashed or compared byte for byte.

Audit entries, the locked result and stored ballots are compared as text (a hash,
a double paper entry, the sorted ballot list), so they must all be written alike.
"""

from __future__ import annotations

import json
from typing import Any


def canonical_json(doc: Any) -> str:
    """One spelling per document: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
