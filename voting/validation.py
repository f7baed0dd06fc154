"""Reading one field of a request body: the refusals every operation shares.

Each refusal is ``422 invalid_field`` naming the field (``where`` adds the row,
"members[3].name"), with a message that is a msgid translated when shown
(``scripts/i18n.sh`` extracts ``invalid_field``'s second argument).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from voting.errors import N_, DomainError

#: Longest text a field takes, matching its column (longer would fail on PostgreSQL).
TEXT_LIMIT = 200


def invalid_field(field: str, message: str, **params: Any) -> DomainError:
    return DomainError("invalid_field", message, 422, field=field, **params)


#: Fields longer than this are free text (a plan, a conclusion, an opinion), where a
#: line break or a tab is the writer's layout; in a name or a title it is not.
MULTILINE_FROM = 500


def _refused(char: str) -> bool:
    """A character no name or note of this app needs, and that does harm.

    Control characters (NUL, ESC, Word's soft line break \x0b) make the DOCX and
    XLSX writers fail (XML 1.0 forbids them); format characters (bidi overrides
    U+202E, zero-width spaces, soft hyphens) let two names that look the same differ,
    or make a name read backwards; surrogates cannot be encoded at all, and
    noncharacters (U+FFFE, U+FDD0…) are not text.
    """
    point = ord(char)
    if (point & 0xFFFE) == 0xFFFE or 0xFDD0 <= point <= 0xFDEF:
        return True
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def bad_character(value: str, *, multiline: bool = False) -> str | None:
    """The first refused character as 'U+XXXX', or None if the text is clean."""
    for char in value:
        if multiline and char in "\n\t":
            continue
        if _refused(char):
            return f"U+{ord(char):04X}"
    return None


def clean_text(value: str, field: str, *, multiline: bool = False) -> str:
    """``value`` refused if it holds a hostile character, else in NFC.

    NFC so that one name typed on two keyboards (precomposed "ễ" or "e" plus two
    combining marks) is one name: duplicate checks and committee look-ups compare
    the stored strings.
    """
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    char = bad_character(value, multiline=multiline)
    if char:
        raise invalid_field(
            # The character goes in a parameter, not the message: an import lists
            # each row's message alone (personnel), and it must still read well.
            field,
            "This field contains a control or invisible character that cannot be used.",
            char=char,
        )
    return unicodedata.normalize("NFC", value)


def printable(value: str) -> str:
    """``value`` without the characters input refuses, for the document writers.

    Input refuses them, but an older database may still hold one, and the DOCX and
    XLSX writers fail on it (an HTTP 500 for a locked result): drop it at render.
    """
    if bad_character(value, multiline=True) is None:
        return value
    return "".join(c for c in value if c in "\n\t" or not _refused(c))


#: What makes a spreadsheet read a cell as a formula (or, for tab and CR, hide one).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet evaluates: text led by a formula sign gets "'"."""
    if not isinstance(value, str):
        return value
    value = printable(value)
    return "'" + value if value.startswith(FORMULA_LEADS) else value


def xlsx_text_cells(sheet: Any) -> None:
    """Every text cell of an openpyxl sheet written as text, never as a formula.

    openpyxl turns any string starting with "=" into a formula (a live
    =HYPERLINK typed as a name); typing the cell "s" writes it as a string.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.value = printable(cell.value)
                cell.data_type = "s"


def field_text(
    data: dict[str, Any],
    field: str,
    *,
    required: bool = False,
    limit: int = TEXT_LIMIT,
    where: str = "",
) -> str:
    """A text field, stripped; ``None`` reads as empty."""
    name = f"{where}.{field}" if where else field
    value = data.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid_field(name, "This field must be text.")
    multiline = limit > MULTILINE_FROM
    value = clean_text(value, name, multiline=multiline).strip()
    if required and not value:
        raise invalid_field(name, "This field is required.")
    if len(value) > limit:
        raise invalid_field(name, "This field is too long.")
    return value


def field_date(data: dict[str, Any], field: str, *, required: bool = True) -> date | None:
    """An ISO date (YYYY-MM-DD); blank is None unless required."""
    raw = data.get(field)
    if raw in (None, "") and not required:
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise invalid_field(field, "The date must be written YYYY-MM-DD.") from None


#: The integer readers' own refusal, unless the caller names another.
WHOLE_NUMBER = N_("Enter a whole number from %(low)s to %(high)s.")


def whole_number(
    value: Any,
    field: str,
    low: int,
    high: int,
    message: str = WHOLE_NUMBER,
    **params: Any,
) -> int:
    """``value`` as an int in [low, high]; digits in a string count, booleans never do.

    ``message`` is a msgid that may use ``%(low)s`` and ``%(high)s``; ``params`` add to them.
    """
    # ASCII only: "²".isdigit() is true and int("²") raises.
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid_field(field, message, low=low, high=high, **params)
    return value


def field_int(
    data: dict[str, Any],
    field: str,
    message: str = WHOLE_NUMBER,
    *,
    low: int,
    high: int,
    required: bool = True,
    where: str = "",
    **params: Any,
) -> int | None:
    """An integer field in [low, high]; blank (None or "") is None unless required.

    A caller's own ``message`` goes third, positionally, so that ``scripts/i18n.sh``
    extracts it (keyword ``field_int:3``; ``whole_number:5`` likewise).
    """
    name = f"{where}.{field}" if where else field
    value = data.get(field)
    if value in (None, "") and not required:
        return None
    return whole_number(value, name, low, high, message, **params)
