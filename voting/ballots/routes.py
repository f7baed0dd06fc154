"""The attendee's phone pages, and the chair's hand-out (QR sheet and kiosk)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from itsdangerous import BadSignature, URLSafeSerializer

from voting.auth.access import conference_for
from voting.ballots import handout
from voting.ballots.models import PaperEntry, Receipt
from voting.ballots.operations import (
    CHOICE_REFUSALS,
    SlipTaken,
    ballot_definition,
    find_token,
    holder_refusal,
    is_code,
    normalize_choices,
    refusal_for,
    slip_taken,
)
from voting.ballots.paper import (
    SPOILT_REASONS,
    committee_present,
    convert_slip,
    discard_waiting,
    enter_paper,
    finish_paper_entry,
    issue_pins,
    waiting_member,
)
from voting.ballots.qr import qr_svg
from voting.ballots.recording import cast_ballot, flag_contested, open_kiosk_slip
from voting.ballots.slips import KIOSK_MARK, slip
from voting.ballots.tokens import is_receipt, normalize_code
from voting.conferences.models import Conference, find_conference
from voting.conferences.rules import conference_rule
from voting.errors import DomainError
from voting.extensions import csrf, db
from voting.network import public_base_url
from voting.validation import field_int
from voting.views import commit_or_flash, flash_error

blueprint = Blueprint("ballots", __name__)


def _key() -> str:
    return str(current_app.config["SECRET_KEY"])


def refused_page(
    exc: DomainError, conference: Conference | None = None, *, unsent: bool = False
) -> ResponseReturnValue:
    """Why a slip cannot vote. ``unsent``: a ballot was being cast, and was not recorded."""
    db.session.rollback()
    return render_template(
        "ballot/refused.html", error=exc, conference=conference, unsent=unsent
    ), exc.status


# --- the phone: a slip's own ballot page (/v/<credential>)
#
# A kiosk slip belongs to the first phone that opens it. The kiosk's QR is public — anyone
# in the queue, or looking at the screen, can scan it — so when it is first opened the slip
# is bound to that phone: a random secret goes into a cookie scoped to the slip's ballot
# path (sent to that path only, never to another slip's), the tokens table keeps an HMAC
# of it (no time, no order), and the kiosk moves on to an unopened slip. A reload on that
# phone still works; any other phone gets a red page telling the voter to ask the chair for
# the next slip, and the slip is flagged so the chair's turnout counts it.
#
# Printed slips are not bound. A printed slip is handed to one person, so no one else is
# racing for it, and binding would only add ways to lose it: a QR opened in a scanner
# app's own browser (Zalo's, say) and then in Chrome, a private tab, or the booth after a
# flat battery would each need the chair. The kiosk marks its QR (``?kiosk=1``) and its
# code form (/k) instead. The mark grants nothing — left off, a slip is simply not bound —
# and once a slip is bound every path (this page, the JSON API, the booth) requires the
# first phone's secret.

#: The kiosk slip's phone keeps this cookie, scoped to the slip's ballot path.
HOLDER_COOKIE = "slip_holder"
#: The receipt, kept on the voter's own phone (same scope) so a reload shows it again.
#: The server keeps nothing linking a receipt to a slip: it reads the cookie and forgets.
RECEIPT_COOKIE = "slip_receipt"
#: A meeting's day for the binding; a month for the receipt (the list comes after the close).
HOLDER_SECONDS = 24 * 3600
RECEIPT_SECONDS = 31 * 24 * 3600


def _ballot_path(credential: str) -> str:
    return str(url_for("ballots.ballot", credential=credential))


def _keep_on_phone(response: Response, name: str, value: str, credential: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        path=_ballot_path(credential),
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )


def _kept_receipt(conference: Conference) -> str | None:
    """The receipt this phone keeps for this slip, if it is one of the conference's."""
    code = request.cookies.get(RECEIPT_COOKIE, "")
    if not is_receipt(code) or db.session.get(Receipt, (conference.id, code)) is None:
        return None
    return code


def _received(conference: Conference, credential: str, receipt: str) -> Response:
    """The receipt page; the phone keeps the code (its cookie) for a reload."""
    response = make_response(
        render_template("ballot/received.html", conference=conference, receipt=receipt)
    )
    _keep_on_phone(response, RECEIPT_COOKIE, receipt, credential, RECEIPT_SECONDS)
    response.delete_cookie(HOLDER_COOKIE, path=_ballot_path(credential))
    return response


def _taken(conference: Conference, token_id: str) -> ResponseReturnValue:
    """A second phone at a kiosk slip: flagged for the chair, refused in red."""
    flag_contested(conference.id, token_id)
    return refused_page(slip_taken(), conference)


def _form_choices(conference: Conference) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The plain form's choices, and its marks (field name -> agree/disagree) to show again."""
    # The positions from the ballot's definition (cached while open): no query per cast.
    choices: dict[str, list[str]] = {key: [] for key in ballot_definition(conference).positions}
    marks: dict[str, str] = {}
    for name, value in request.form.items():
        pkey, _sep, ckey = name.partition(".")
        if pkey in choices and value in ("agree", "disagree"):
            marks[name] = value
            if value == "agree":
                choices[pkey].append(ckey)
    return choices, marks


def _ballot_page(conference: Conference, credential: str, **context: Any) -> str:
    return render_template(
        "ballot/ballot.html",
        conference=conference,
        rule=conference_rule(conference),
        credential=credential,
        **context,
    )


@blueprint.route("/v", methods=["GET", "POST"])
@csrf.exempt
def enter_code() -> ResponseReturnValue:
    """For a phone whose camera fails: type the code printed on the slip (or on the kiosk)."""
    if request.method == "POST":
        code = request.form.get("code", "").strip()[:40]
        # The canonical form: the slip's cookies are scoped to this very path.
        credential = normalize_code(code) if is_code(code) else code
        kiosk: dict[str, Any] = {KIOSK_MARK: "1"} if request.form.get(KIOSK_MARK) else {}
        return redirect(url_for("ballots.ballot", credential=credential, **kiosk))
    return render_template("ballot/code.html", kiosk=False)


@blueprint.get("/k")
def enter_kiosk_code() -> ResponseReturnValue:
    """The kiosk's code form: as /v, and the slip it opens is bound to this phone."""
    return render_template("ballot/code.html", kiosk=True)


@blueprint.route("/v/<credential>", methods=["GET", "POST"])
@csrf.exempt  # the token in the URL is the credential; a forger cannot know it
def ballot(credential: str) -> ResponseReturnValue:
    """The slip's ballot; the plain form's review and cast; ballot.js's JSON cast.

    Without JavaScript the form goes through a review page first (``action=review``),
    then casts (``action=cast``; a form with no action is a complete ballot, as before).
    """
    if request.method == "POST" and request.is_json:
        return phone_cast(credential)
    key = _key()
    try:
        conference, token = find_token(key, credential)
    except DomainError as exc:
        return refused_page(exc)
    holder = request.cookies.get(HOLDER_COOKIE)
    if token.state == "used":
        receipt = _kept_receipt(conference)
        if receipt:  # this phone's own ballot: its receipt again, after a reload
            return _received(conference, credential, receipt)
    refusal = refusal_for(conference, token)
    if refusal:
        return refused_page(refusal, conference, unsent=request.method == "POST")
    if holder_refusal(key, token, holder):
        return _taken(conference, token.id)
    if request.method == "POST":
        return _phone_form(conference, token.id, credential, holder)
    claimed = None
    if request.method == "GET" and token.holder_hash is None and request.args.get(KIOSK_MARK):
        token_id = token.id
        claimed = open_kiosk_slip(key, conference.id, token_id)
        if claimed is None:  # another phone opened it a moment earlier
            return _taken(conference, token_id)
    response = make_response(_ballot_page(conference, credential))
    if claimed:
        _keep_on_phone(response, HOLDER_COOKIE, claimed, credential, HOLDER_SECONDS)
    return response


def _phone_form(
    conference: Conference, token_id: str, credential: str, holder: str | None
) -> ResponseReturnValue:
    """The plain form (no JavaScript): review, change, or cast."""
    choices, marks = _form_choices(conference)
    action = request.form.get("action", "cast")
    if action == "change":
        return _ballot_page(conference, credential, marks=marks)
    if action == "review":
        try:
            checked = normalize_choices(ballot_definition(conference), choices)
        except DomainError as exc:
            db.session.rollback()
            return _ballot_page(conference, credential, marks=marks, error=exc), exc.status
        return _ballot_page(conference, credential, marks=marks, review=checked)
    try:
        receipt = cast_ballot(_key(), credential, choices, holder=holder).receipt
    except DomainError as exc:
        if exc.code == "slip_taken":
            return _taken(conference, token_id)
        if exc.code in CHOICE_REFUSALS:  # a bad form: shown on the form, nothing cast
            db.session.rollback()
            return _ballot_page(conference, credential, marks=marks, error=exc), exc.status
        return refused_page(exc, conference, unsent=True)
    return _received(conference, credential, receipt)


def _json_refusal(exc: DomainError) -> ResponseReturnValue:
    db.session.rollback()
    text = _(exc.message, **{k: v for k, v in exc.params.items() if isinstance(v, str | int)})
    body: dict[str, Any] = {"code": exc.code, "message": text}
    if exc.params:
        body["details"] = exc.params
    return jsonify(error=body), exc.status


def phone_cast(credential: str) -> ResponseReturnValue:
    """ballot.js's cast, POSTed as JSON to the slip's own path so its cookies come along.

    Refusals are JSON (the page's script reads their code); the receipt is also kept on
    the phone (a cookie scoped to this path) for a reload.
    """
    data = request.get_json(silent=True)
    try:
        if not isinstance(data, dict):
            raise DomainError("invalid_choices", "The ballot's choices are malformed.", 400)
        cast = cast_ballot(
            _key(), credential, data.get("choices"), holder=request.cookies.get(HOLDER_COOKIE)
        )
    except DomainError as exc:
        response = _json_refusal(exc)
        if isinstance(exc, SlipTaken):
            flag_contested(exc.conference_id, exc.token_id)
        return response
    response = make_response(jsonify(status="recorded", receipt=cast.receipt), 201)
    _keep_on_phone(response, RECEIPT_COOKIE, cast.receipt, credential, RECEIPT_SECONDS)
    response.delete_cookie(HOLDER_COOKIE, path=_ballot_path(credential))
    return response


@blueprint.get("/c/<public_id>/handout/sheet")
@login_required
def handout_sheet(public_id: str) -> ResponseReturnValue:
    """A printable A4 sheet of QR slips with cut lines."""
    conference = conference_for(public_id, run=True)
    slips = [slip(conference, t) for t in handout.pending(conference, _key())]
    return render_template("handout/sheet.html", conference=conference, slips=slips)


@blueprint.get("/c/<public_id>/handout/kiosk")
@login_required
def handout_kiosk(public_id: str) -> ResponseReturnValue:
    """One QR at a time on a screen; moves on once opened, or on "next" (see kiosk_state)."""
    conference = conference_for(public_id, run=True)
    return render_template("handout/kiosk.html", conference=conference)


# --- paper ballots (the chair prints them; the counting committee enters them)


@blueprint.post("/c/<public_id>/paper/convert")
@login_required
def paper_convert(public_id: str) -> ResponseReturnValue:
    """An unused phone slip becomes a paper ballot for someone who prefers paper."""
    conference = conference_for(public_id, run=True)
    code = request.form.get("code", "")[:40]
    commit_or_flash(
        lambda: convert_slip(conference, code, _key()),
        _("The slip is now a paper ballot. Print one and hand it over."),
    )
    return redirect(url_for("conferences.show", public_id=public_id) + "#no-one-left-out")


@blueprint.get("/c/<public_id>/paper")
@login_required
def paper_print(public_id: str) -> ResponseReturnValue:
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


def _pin_holder() -> int | None:
    """The one member a new PIN is for; none: every member present gets their first."""
    return field_int(request.form, "person", low=1, high=2**31 - 1, required=False)


@blueprint.route("/c/<public_id>/paper/pins", methods=["GET", "POST"])
@login_required
def paper_pins(public_id: str) -> ResponseReturnValue:
    """The committee's one-time PINs, shown once for the chair to hand out on paper."""
    conference = conference_for(public_id, run=True)
    pins: list[tuple[str, str]] = []
    if request.method == "POST" and not commit_or_flash(
        lambda: pins.extend(issue_pins(conference, _key(), _pin_holder())),
        _("Hand each member their PIN now: it is shown only once."),
    ):
        return redirect(url_for("ballots.paper_pins", public_id=public_id))
    response = make_response(
        render_template(
            "ballot/paper_pins.html",
            conference=conference,
            pins=pins,
            members=committee_present(conference),
        )
    )
    # The PINs are shown once: no cache, no back button may show them again.
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/c/<public_id>/paper/entry", methods=["GET", "POST"])
@login_required
def paper_entry(public_id: str) -> ResponseReturnValue:
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
                return redirect(url_for("conferences.show", public_id=public_id))
        else:
            pin = request.form.get("pin", "")[:40]
            try:
                outcome = enter_paper(
                    conference, _marks(conference), request.form.get("spoilt"), pin, _key()
                )
            except DomainError as exc:
                flash_error(exc)
            else:
                # One message per outcome: a mismatch saved nothing, so no "saved" beside it.
                if outcome == "mismatch":
                    flash(
                        _("The two entries differ; both were discarded. Enter the ballot again."),
                        "error",
                    )
                elif outcome == "waiting":
                    flash(_("First entry saved. Another member now enters the same ballot."), "ok")
                else:
                    flash(_("The two entries match: the ballot is counted."), "ok")
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
def booth_setup(public_id: str) -> ResponseReturnValue:
    """The chair opens a booth: the link (and its QR) to open on the booth's browser."""
    conference = conference_for(public_id, run=True)
    link = booth_link(conference)
    return render_template(
        "ballot/booth_setup.html", conference=conference, link=link, qr=qr_svg(link)
    )


@blueprint.route("/b/<signed>", methods=["GET", "POST"])
@csrf.exempt  # no session: the booth link is the credential, the slip's code the ballot's
def booth(signed: str) -> ResponseReturnValue:
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


def booth_ballot(signed: str, conference: Conference, credential: str) -> ResponseReturnValue:
    """The ballot of a slip typed at the booth, or why it cannot vote (same codes as a phone)."""
    try:
        found, token = find_token(_key(), credential)
    except DomainError as exc:
        return render_template(
            "ballot/refused.html", error=exc, conference=conference, booth=signed
        ), exc.status
    # A kiosk slip another phone opened first stays that phone's: the booth keeps no
    # cookie (the next voter would inherit it), so it can neither bind nor prove a binding.
    refusal = (
        (refusal_for(found, token) or holder_refusal(_key(), token, None))
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
def booth_cast(signed: str) -> ResponseReturnValue:
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
        cast = cast_ballot(_key(), token, data.get("choices"), booth_of=conference.id)
    except DomainError as exc:
        return _json_refusal(exc)
    return jsonify(status="recorded", receipt=cast.receipt), 201
