"""The results chart: bars from the decision's percentages, the threshold line where the rule is."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from PIL import Image

from tests.conftest import Api
from tests.minutes._export_scene import locked_b3
from voting.minutes.chart import chart_png, chart_svg, geometry
from voting.minutes.layout import Bar, Chart, threshold_phrase


def _chart(threshold: str = "3/10", comparison: str = ">=") -> Chart:
    return Chart(
        title="Tỷ lệ phiếu đồng ý — Phó Cục trưởng",
        bars=(
            Bar("Lê Thị Phương Tâm", "42.86", True),
            Bar("Nguyễn Hoàng Phúc", "28.57", False),
            Bar("Người <script>", "0.00", False),
        ),
        threshold=threshold,
        comparison=comparison,
        base_label="so với số người có mặt",
    )


def test_threshold_phrases() -> None:
    assert threshold_phrase("3/10", ">=") == "từ 30% trở lên"
    assert threshold_phrase("1/2", ">") == "trên 50%"
    assert threshold_phrase("1/3", ">=") == "từ 33,33% trở lên"


def test_geometry_puts_bars_and_line_in_proportion() -> None:
    g = geometry(_chart())
    widths = [row[2] for row in g.rows]
    assert abs(widths[0] / g.plot_width - 0.4286) < 1e-9
    assert widths[2] == 0
    assert abs((g.threshold_x - g.plot_left) / g.plot_width - 0.3) < 1e-9
    assert [row[3] for row in g.rows] == [True, False, False]


def test_svg_is_accessible_and_escaped() -> None:
    svg = chart_svg(_chart(), title_id="c1")
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c1"' in svg
    assert "42,86%" in svg and "Ngưỡng: từ 30% trở lên so với số người có mặt" in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert len(re.findall(r"<rect ", svg)) == 6  # a track and a bar per candidate


def test_png_is_a_picture_of_the_right_size() -> None:
    image = Image.open(io.BytesIO(chart_png(_chart())))
    assert image.format == "PNG"
    g = geometry(_chart())
    assert image.size == (640 * 3, g.height * 3)
    # The passing bar is drawn in green somewhere along its row.
    y = (g.rows[0][4] + 9) * 3
    x = (g.plot_left + 10) * 3
    assert image.getpixel((x, y)) == (0x1D, 0x6B, 0x3A)


def test_the_result_page_shows_the_chart_in_the_users_language(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = locked_b3(app, chair_api, create_conference)
    page = chair_api.get(f"/c/{conf['id']}").get_data(as_text=True)
    assert '<figure class="result-chart"><svg' in page
    assert "Ngưỡng: từ 30%" in page
    english = chair_api.get(f"/c/{conf['id']}?lang=en").get_data(as_text=True)
    assert "Threshold: at least 30% of people present" in english
    minutes = chair_api.get(f"/c/{conf['id']}/minutes/counting?lang=en").get_data(as_text=True)
    assert "Ngưỡng: từ 30% trở lên so với số người có mặt" in minutes  # minutes stay Vietnamese
