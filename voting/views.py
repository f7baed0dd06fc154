"""App-wide request plumbing: error pages and JSON errors, headers, template helpers."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from flask import Flask, Response, flash, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest, HTTPException

from voting.effects import transaction
from voting.errors import N_, DomainError
from voting.extensions import db
from voting.network import public_base_url

T = TypeVar("T")


def flash_error(exc: DomainError) -> None:
    """Show a refused action on the next page, in the user's language."""
    params = {k: v for k, v in exc.params.items() if isinstance(v, str | int)}
    flash(_(exc.message, **params), "error")


def download(data: bytes | str, mimetype: str, filename: str) -> Response:
    """A download. A name beyond ASCII (an uploaded "Ý kiến.pdf") also goes as RFC 6266
    ``filename*``, since a header must stay Latin-1; the plain name is its ASCII fold."""
    folded = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in folded if ch.isascii() and ch.isprintable() and ch != '"')
    disposition = f'attachment; filename="{plain or "download"}"'
    if plain != filename:
        disposition += f"; filename*=UTF-8''{quote(filename)}"
    # A type that names its charset goes as it is: Werkzeug appends "; charset=utf-8" to
    # any text/* *mimetype*, which would name it twice.
    headers = {"Content-Disposition": disposition}
    if "charset=" in mimetype:
        return Response(data, content_type=mimetype, headers=headers)
    return Response(data, mimetype=mimetype, headers=headers)


def run_or_flash(action: Callable[[], T], done: str) -> tuple[bool, T | None]:
    """Run one operation in :func:`~voting.effects.transaction` (commit once, then its
    effects); a refusal is rolled back there and shown here, not raised.

    (kept, what the operation returned); ``done`` is flashed only if it was kept.
    """
    try:
        with transaction():
            result = action()
    except DomainError as exc:
        flash_error(exc)
        return False, None
    flash(done, "ok")
    return True, result


def commit_or_flash(action: Callable[[], Any], done: str) -> bool:
    """:func:`run_or_flash` for a page that needs only whether it was kept."""
    return run_or_flash(action, done)[0]


# No inline script or style anywhere: pages carry data in attributes or JSON blocks.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)

# Stable codes for HTTP errors raised by Flask itself.
HTTP_CODES = {
    400: "bad_request",
    401: "login_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    429: "too_many_requests",
}


HTTP_MESSAGES = {
    400: N_("The request is malformed."),
    401: N_("Please log in."),
    403: N_("You are not allowed to do this."),
    404: N_("Not found."),
    405: N_("This method is not allowed here."),
    413: N_("The request is too large."),
    429: N_("Too many attempts; wait a moment."),
}
# Kept out of the error_response(...) call: pybabel misses N_() nested two calls deep.
HTTP_FALLBACK_MESSAGE = N_("The request could not be served.")


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(code: str, message: str, status: int, **params: Any) -> Response | tuple:
    text = _(message, **{k: v for k, v in params.items() if isinstance(v, str | int)})
    if wants_json():
        body: dict[str, Any] = {"code": code, "message": text}
        if params:
            body["details"] = params
        return jsonify(error=body), status
    return render_template("error.html", code=code, message=text, status=status), status


# How Vietnamese documents write dates (Nghị định 30/2020 and everyday forms): 01/12/2026,
# "ngày 01 tháng 12 năm 2026". CLDR's Vietnamese short pattern is d/M/yy ("1/12/26"),
# which reads as a different date to anyone used to two-digit days and four-digit years.
VI_DATE_FORMATS = {
    "short": "dd/MM/yyyy",
    "medium": "dd/MM/yyyy",
    "long": "'ngày' dd 'tháng' MM 'năm' yyyy",
    "full": "EEEE, 'ngày' dd 'tháng' MM 'năm' yyyy",
}
VI_DATETIME_FORMATS = {
    "short": "HH:mm dd/MM/yyyy",
    "medium": "HH:mm:ss dd/MM/yyyy",
    "long": "HH 'giờ' mm 'phút', 'ngày' dd 'tháng' MM 'năm' yyyy",
    "full": "HH 'giờ' mm 'phút', EEEE, 'ngày' dd 'tháng' MM 'năm' yyyy",
}


def format_date(day: Any = None, format: str | None = None) -> str:
    """A calendar date as the reader's locale writes it (Vietnamese: 01/12/2026)."""
    if str(get_locale()) == "vi":
        format = VI_DATE_FORMATS.get(format or "medium", format)
    return str(babel_format_date(day, format))


def format_datetime(moment: Any = None, format: str | None = None) -> str:
    """A stored UTC moment in the room's zone (BABEL_DEFAULT_TIMEZONE), as the locale writes it."""
    if str(get_locale()) == "vi":
        format = VI_DATETIME_FORMATS.get(format or "medium", format)
    return str(babel_format_datetime(moment, format))


def percent_vi(value: str) -> str:
    """'66.67' → '66,67' in Vietnamese; unchanged in English."""
    return value.replace(".", ",") if str(get_locale()) == "vi" else value


def _quiet_werkzeug() -> None:
    """Werkzeug's development server writes "Server: Werkzeug/x Python/y" itself,
    before the app's headers (an after_request cannot remove it): name no version."""
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.version_string = lambda self: "voting"  # type: ignore[method-assign]


def init_app(app: Flask) -> None:
    _quiet_werkzeug()

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> ResponseReturnValue:
        db.session.rollback()
        return error_response(exc.code, exc.message, exc.status, **exc.params)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        db.session.rollback()
        return error_response(
            "csrf_failed", "The form expired; reload the page and try again.", 400
        )

    @app.errorhandler(DataError)
    def data_error(exc: DataError) -> ResponseReturnValue:
        # The database refused a value the request carried (PostgreSQL: a NUL
        # character, a text longer than its column): the request is at fault.
        # SQL parameters are hidden (hide_parameters), so the log names no value.
        db.session.rollback()
        app.logger.warning("database refused a request value: %s", type(exc.orig).__name__)
        return error_response(HTTP_CODES[400], HTTP_MESSAGES[400], 400)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        db.session.rollback()
        status = exc.code or 500
        return error_response(
            HTTP_CODES.get(status, "http_error"),
            HTTP_MESSAGES.get(status, HTTP_FALLBACK_MESSAGE),
            status,
        )

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy",
            CONTENT_SECURITY_POLICY,
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin, not no-referrer: over HTTPS Flask-WTF checks that a form's Referer is
        # this site (a login without one is refused), and with no-referrer a browser also
        # sends "Origin: null". Nothing goes to another site either way; the ballot pages,
        # whose URL is the credential, keep no-referrer.
        ballot_page = request.path.startswith(("/v/", "/b/", "/api/v1/ballots/"))
        response.headers.setdefault(
            "Referrer-Policy", "no-referrer" if ballot_page else "same-origin"
        )
        if request.path.startswith(("/v/", "/api/v1/ballots", "/b/")):
            # A ballot page (a phone's or the booth's) must never be replayed from a
            # cache or the history.
            response.headers["Cache-Control"] = "no-store"
        elif request.endpoint != "static" and current_user.is_authenticated:
            # A signed-in page (the tally, the roster, the account list) must not be
            # kept on a shared laptop's disk nor shown again by Back after log-out.
            response.headers["Cache-Control"] = "no-store"
        # No versions for a scanner to match against known flaws: gevent sends no
        # Server header; Werkzeug's (patched below) names none.
        response.headers.pop("Server", None)
        lang = request.args.get("lang")
        # The booth is shared: one voter's language must not stay for the next.
        if lang in ("vi", "en") and not request.path.startswith("/b/"):
            response.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax")
        return response

    @app.get("/favicon.ico")
    def favicon() -> Response:
        """Browsers ask for it on every first visit: a 404 page would cost a slow phone
        more than the icon (a few hundred bytes of SVG)."""
        asset = app.extensions["voting.assets"].get("favicon.svg")
        return Response(
            asset.body,
            content_type="image/svg+xml",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/healthz")
    def healthz() -> Response:
        """For load balancers and the benchmark's floor: no database, no session."""
        return Response("ok", mimetype="text/plain")

    @app.context_processor
    def helpers() -> dict[str, Any]:
        return {
            "locale": str(get_locale()),
            "public_url": public_base_url(),
            "format_date": format_date,
            "format_datetime": format_datetime,
            "percent": percent_vi,
            "ruleset": app.extensions["voting.ruleset"],
        }

    @app.before_request
    def remember_start() -> None:
        g.locale = str(get_locale())


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def refuse_nameless_fields() -> None:
    """A form part whose name cannot be read reaches Flask as a ``None`` key, and
    Flask-WTF's CSRF check crashes on it (a 500): refuse the request as malformed first,
    before any view or check reads the form."""
    if request.mimetype in FORM_TYPES and (None in request.form or None in request.files):
        raise BadRequest()
