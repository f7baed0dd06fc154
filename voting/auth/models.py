"""Accounts of the people who run conferences: admins, chairs and secretaries.

Attendees have no account: a one-time ballot token is all they hold.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from voting.extensions import Model

ROLES = ("admin", "chair", "secretary")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, Model):
    __tablename__ = "users"
    repr_columns = ("id", "username", "role")
    __table_args__ = (sa.CheckConstraint(f"role IN {ROLES!r}", name="ck_users_role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: Login name, unique, case-sensitive as typed.
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    #: Name shown on screens and in the minutes.
    display_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: Werkzeug scrypt/pbkdf2 hash; never the password.
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    #: admin (manages accounts, sees everything), chair, or secretary.
    role: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: A disabled account cannot log in.
    is_enabled: so.Mapped[bool] = so.mapped_column(default=True)
    created_dt: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_enabled

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
