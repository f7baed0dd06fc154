"""The wording the app was started with (validated in the app factory)."""

from __future__ import annotations

from flask import current_app

from voting.drafts.wording import Wording


def current_wording() -> Wording:
    return current_app.extensions["voting.drafts"]
