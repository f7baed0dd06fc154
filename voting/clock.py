"""The room's clock: every date a person reads is the unit's local date.

Times are stored in UTC; the unit's time zone (``BABEL_DEFAULT_TIMEZONE``, by default
Asia/Ho_Chi_Minh) decides which calendar day a moment falls on. A server whose own clock
runs in UTC must not put yesterday's date on a form filled in at 06:30 in Hà Nội.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def room_zone_name() -> str:
    """The configured zone inside an app context, else the default."""
    from flask import current_app, has_app_context

    if has_app_context():
        return str(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or DEFAULT_ZONE)
    return DEFAULT_ZONE


def room_zone() -> ZoneInfo:
    return ZoneInfo(room_zone_name())


def local_now(zone: str | None = None) -> datetime:
    return datetime.now(UTC).astimezone(ZoneInfo(zone) if zone else room_zone())


def local_today(zone: str | None = None) -> date:
    """Today in the room, whatever the server's own zone is."""
    return local_now(zone).date()


def to_local(moment: datetime, zone: str | None = None) -> datetime:
    """A stored moment (naive means UTC) in the room's zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone) if zone else room_zone())
