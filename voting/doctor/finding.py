"""A check's result: the stable code, the status and what to fix, in Vietnamese."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "warning", "problem"]

#: The stable check codes, in the order of the report.
CHECKS = ("lan_address", "port", "open_files", "timezone", "clock", "disk", "database")


@dataclass(frozen=True)
class Finding:
    """The result of one check: ``check`` is one of :data:`CHECKS`."""

    check: str
    status: Status
    message: str
