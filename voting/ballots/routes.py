"""The attendee's phone pages, and the chair's hand-out (QR sheet and kiosk)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import login_required

from voting.auth.access import conference_for
from voting.ballots import handout
from voting.ballots.models import Token
from voting.ballots.operations import cast_ballot, find_token, refusal_for, serialized_casts
from voting.ballots.qr import qr_svg
from voting.ballots.tokens import IssuedToken, format_code, sign
from voting.conferences.models import Conference
from voting.conferences.rules import conference_rule
from voting.errors import DomainError
from voting.extensions import csrf, db
from voting.network import public_base_url
from voting.realtime.publisher import notify

blueprint = Blueprint("ballots", __name__)


def _key() -> str:
    return str(current_app.config["SECRET_KEY"])


def ballot_url(conference: Conference, token: IssuedToken) -> str:
    return f"{public_base_url()}/v/{sign(_key(), conference.public_id, token.secret)}"


def slip(conference: Conference, token: IssuedToken) -> dict[str, Any]:
    url = ballot_url(conference, token)
    return {
        "url": url,
        "qr": qr_svg(url),
        "code": format_code(token.code),
        "code_url": f"{public_base_url()}/v",
    }


def refused_page(exc: DomainError, conference: Conference | None = None):  # type: ignore[no-untyped-def]
    db.session.rollback()
    return render_template("ballot/refused.html", error=exc, conference=conference), exc.status


@blueprint.route("/v", methods=["GET", "POST"])
@csrf.exempt
def enter_code():  # type: ignore[no-untyped-def]
    """For a phone whose camera fails: type the code printed on the slip."""
    if request.method == "POST":
        code = request.form.get("code", "").strip()[:40]
        return redirect(url_for("ballots.ballot", credential=code))
    return render_template("ballot/code.html")


@blueprint.route("/v/<credential>", methods=["GET", "POST"])
@csrf.exempt  # the token in the URL is the credential; a forger cannot know it
def ballot(credential: str):  # type: ignore[no-untyped-def]
    try:
        conference, token = find_token(_key(), credential)
    except DomainError as exc:
        return refused_page(exc)
    refusal = refusal_for(conference, token)
    if refusal:
        return refused_page(refusal, conference)
    if request.method == "POST":
        choices: dict[str, list[str]] = {p.key: [] for p in conference.positions}
        for name, value in request.form.items():
            pkey, _, ckey = name.partition(".")
            if value == "agree" and pkey in choices:
                choices[pkey].append(ckey)
        try:
            with serialized_casts():
                receipt = cast_ballot(_key(), credential, choices).receipt
                db.session.commit()
        except DomainError as exc:
            return refused_page(exc, conference)
        notify(conference.id)
        return render_template("ballot/received.html", conference=conference, receipt=receipt)
    return render_template(
        "ballot/ballot.html",
        conference=conference,
        rule=conference_rule(conference),
        credential=credential,
    )


def _pending_unused(conference: Conference) -> list[IssuedToken]:
    """Tokens still held for hand-out whose row says they are unused."""
    pending = handout.pending(conference.id)
    if not pending:
        return []
    states = dict(
        db.session.execute(
            sa.select(Token.id, Token.state).where(Token.id.in_([t.token_id for t in pending]))
        ).all()
    )
    return [t for t in pending if states.get(t.token_id) == "issued"]


@blueprint.get("/c/<public_id>/handout/sheet")
@login_required
def handout_sheet(public_id: str):  # type: ignore[no-untyped-def]
    """A printable A4 sheet of QR slips with cut lines."""
    conference = conference_for(public_id, run=True)
    slips = [slip(conference, t) for t in _pending_unused(conference)]
    return render_template("handout/sheet.html", conference=conference, slips=slips)


@blueprint.get("/c/<public_id>/handout/kiosk")
@login_required
def handout_kiosk(public_id: str):  # type: ignore[no-untyped-def]
    """One QR at a time on a screen; advances when used or on "next"."""
    conference = conference_for(public_id, run=True)
    return render_template("handout/kiosk.html", conference=conference)


def kiosk_state(conference: Conference) -> dict[str, Any]:
    unused = _pending_unused(conference)
    current = slip(conference, unused[0]) if unused and conference.is_open else None
    return {
        "status": conference.status,
        "remaining": len(unused),
        "token_id": unused[0].token_id if current else None,
        "qr": str(current["qr"]) if current else None,
        "code": current["code"] if current else None,
        "url": current["url"] if current else None,
        "code_url": f"{public_base_url()}/v",
    }
