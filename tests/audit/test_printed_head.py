"""The chain head at lock, printed in both minutes (DOCX and PDF), checks the chain."""

from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa
from docx import Document
from flask import Flask
from pypdf import PdfReader

from voting.audit.verify import fingerprint, lock_head
from voting.conferences.models import Conference
from voting.extensions import db
from voting.minutes.docx import minutes_docx
from voting.minutes.layout import CHAIN_HEAD_LABEL, KINDS, Digest, minutes_blocks
from voting.minutes.pdf import minutes_pdf
from voting.minutes.report import conference_document, minutes_view


@pytest.mark.parametrize("kind", KINDS)
def test_both_minutes_print_the_chain_head_and_verify_accepts_it(
    app: Flask, locked_conference: dict[str, Any], kind: str
) -> None:
    with app.app_context():
        conference = db.session.scalar(
            sa.select(Conference).where(Conference.public_id == locked_conference["id"])
        )
        head = fingerprint(lock_head(conference.id) or "")
        blocks = minutes_blocks(
            kind,
            minutes_view(conference_document(conference)),
            digest=conference.result_sha256,
            flow_label="nhiệm kỳ",
            level_label="Cục",
            chain_head=head,
        )
        db.session.remove()
    assert len(head) == 19 and next(b for b in blocks if isinstance(b, Digest)).chain_head == head
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(minutes_docx(blocks))).paragraphs)
    assert CHAIN_HEAD_LABEL + head in docx_text
    pdf = PdfReader(io.BytesIO(minutes_pdf(blocks)))
    pdf_text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert head in pdf_text
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "verify", "--expect", head]).exit_code == 0
    wrong = runner.invoke(args=["audit", "verify", "--expect", "0000 0000 0000 0000"])
    assert wrong.exit_code == 1 and "is not in the verified chain" in wrong.output


@pytest.mark.parametrize("kind", KINDS)
def test_the_served_minutes_print_the_chain_head(
    app: Flask, chair_api: Any, locked_conference: dict[str, Any], kind: str
) -> None:
    """What the secretary prints and downloads carries it: the page, the PDF, the DOCX."""
    with app.app_context():
        conference = db.session.scalar(
            sa.select(Conference).where(Conference.public_id == locked_conference["id"])
        )
        head = fingerprint(lock_head(conference.id) or "")
        db.session.remove()
    base = f"/c/{locked_conference['id']}/minutes/{kind}"
    page = chair_api.get(base).get_data(as_text=True)
    assert f'id="chain-head">{CHAIN_HEAD_LABEL}<span class="digest">{head}</span>' in page
    pdf = PdfReader(io.BytesIO(chair_api.get(base + ".pdf").data))
    assert head in " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    docx = Document(io.BytesIO(chair_api.get(base + ".docx").data))
    assert CHAIN_HEAD_LABEL + head in "\n".join(p.text for p in docx.paragraphs)
