"""Flask extensions, created unbound and initialised in the app factory."""

from typing import TYPE_CHECKING, ClassVar

import sqlalchemy as sa
from flask_babel import Babel
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Described:
    """A short repr for the debugger and the log: the class and its ``repr_columns``.

    Each model names the columns that identify it, never a secret, a hash, a ballot's
    choices or anything that joins a ballot to its token (docs/security.md), so a
    repr that lands in a log or a traceback leaks nothing the log may not hold. Only
    what is already loaded is shown (an expired key from the identity map): a repr
    never queries, nor flushes, in the middle of whatever is being logged.
    """

    #: Declared by every model (tests/test_models_repr.py checks it).
    repr_columns: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        state = sa.inspect(self)
        known = dict(state.dict)
        if state.identity is not None:
            keys = [state.mapper.get_property_by_column(c).key for c in state.mapper.primary_key]
            known = dict(zip(keys, state.identity, strict=True)) | known
        shown = [f"{name}={known[name]!r}" for name in self.repr_columns if name in known]
        return f"<{' '.join([type(self).__name__, *shown])}>"


if TYPE_CHECKING:
    # Flask-SQLAlchemy makes db.Model at run time, which a type checker cannot follow
    # (python/mypy#8603): models subclass this name, the same class for the app.
    class Model(Described, Base):
        __abstract__ = True
else:
    # Not Base: Flask-SQLAlchemy rebuilds the model class from Base's bases only, and
    # its own Model.__repr__ (the primary key: a token's or a ballot's id) comes first.
    class Model(Described, db.Model):
        __abstract__ = True


csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
# threading + simple-websocket: the Flask-SocketIO maintainers' current advice
# (eventlet is in maintenance, gevent monkey-patches the database drivers).
socketio = SocketIO(async_mode="threading")
