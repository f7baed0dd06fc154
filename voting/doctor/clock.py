"""The time zone the minutes are printed in, and whether the system clock is right."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from voting.doctor.database import MIGRATIONS
from voting.doctor.finding import Finding

#: A clock this far behind the newest stored time is wrong, not NTP's jitter.
CLOCK_SLACK = timedelta(minutes=1)
#: The year of this release; the newest migration's year raises it.
RELEASE_YEAR = 2026
VIETNAM_OFFSET = timedelta(hours=7)
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def load_zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def check_timezone(name: str, now: datetime | None = None) -> Finding:
    """The minutes' times are printed in ``name`` (BABEL_DEFAULT_TIMEZONE)."""
    zone = load_zone(name)
    if zone is None:
        return Finding(
            "timezone",
            "problem",
            f"Không nạp được múi giờ {name}: thiếu dữ liệu múi giờ (gói tzdata) hoặc tên sai. "
            "Cài lại chương trình (`.venv/bin/pip install -e .` cài tzdata), hoặc đặt "
            "BABEL_DEFAULT_TIMEZONE=Asia/Ho_Chi_Minh.",
        )
    now = now or datetime.now(UTC)
    offset = now.astimezone(zone).utcoffset()
    if offset != VIETNAM_OFFSET:
        return Finding(
            "timezone",
            "warning",
            f"Múi giờ {name} (UTC{_offset(offset)}) không phải giờ Việt Nam (UTC+07:00): "
            "giờ trong biên bản sẽ lệch. Bỏ BABEL_DEFAULT_TIMEZONE hoặc đặt "
            "BABEL_DEFAULT_TIMEZONE=Asia/Ho_Chi_Minh.",
        )
    return Finding("timezone", "ok", f"Múi giờ {name} (UTC+07:00) nạp được.")


def _offset(offset: timedelta | None) -> str:
    minutes = int((offset or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def vietnamese_time(moment: datetime, zone: tzinfo | None) -> str:
    """``08:15:02 thứ Hai, 23/11/2026`` in ``zone`` (UTC if the zone is missing)."""
    local = moment.astimezone(zone or UTC)
    label = (
        "giờ Việt Nam"
        if local.utcoffset() == VIETNAM_OFFSET
        else f"UTC{_offset(local.utcoffset())}"
    )
    return f"{local:%H:%M:%S} {WEEKDAYS[local.weekday()]}, {local:%d/%m/%Y} ({label})"


def release_year(migrations: Path = MIGRATIONS) -> int:
    """This release cannot predate its newest migration."""
    years = [RELEASE_YEAR]
    for script in (migrations / "versions").glob("*.py"):
        match = re.search(r"^Create Date: (\d{4})-", script.read_text(encoding="utf-8"), re.M)
        if match:
            years.append(int(match.group(1)))
    return max(years)


def check_clock(
    now: datetime,
    newest_stored: datetime | None,
    floor_year: int,
    zone: tzinfo | None,
) -> Finding:
    """Warn when the system clock is behind what is already stored, or this release.

    ``now`` is aware; ``newest_stored`` is naive UTC, as the models store it.
    """
    shown = f"Đồng hồ máy đang chỉ {vietnamese_time(now, zone)}"
    fix = (
        "Chỉnh ngày giờ của máy (bật đặt giờ tự động, hoặc `sudo timedatectl set-time "
        "'YYYY-MM-DD HH:MM:SS'`) trước khi mở bỏ phiếu: giờ mở, đóng phiếu trong biên bản "
        "và nhật ký sẽ sai."
    )
    if newest_stored is not None and now < newest_stored.replace(tzinfo=UTC) - CLOCK_SLACK:
        return Finding(
            "clock",
            "warning",
            f"{shown}, sớm hơn bản ghi mới nhất trong cơ sở dữ liệu "
            f"({vietnamese_time(newest_stored.replace(tzinfo=UTC), zone)}): đồng hồ máy bị "
            f"lùi. {fix}",
        )
    if now.year < floor_year:
        return Finding(
            "clock",
            "warning",
            f"{shown}, trước năm {floor_year} của phiên bản chương trình này: đồng hồ máy "
            f"sai (có thể pin đồng hồ đã hết). {fix}",
        )
    return Finding(
        "clock", "ok", f"{shown}. Hãy so với đồng hồ treo tường hoặc điện thoại của mình."
    )
