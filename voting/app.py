"""The app factory: configuration, extensions, blueprints, socket handlers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from sqlalchemy import event

from voting import schema
from voting.config import Config, persisted_secret_key
from voting.drafts.wording import load_wording
from voting.extensions import babel, csrf, db, login_manager, socketio
from voting.procedure.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("vi", "en")


def _pool_options(url: str, size: int) -> dict[str, int]:
    """PostgreSQL's pool: ``size`` connections kept, as many again at a peak.

    SQLAlchemy's default keeps 5 and closes every connection above them once used. Under
    gevent, a room's phones connecting their sockets hold more than 5 at once, and each
    closed one was reopened by the next phone (psycopg's connect in the burst's profile,
    docs/performance.md). SQLite opens a file, which costs little, and keeps its default.
    """
    if not url.startswith("postgresql"):
        return {}
    return {"pool_size": size, "max_overflow": size}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers never block the writer. synchronous=FULL: a ballot whose
    # commit returned survives a process kill *and* a power cut.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def select_locale() -> str:
    """An explicit choice (?lang= or its cookie) wins; then the unit's language.

    Only the attendee's pages (the ballot, the public receipt list) follow the
    phone's own language setting: the chair's screens and the documents are in the
    unit's language (``BABEL_DEFAULT_LOCALE``, Vietnamese unless configured) unless
    switched.
    """
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in LOCALES:
        return chosen
    default = current_app.config.get("BABEL_DEFAULT_LOCALE")
    if default not in LOCALES:
        default = "vi"
    if request.path == "/v" or request.path.startswith(("/v/", "/r/", "/b/")):
        return request.accept_languages.best_match(LOCALES) or default
    return default


def origin_allowed(app: Flask) -> Any:
    """Engine.IO's origin check: the app's own origin only.

    ``cors_allowed_origins=[]`` does not mean "none": python-engineio reads it as
    "CORS handling disabled", and skips the Origin check, so a page served on
    another port of this host joined the chair's room and read the live tally.
    Allowed: the origin the request itself names (scheme and Host, what a page of
    this app sends) and PUBLIC_URL's; not X-Forwarded-*, which anyone can send.
    A client that sends no Origin (not a browser) is not a cross-site page.
    """

    def allowed(origin: str | None, environ: dict[str, Any]) -> bool:
        own = {f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"}
        public = app.config.get("PUBLIC_URL")
        if public:
            parts = urlsplit(public)
            own.add(f"{parts.scheme}://{parts.netloc}")
        return origin in own

    return allowed


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The app factory; ``test_config`` overrides the environment's settings."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("VOTING_INSTANCE", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = persisted_secret_key(app.instance_path)
    url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'voting.db'}"
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = url

    # A bad ruleset is refused here, at start-up, naming file, rule and field.
    app.extensions["voting.ruleset"] = load_ruleset(app.config.get("VOTING_RULESET"))
    # So is a bad drafts' wording file, naming file and field.
    app.extensions["voting.drafts"] = load_wording(app.config.get("VOTING_DRAFTS"))

    # SQL parameters (token ids and hashes, ballot choices) never reach a log
    # line or an error message, even with SQL logging switched on.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "hide_parameters": True,
        **_pool_options(url, app.config["DATABASE_POOL_SIZE"]),
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
    schema.init_app(app)
    # Before the CSRF check, which reads the form: a malformed one is a 400, not its crash.
    from voting.views import refuse_nameless_fields

    app.before_request(refuse_nameless_fields)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    login_manager.init_app(app)
    # Handlers must be declared before the first init_app: Flask-SocketIO keeps
    # them for later apps only if no server existed when they were declared.
    from voting.realtime import events

    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        cors_allowed_origins=origin_allowed(app),
        manage_session=False,
    )

    from voting import assets, effects, views
    from voting.api import blueprint as api_blueprint
    from voting.api.planning import blueprint as api_planning_blueprint
    from voting.api.processes import blueprint as api_processes_blueprint
    from voting.api.register import blueprint as api_register_blueprint
    from voting.auth.routes import blueprint as auth_blueprint
    from voting.ballots.routes import blueprint as ballots_blueprint
    from voting.conferences.routes import blueprint as conferences_blueprint
    from voting.minutes.routes import blueprint as minutes_blueprint
    from voting.personnel.routes import blueprint as personnel_blueprint
    from voting.planning.routes import blueprint as planning_blueprint
    from voting.realtime import publisher

    app.register_blueprint(auth_blueprint)
    app.register_blueprint(conferences_blueprint)
    app.register_blueprint(ballots_blueprint)
    app.register_blueprint(minutes_blueprint)
    app.register_blueprint(personnel_blueprint)
    app.register_blueprint(planning_blueprint)
    app.register_blueprint(api_blueprint)
    app.register_blueprint(api_processes_blueprint)
    app.register_blueprint(api_planning_blueprint)
    app.register_blueprint(api_register_blueprint)
    views.init_app(app)
    assets.init_app(app)
    effects.init_app(app)
    events.init_app(app)
    publisher.init_app(app)

    from voting import commands

    commands.init_app(app)

    from voting import logs

    # No ballot credential in any log line (access log, error log, tracebacks).
    logs.init_app(app)
    return app
