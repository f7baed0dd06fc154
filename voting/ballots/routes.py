"""The attendee's phone pages, and the chair's hand-out (QR sheet and kiosk)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from itsdangerous import BadSignature, URLSafeSerializer

from voting.auth.access import conference_for
from voting.ballots import handout
from voting.ballots.models import PaperEntry
from voting.ballots.operations import cast_ballot, find_token, refusal_for, serialized_casts
from voting.ballots.paper import (
    SPOILT_REASONS,
    convert_slip,
    discard_waiting,
    enter_paper,
    finish_paper_entry,
    issue_pins,
    waiting_member,
)
from voting.ballots.qr import qr_svg
from voting.ballots.tokens import IssuedToken, format_code, sign
from voting.conferences.models import Conference, find_conference
from voting.conferences.rules import conference_rule
from voting.errors import DomainError
from voting.extensions import csrf, db
from voting.network import public_base_url
from voting.realtime.publisher import notify
from voting.views import commit_or_flash

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


@blueprint.get("/c/<public_id>/handout/sheet")
@login_required
def handout_sheet(public_id: str):  # type: ignore[no-untyped-def]
    """A printable A4 sheet of QR slips with cut lines."""
    conference = conference_for(public_id, run=True)
    slips = [slip(conference, t) for t in handout.pending(conference, _key())]
    return render_template("handout/sheet.html", conference=conference, slips=slips)


@blueprint.get("/c/<public_id>/handout/kiosk")
@login_required
def handout_kiosk(public_id: str):  # type: ignore[no-untyped-def]
    """One QR at a time on a screen; moves on when used or on "next" (see kiosk_state)."""
    conference = conference_for(public_id, run=True)
    return render_template("handout/kiosk.html", conference=conference)


def kiosk_state(
    conference: Conference, shown: Any = None, *, other: bool = False
) -> dict[str, Any]:
    """What the kiosk shows, given the token id it shows now (the page sends it).

    Stateless: any process, also after a restart, answers the same way. The
    shown slip stays while unused; once used (or on "next", ``other``) another
    unused slip is chosen at random. Nothing records what was shown.
    """
    unused = handout.pending(conference, _key())
    chosen = handout.choose(unused, shown if isinstance(shown, str) else None, other=other)
    current = slip(conference, chosen) if chosen else None
    return {
        "status": conference.status,
        "remaining": len(unused),
        "token_id": chosen.token_id if chosen else None,
        "qr": str(current["qr"]) if current else None,
        "code": current["code"] if current else None,
        "url": current["url"] if current else None,
        "code_url": f"{public_base_url()}/v",
    }


# --- paper ballots (the chair prints them; the counting committee enters them)


@blueprint.post("/c/<public_id>/paper/convert")
@login_required
def paper_convert(public_id: str):  # type: ignore[no-untyped-def]
    """An unused phone slip becomes a paper ballot for someone who prefers paper."""
    conference = conference_for(public_id, run=True)
    code = request.form.get("code", "")[:40]
    if commit_or_flash(
        lambda: convert_slip(conference, code, _key()),
        _("The slip is now a paper ballot. Print one and hand it over."),
    ):
        notify(conference.id)
    return redirect(url_for("conferences.show", public_id=public_id) + "#no-one-left-out")


@blueprint.get("/c/<public_id>/paper")
@login_required
def paper_print(public_id: str):  # type: ignore[no-untyped-def]
    """A4 paper ballots, all alike (no serial, no mark), as many as paper tokens issued."""
    conference = conference_for(public_id, run=True)
    try:
        copies = int(request.args.get("copies", conference.paper_issued))
    except ValueError:
        copies = conference.paper_issued
    copies = max(0, min(copies, conference.paper_issued))
    return render_template(
        "ballot/paper.html",
        conference=conference,
        rule=conference_rule(conference),
        copies=copies,
    )


def _marks(conference: Conference) -> dict[str, list[str]]:
    marks: dict[str, list[str]] = {p.key: [] for p in conference.positions}
    for name in request.form.getlist("mark"):
        pkey, _sep, ckey = name.partition(".")
        if pkey in marks:
            marks[pkey].append(ckey)
    return marks


@blueprint.route("/c/<public_id>/paper/pins", methods=["GET", "POST"])
@login_required
def paper_pins(public_id: str):  # type: ignore[no-untyped-def]
    """The committee's one-time PINs, shown once for the chair to hand out on paper."""
    conference = conference_for(public_id, run=True)
    pins: list[tuple[str, str]] = []
    if request.method == "POST":
        raw = request.form.get("person", "")
        person_id = int(raw) if raw.isdigit() else None
        if not commit_or_flash(
            lambda: pins.extend(issue_pins(conference, _key(), person_id)),
            _("Hand each member their PIN now: it is shown only once."),
        ):
            return redirect(url_for("ballots.paper_pins", public_id=public_id))
    response = make_response(
        render_template(
            "ballot/paper_pins.html",
            conference=conference,
            pins=pins,
            members=[p for p in conference.people if p.committee_role and p.is_present],
        )
    )
    # The PINs are shown once: no cache, no back button may show them again.
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/c/<public_id>/paper/entry", methods=["GET", "POST"])
@login_required
def paper_entry(public_id: str):  # type: ignore[no-untyped-def]
    """One screen per returned paper ballot, entered twice by two committee members.

    The page runs on the chair's laptop, but each entry needs the entering member's
    own PIN: the chair's session alone cannot enter a paper ballot.
    """
    conference = conference_for(public_id, run=True)
    if request.method == "POST":
        if request.form.get("action") == "discard":
            commit_or_flash(
                lambda: discard_waiting(conference), _("The first entry was discarded.")
            )
        elif request.form.get("action") == "finish":
            if commit_or_flash(
                lambda: finish_paper_entry(conference),
                _("Paper entry finished: the paper ballots not returned are counted as such."),
            ):
                notify(conference.id)
                return redirect(url_for("conferences.show", public_id=public_id))
        else:
            pin = request.form.get("pin", "")[:40]
            outcome: list[str] = []
            if commit_or_flash(
                lambda: outcome.append(
                    enter_paper(
                        conference, _marks(conference), request.form.get("spoilt"), pin, _key()
                    )
                ),
                _("Entry saved."),
            ):
                if outcome == ["mismatch"]:
                    flash(
                        _("The two entries differ; both were discarded. Enter the ballot again."),
                        "error",
                    )
                elif outcome == ["waiting"]:
                    flash(_("First entry saved. Another member now enters the same ballot."), "ok")
                else:
                    flash(_("The two entries match: the ballot is counted."), "ok")
                    notify(conference.id)
        return redirect(url_for("ballots.paper_entry", public_id=public_id))
    waiting = db.session.get(PaperEntry, conference.id)
    return render_template(
        "ballot/paper_entry.html",
        conference=conference,
        rule=conference_rule(conference),
        waiting=waiting,
        waiting_by=waiting_member(conference, waiting),
        pins_issued=any(p.committee_pin_hash for p in conference.people),
        reasons=SPOILT_REASONS,
    )


# --- the booth: any browser in a corner of the room, for those without a phone


def _booth_signer() -> URLSafeSerializer:
    return URLSafeSerializer(_key(), salt="voting.booth")


def booth_link(conference: Conference) -> str:
    signed = _booth_signer().dumps(conference.public_id)
    return f"{public_base_url()}/b/{signed}"


def _booth(signed: str) -> Conference:
    try:
        public_id = _booth_signer().loads(signed)
    except BadSignature:
        raise DomainError("invalid_booth", "This booth link is not valid.", 404) from None
    conference = find_conference(public_id)
    if conference is None:
        raise DomainError("invalid_booth", "This booth link is not valid.", 404)
    return conference


@blueprint.get("/c/<public_id>/booth")
@login_required
def booth_setup(public_id: str):  # type: ignore[no-untyped-def]
    """The chair opens a booth: the link (and its QR) to open on the booth's browser."""
    conference = conference_for(public_id, run=True)
    link = booth_link(conference)
    return render_template(
        "ballot/booth_setup.html", conference=conference, link=link, qr=qr_svg(link)
    )


@blueprint.route("/b/<signed>", methods=["GET", "POST"])
@csrf.exempt  # no session: the booth link is the credential, the slip's code the ballot's
def booth(signed: str):  # type: ignore[no-untyped-def]
    """The booth's start screen (GET); the typed slip opens its ballot (POST).

    The ballot is the POST's own answer, never a redirect: the slip's code must not
    enter an address, which the shared browser's history (Ctrl+H) would keep for the
    next voter. booth.js fetches this answer and swaps it into the start page, so the
    history holds only ``/b/<signed>``, never a POST to resubmit.
    """
    try:
        conference = _booth(signed)
    except DomainError as exc:
        return refused_page(exc)
    credential = booth_credential(request.form.get("code", "")) if request.method == "POST" else ""
    if not credential:
        return render_template(
            "ballot/booth.html", conference=conference, signed=signed, booth=signed
        )
    return booth_ballot(signed, conference, credential)


def booth_credential(typed: str) -> str:
    """A typed code, or the ballot URL a QR scanner types in full."""
    typed = typed.strip()[:512]
    if "/v/" in typed:
        typed = typed.rsplit("/v/", 1)[1]
    return typed


def booth_ballot(signed: str, conference: Conference, credential: str):  # type: ignore[no-untyped-def]
    """The ballot of a slip typed at the booth, or why it cannot vote (same codes as a phone)."""
    try:
        found, token = find_token(_key(), credential)
    except DomainError as exc:
        return render_template(
            "ballot/refused.html", error=exc, conference=conference, booth=signed
        ), exc.status
    refusal = (
        refusal_for(found, token)
        if found.id == conference.id
        else DomainError("unknown_token", "This ballot link belongs to no open conference.", 404)
    )
    if refusal:
        return render_template(
            "ballot/refused.html", error=refusal, conference=conference, booth=signed
        ), refusal.status
    return render_template(
        "ballot/ballot.html",
        conference=conference,
        rule=conference_rule(conference),
        credential=credential,
        booth=signed,
    )


@blueprint.post("/b/<signed>/cast")
@csrf.exempt
def booth_cast(signed: str):  # type: ignore[no-untyped-def]
    """The booth's cast: as a phone's, and counted as cast at the booth.

    The slip's credential travels in the JSON body, never in the address. Refusals are
    JSON whatever the Accept header, as the ballot page's script reads their code.
    """
    try:
        conference = _booth(signed)
        data = request.get_json(silent=True) or {}
        token = data.get("token")
        if not isinstance(token, str):
            raise DomainError("invalid_token", "This ballot link is not valid.", 400)
        found, _token = find_token(_key(), token)
        if found.id != conference.id:
            raise DomainError(
                "unknown_token", "This ballot link belongs to no open conference.", 404
            )
        db.session.rollback()
        with serialized_casts():
            cast = cast_ballot(_key(), token, data.get("choices"), booth=True)
            db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        text = _(exc.message, **{k: v for k, v in exc.params.items() if isinstance(v, str | int)})
        body: dict[str, Any] = {"code": exc.code, "message": text}
        if exc.params:
            body["details"] = exc.params
        return jsonify(error=body), exc.status
    notify(cast.conference_id)
    return jsonify(status="recorded", receipt=cast.receipt), 201
