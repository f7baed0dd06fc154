"""Secret-ballot conference voting for QT.NB.03 cadre-planning conferences.

The app factory lives in :mod:`voting.app`; it is imported lazily so that the
decision engine and ``voting decide`` run without loading Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    from voting.app import create_app as factory

    return factory(test_config)
