"""The findings for the chair: a coloured terminal report, or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict

import click

from voting.doctor.finding import Finding

LABELS = {
    "lan_address": "Địa chỉ cho điện thoại",
    "port": "Cổng",
    "open_files": "Giới hạn tệp mở",
    "timezone": "Múi giờ",
    "clock": "Đồng hồ",
    "disk": "Ổ đĩa",
    "database": "Cơ sở dữ liệu",
}
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "ok": ("ỔN", "green"),
    "warning": ("CẢNH BÁO", "yellow"),
    "problem": ("LỖI", "red"),
}


def has_problem(findings: Iterable[Finding]) -> bool:
    return any(f.status == "problem" for f in findings)


def print_report(findings: Sequence[Finding]) -> bool:
    """Print the findings for the chair; True when none is a problem (the room can start)."""
    click.secho("Kiểm tra trước cuộc họp", bold=True)
    width = max(len(word) for word, _ in STATUS_WORDS.values()) + 2
    for f in findings:
        word, colour = STATUS_WORDS[f.status]
        click.secho(f"  {f'[{word}]':<{width}} ", fg=colour, bold=True, nl=False)
        click.echo(f"{LABELS.get(f.check, f.check)}: {f.message}")
    problems = sum(f.status == "problem" for f in findings)
    warnings = sum(f.status == "warning" for f in findings)
    if problems:
        click.secho(
            f"Có {problems} lỗi phải sửa trước cuộc họp"
            + (f" và {warnings} cảnh báo." if warnings else "."),
            fg="red",
            bold=True,
        )
    elif warnings:
        click.secho(f"Không có lỗi; {warnings} cảnh báo nên xem lại.", fg="yellow", bold=True)
    else:
        click.secho("Mọi thứ sẵn sàng.", fg="green", bold=True)
    return not problems


def report_json(findings: Sequence[Finding]) -> str:
    return json.dumps(
        {"ok": not has_problem(findings), "findings": [asdict(f) for f in findings]},
        ensure_ascii=False,
        indent=2,
    )
