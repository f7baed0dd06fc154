"""App-wide template helpers and downloads: dates as Vietnamese forms write them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask

from tests.conftest import Api, conference_payload
from voting.views import download, format_date, format_datetime


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("short", "01/12/2026"),
        (None, "01/12/2026"),
        ("long", "ngày 01 tháng 12 năm 2026"),
        ("full", "Thứ Ba, ngày 01 tháng 12 năm 2026"),
    ],
)
def test_vietnamese_dates_have_two_digit_days_and_four_digit_years(
    app: Flask, style: str | None, expected: str
) -> None:
    with app.test_request_context("/"):
        assert format_date(date(2026, 12, 1), style) == expected


def test_a_moment_is_shown_on_the_rooms_clock_not_the_servers(app: Flask) -> None:
    # 23:30 UTC on 1 December is 06:30 on 2 December in Hà Nội.
    with app.test_request_context("/"):
        shown = format_datetime(datetime(2026, 12, 1, 23, 30), "short")
        assert shown == "06:30 02/12/2026"
        aware = format_datetime(datetime(2026, 12, 1, 23, 30, tzinfo=UTC), "long")
        assert aware == "06 giờ 30 phút, ngày 02 tháng 12 năm 2026"


def test_english_keeps_its_own_forms(app: Flask) -> None:
    with app.test_request_context("/?lang=en"):
        assert format_date(date(2026, 12, 1), "long") == "December 1, 2026"


def test_a_page_shows_dates_in_the_vietnamese_form(chair_api: Api) -> None:
    created = chair_api.post("/api/v1/conferences", json=conference_payload())
    assert created.status_code == 201, created.get_json()
    page = chair_api.get("/").get_data(as_text=True)
    assert "23/11/2026" in page
    assert "23/11/26" not in page


def test_a_download_that_names_its_charset_names_it_once(app: Flask) -> None:
    with app.test_request_context("/"):
        response = download("a,b\n", "text/csv; charset=utf-8", "kết quả.csv")
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        plain = download(b"x", "application/pdf", "a.pdf")
        assert plain.headers["Content-Type"] == "application/pdf"
