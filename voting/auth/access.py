"""Who may see and change what."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required

from voting.conferences.models import Conference, find_conference
from voting.errors import DomainError


def role_required(*roles: str) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_role(*roles: str) -> None:
    """Inside a view open to every signed-in user: only these roles may go on (403)."""
    if current_user.role not in roles:
        abort(403)


def can_read(user: Any, conference: Conference) -> bool:
    return bool(
        user.is_authenticated
        and (
            user.is_admin
            or conference.owner_id == user.id
            or conference.secretary_user_id == user.id
        )
    )


def can_run(user: Any, conference: Conference) -> bool:
    """Only the chair who owns it (or an admin) runs a conference."""
    return bool(user.is_authenticated and (user.is_admin or conference.owner_id == user.id))


def conference_for(public_id: str, *, run: bool = False) -> Conference:
    """The conference the current user may read (or run), else 404/403."""
    conference = find_conference(public_id)
    if conference is None or not can_read(current_user, conference):
        # Another chair's conference looks exactly like a missing one.
        raise DomainError("conference_not_found", "Not found.", 404)
    if run and not can_run(current_user, conference):
        raise DomainError("forbidden", "Only the chair of this conference can do this.", 403)
    return conference


def visible_conferences(user: Any) -> sa.Select:
    query = sa.select(Conference).order_by(Conference.held_on.desc(), Conference.id.desc())
    if user.is_admin:
        return query
    return query.where(
        sa.or_(Conference.owner_id == user.id, Conference.secretary_user_id == user.id)
    )
