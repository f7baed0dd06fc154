"""The set-up form: plain fields plus roster and candidate lists pasted as text.

Lists are pasted from a spreadsheet (tab-separated) or typed with ';' between
columns, one person per line, so a chair can copy a roster straight from Excel.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from voting.clock import local_today
from voting.conferences.attendance import same_name
from voting.errors import DomainError
from voting.procedure.ruleset import Ruleset

HEAD_MARKS = ("trưởng ban", "head")


def _nfc(text: str | None) -> str:
    """The pasted text in NFC: the committee is matched to the roster by name, and
    one name pasted from two sources (precomposed or combining marks) must match.
    Hostile characters are refused later, per field, by ``field_text``."""
    return unicodedata.normalize("NFC", text or "")


def split_line(line: str) -> list[str]:
    sep = "\t" if "\t" in line else ";"
    return [cell.strip() for cell in line.split(sep)]


def parse_roster(text: str) -> list[dict[str, Any]]:
    """'Name; Title; Group' per line (tabs also work)."""
    people = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [*split_line(line), "", ""]
        people.append({"name": cells[0], "title": cells[1], "group": cells[2]})
    return people


def parse_roster_csv(data: bytes) -> list[dict[str, Any]]:
    """A CSV file with columns name,title,group (a header row is skipped if present)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(
            "invalid_field", "The roster file must be UTF-8 CSV.", 422, field="roster_file"
        ) from None
    delimiter = ";" if text.count(";") > text.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:  # e.g. a field beyond the csv module's 128 KiB limit
        raise DomainError(
            "invalid_field", "The roster file must be UTF-8 CSV.", 422, field="roster_file"
        ) from None
    if rows and rows[0] and rows[0][0].strip().lower() in ("name", "họ và tên", "họ tên"):
        rows = rows[1:]
    people = []
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        name, title, group = (
            unicodedata.normalize("NFC", cell.strip()) for cell in [*row, "", "", ""][:3]
        )
        people.append({"name": name, "title": title, "group": group})
    return people


def parse_positions(text: str) -> list[dict[str, Any]]:
    """Blocks: '## Position name | quota' then 'Name; year of birth; post; unit' lines."""
    positions: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            head = line.strip().lstrip("#").strip()
            name, _, quota_text = head.rpartition("|")
            if not name:
                name, quota_text = head, ""
            try:
                quota = int(quota_text.strip())
            except ValueError:
                raise DomainError(
                    "invalid_field",
                    "Line %(line)s: write the quota after '|', e.g. '## Phó Cục trưởng | 2'.",
                    422,
                    field="positions",
                    line=number,
                ) from None
            positions.append({"name": name.strip(), "quota": quota, "candidates": []})
            continue
        if not positions:
            raise DomainError(
                "invalid_field",
                "Line %(line)s: start with a position line such as '## Phó Cục trưởng | 2'.",
                422,
                field="positions",
                line=number,
            )
        cells = [*split_line(line), "", "", ""]
        year: Any = cells[1]
        if year:
            # isdecimal, not isdigit: "²" is a digit int() refuses; and int() refuses
            # thousands of digits too, so a ValueError is this same refusal.
            try:
                if not year.isdecimal():
                    raise ValueError(year)
                year = int(year)
            except ValueError:
                raise DomainError(
                    "invalid_field",
                    "Line %(line)s: the year of birth must be a number.",
                    422,
                    field="positions",
                    line=number,
                ) from None
        positions[-1]["candidates"].append(
            {"name": cells[0], "birth_year": year or None, "post": cells[2], "unit": cells[3]}
        )
    return positions


def positions_text(conference: Any) -> str:
    lines = []
    for p in conference.positions:
        lines.append(f"## {p.name} | {p.quota}")
        lines += [
            "; ".join([c.name, str(c.birth_year or ""), c.post, c.unit]).rstrip("; ")
            for c in p.candidates
        ]
    return "\n".join(lines)


def roster_text(conference: Any) -> str:
    return "\n".join(
        "; ".join([p.name, p.title, p.group_name]).rstrip("; ") for p in conference.people
    )


def apply_committee(
    people: list[dict[str, Any]],
    head: str,
    members: str,
    *,
    positions: list[dict[str, Any]] | None = None,
    override: str = "",
) -> None:
    """Mark the counting committee by name; every name must be on the roster.

    A name also on the ballot is refused (people on the ballot should not count
    their own votes) unless the chair gives the reason to keep them, which is
    recorded on each committee seat and printed in the minutes.
    """
    names = {p["name"]: p for p in people}
    on_ballot = {
        same_name(str(c.get("name", "")))
        for p in positions or []
        for c in p.get("candidates") or []
    }
    override = override.strip()
    wanted = [(head.strip(), "head")] if head.strip() else []
    wanted += [(m.strip(), "member") for m in members.replace(";", "\n").splitlines() if m.strip()]
    for name, role in wanted:
        if name not in names:
            raise DomainError(
                "invalid_field",
                "%(name)s is not on the summoned roster.",
                422,
                field="committee",
                name=name,
            )
        if same_name(name) in on_ballot and not override:
            raise DomainError(
                "invalid_field",
                "%(name)s is on the ballot and should not sit on the counting committee. "
                "Choose another member, or give the reason to keep them.",
                422,
                field="committee",
                name=name,
            )
        names[name]["committee_role"] = role
        if override:
            names[name]["committee_note"] = override


class ConferenceForm(FlaskForm):
    step = SelectField(_l("Step of QT.NB.03"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    # The room's date, not the server's: a UTC server would offer yesterday before 07:00.
    held_on = DateField(_l("Date"), validators=[DataRequired()], default=local_today)
    place = StringField(_l("Place"), validators=[Length(max=200)])
    locality = StringField(
        _l("Locality (for the dated line of the minutes)"), validators=[Length(max=100)]
    )
    parent_body = StringField(_l("Parent body"), validators=[Length(max=200)])
    unit_name = StringField(_l("Unit"), validators=[Length(max=200)])
    chair_name = StringField(_l("Chair"), validators=[Length(max=200)])
    secretary_name = StringField(_l("Secretary"), validators=[Length(max=200)])
    secretary_username = StringField(
        _l("Secretary's account (optional)"), validators=[Optional(), Length(max=64)]
    )
    head_title = StringField(_l("Head of unit (decides ties)"), validators=[Length(max=100)])
    roster = TextAreaField(_l("People summoned"), validators=[Length(max=400_000)])
    roster_file = FileField(_l("…or import a CSV file"), validators=[FileAllowed(["csv", "txt"])])
    committee_head = StringField(_l("Head of the counting committee"), validators=[Length(max=200)])
    committee_members = TextAreaField(
        _l("Members of the counting committee"), validators=[Length(max=5000)]
    )
    #: Why the chair keeps committee members the checks flag (absent, or on the ballot).
    committee_override = StringField(
        _l("Reason to keep committee members who are absent or on the ballot"),
        validators=[Length(max=300)],
    )
    positions = TextAreaField(_l("Positions and candidates"), validators=[Length(max=200_000)])

    def set_step_choices(self, ruleset: Ruleset, locale: str) -> None:
        """Steps grouped by level and flow: each option names only its step and title,
        short enough for the list; the full name and its rule show under it."""
        self.step.choices = [
            SelectChoice(
                s.key,
                f"{s.step}: {s.title[locale]}",
                optgroup=f"{ruleset.levels[s.level]['label'][locale]} · "
                f"{ruleset.flows[s.flow][locale]}",
            )
            for s in ruleset.vote_steps()
        ]

    def field_for(self, name: str, who: str = "") -> Any:
        """The field a refusal of the pasted lists names ("committee": the head's box when
        it names the head, else the members'); the roster's for any other."""
        if name == "committee":
            head = _nfc(self.committee_head.data).strip()
            return self.committee_head if who and who == head else self.committee_members
        return self._fields.get(name) or self.roster

    def to_data(self) -> dict[str, Any]:
        level, flow, step = (self.step.data or "//").split("/", 2)
        people = parse_roster(_nfc(self.roster.data))
        upload = self.roster_file.data
        if upload and getattr(upload, "filename", ""):
            people += parse_roster_csv(upload.read())
        positions = parse_positions(_nfc(self.positions.data))
        apply_committee(
            people,
            _nfc(self.committee_head.data),
            _nfc(self.committee_members.data),
            positions=positions,
            override=self.committee_override.data or "",
        )
        return {
            "level": level,
            "flow": flow,
            "step": step,
            "title": self.title.data,
            "held_on": self.held_on.data.isoformat() if self.held_on.data else "",
            "place": self.place.data,
            "locality": self.locality.data,
            "parent_body": self.parent_body.data,
            "unit_name": self.unit_name.data,
            "chair_name": self.chair_name.data,
            "secretary_name": self.secretary_name.data,
            "secretary_username": self.secretary_username.data or None,
            "head_title": self.head_title.data,
            "people": people,
            "positions": positions,
        }
