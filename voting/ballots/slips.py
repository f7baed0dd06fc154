"""What a slip shows: its ballot address, its QR and its printed code, on paper or the kiosk.

The pages (the QR sheet, the kiosk, a voided slip's replacement) and the JSON API show
the same slips, so they are built here, from a token and the app's public address.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from voting.ballots import handout
from voting.ballots.qr import qr_svg
from voting.ballots.tokens import IssuedToken, format_code, sign
from voting.conferences.models import Conference
from voting.network import public_base_url

#: The kiosk's mark on its QR and on its code form (voting.ballots.routes says why).
KIOSK_MARK = "kiosk"


def _key() -> str:
    return str(current_app.config["SECRET_KEY"])


def ballot_url(conference: Conference, token: IssuedToken) -> str:
    return f"{public_base_url()}/v/{sign(_key(), conference.public_id, token.secret)}"


def slip(conference: Conference, token: IssuedToken) -> dict[str, Any]:
    """A printed slip: its QR is the ballot address itself."""
    url = ballot_url(conference, token)
    return _slip(url, url, token, "/v")


def kiosk_slip(conference: Conference, token: IssuedToken) -> dict[str, Any]:
    """A slip as the kiosk shows it: its QR carries the kiosk's mark (see KIOSK_MARK)."""
    url = ballot_url(conference, token)
    kiosk_url = f"{url}?{KIOSK_MARK}=1"
    return {**_slip(url, kiosk_url, token, "/k"), "kiosk_url": kiosk_url}


def _slip(url: str, scanned: str, token: IssuedToken, code_path: str) -> dict[str, Any]:
    """``scanned`` is what the QR carries; ``code_path`` the form the code is typed in."""
    return {
        "url": url,
        "qr": qr_svg(scanned),
        "code": format_code(token.code),
        "code_url": f"{public_base_url()}{code_path}",
    }


def kiosk_state(
    conference: Conference, shown: Any = None, *, other: bool = False
) -> dict[str, Any]:
    """What the kiosk shows, given the token id it shows now (the page sends it).

    Stateless: any process, also after a restart, answers the same way. The
    shown slip stays while no phone has opened it; once opened (or used, or on
    "next", ``other``) another unopened slip is chosen at random. ``remaining``
    counts the slips neither opened nor used; ``double_scans`` the slips a second
    phone tried to open (someone in the queue still needs one). Nothing records
    what was shown.
    """
    unopened = handout.pending(conference, _key())
    chosen = handout.choose(unopened, shown if isinstance(shown, str) else None, other=other)
    current = kiosk_slip(conference, chosen) if chosen else None
    return {
        "status": conference.status,
        "remaining": len(unopened),
        "double_scans": handout.double_scans(conference),
        "token_id": chosen.token_id if chosen else None,
        "qr": str(current["qr"]) if current else None,
        "code": current["code"] if current else None,
        "url": current["url"] if current else None,
        "kiosk_url": current["kiosk_url"] if current else None,
        "code_url": f"{public_base_url()}/k",
    }
