"""The neutral blocks the minutes are made of, and what the renderers share.

``layout.minutes_blocks`` writes the minutes as a list of these blocks; ``docx.py``,
``pdf.py`` and the HTML template each draw every kind of block. No Flask import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, ClassVar, Generic, Literal, TypeVar

# Results table: widths in millimetres (165 mm of text width) and alignment per column.
RESULT_WIDTHS_MM = (13.0, 46.0, 38.0, 19.0, 26.0, 23.0)
RESULT_ALIGNS = ("center", "left", "left", "center", "center", "center")


@dataclass(frozen=True)
class Header:
    """The Nghị định 30 two-column header and the dated line under the motto."""

    block: ClassVar[str] = "header"  # what templates switch on

    parent_body: str
    unit: str
    dated: str
    #: Under the unit, left: "Số: …/KH-CTHADS" (a draft leaves the number to the
    #: secretary) and a letter's subject ("V/v …"). The minutes print neither.
    number: str = ""
    subject: str = ""


@dataclass(frozen=True)
class Title:
    """The minutes' name, centred, and the lines under it (the conference, the step)."""

    block: ClassVar[str] = "title"  # what templates switch on

    text: str
    subtitle: tuple[str, ...]


TextKind = Literal["body", "heading", "item", "warning", "plain", "center"]


@dataclass(frozen=True)
class Text:
    """``body``: justified, first-line indent; ``heading``: bold section head;
    ``item``: an indented list line; ``warning``: bold red; ``plain``: left, no indent;
    ``center``: centred (a decision's "QUYẾT ĐỊNH:", a letter's "Kính gửi: …")."""

    block: ClassVar[str] = "text"  # what templates switch on

    text: str
    kind: TextKind = "body"
    bold: bool = False


@dataclass(frozen=True)
class ResultTable:
    block: ClassVar[str] = "table"  # what templates switch on
    heads: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths_mm: tuple[float, ...] = RESULT_WIDTHS_MM
    aligns: tuple[str, ...] = RESULT_ALIGNS
    #: Points; a wide list (danh sách trích ngang) sets its own.
    size: float = 12.0


@dataclass(frozen=True)
class Bar:
    label: str
    percent: str  # "42.86", as the decision states it
    passes: bool


@dataclass(frozen=True)
class Chart:
    """Agree percentage per candidate against the rule's threshold line."""

    block: ClassVar[str] = "chart"  # what templates switch on

    title: str
    bars: tuple[Bar, ...]
    threshold: str  # "1/2": the rule's exact fraction
    comparison: str  # ">=" or ">"
    base_label: str
    #: The threshold line's caption; empty: the minutes' Vietnamese wording.
    threshold_text: str = ""


@dataclass(frozen=True)
class Signatures:
    """Who signs, left and right: (the role's heading, the names signing under it)."""

    block: ClassVar[str] = "signatures"  # what templates switch on

    left: tuple[str, tuple[str, ...]]
    right: tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Digest:
    block: ClassVar[str] = "digest"  # what templates switch on
    digest: str
    #: The audit chain's head at lock, short form (voting.audit.verify.fingerprint): on
    #: paper it lets ``voting audit verify --expect`` catch a chain rebuilt or cut back.
    chain_head: str = ""


@dataclass(frozen=True)
class Section:
    """A new page from here on, A4 portrait or landscape (a wide list, an annex).

    As a document's first block it sets the first page's orientation."""

    block: ClassVar[str] = "section"  # what templates switch on

    landscape: bool = False


@dataclass(frozen=True)
class Signoff:
    """Nghị định 30's foot of a document: the recipients left ("Nơi nhận:"), the signer
    right: the authority lines ("KT. CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG"), room to sign, the name
    (empty: left for the secretary)."""

    block: ClassVar[str] = "signoff"  # what templates switch on

    recipients: tuple[str, ...]
    authority: tuple[str, ...]
    signer: str = ""
    recipients_heading: str = "Nơi nhận:"


#: The line the renderers print before the chain head.
CHAIN_HEAD_LABEL = "Mã kiểm tra nhật ký kiểm toán khi khóa: "


Block = Header | Title | Text | ResultTable | Chart | Signatures | Digest | Section | Signoff


def keeps_with_next(blocks: list[Block]) -> list[bool]:
    """Per block, whether it must share a page with the block after it.

    A heading, or a line announcing what follows (it ends in ':'), goes with the start
    of what it introduces: it never ends a page. The last text before the signatures
    goes with them, and they with the digest that ties the paper to the dossier: a
    signature block never stands alone on a page. All three renderers follow this
    (PDF by measuring, DOCX by "keep with next", HTML by CSS break rules).
    """
    keeps = [_keeps(block, following) for block, following in pairwise(blocks)]
    return [*keeps, False] if blocks else []


def _keeps(block: Block, following: Block) -> bool:
    if isinstance(block, Text):
        announces = block.kind == "heading" or block.text.rstrip().endswith(":")
        return announces or isinstance(following, Signatures | Signoff)
    return isinstance(block, Signatures) and isinstance(following, Digest)


@dataclass(frozen=True)
class Note:
    """A dated note the secretary appended after lock."""

    written: str  # "14 giờ 05 phút ngày 23/11/2026"
    author: str
    text: str


@dataclass
class Minutes:
    kind: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


Target = TypeVar("Target")


class Drawers(Generic[Target]):
    """Per kind of block, the function drawing it on a renderer's target (a DOCX
    document, a PDF): one draw() for every block, whatever the format."""

    def __init__(
        self,
        header: Callable[[Target, Header], None],
        title: Callable[[Target, Title], None],
        text: Callable[[Target, Text], None],
        table: Callable[[Target, ResultTable], None],
        chart: Callable[[Target, Chart], None],
        signatures: Callable[[Target, Signatures], None],
        digest: Callable[[Target, Digest], None],
        section: Callable[[Target, Section], None] | None = None,
        signoff: Callable[[Target, Signoff], None] | None = None,
    ) -> None:
        self._by_type: dict[type, Callable[[Target, Any], None]] = {
            Header: header,
            Title: title,
            Text: text,
            ResultTable: table,
            Chart: chart,
            Signatures: signatures,
            Digest: digest,
        }
        # The documents' own blocks (the drafts): the minutes draw none of them.
        if section is not None:
            self._by_type[Section] = section
        if signoff is not None:
            self._by_type[Signoff] = signoff

    def draw(self, target: Target, block: Block) -> None:
        self._by_type[type(block)](target, block)


def title_of(blocks: list[Block]) -> str:
    """The document's title (its properties, the PDF's metadata)."""
    return next((b.text for b in blocks if isinstance(b, Title)), "Biên bản")
