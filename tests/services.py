"""Real PostgreSQL and Redis for the tests, when this machine has them.

Where a service is unreachable its tests skip with the reason — unless
``VOTING_REQUIRE_SERVICES=1`` (set by ``.ci/run``), where they fail instead, so
CI can never pass by silently skipping the real parts.
"""

from __future__ import annotations

import os
import uuid
from functools import cache

import pytest

PG_ADMIN_URL = os.environ.get("VOTING_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("VOTING_TEST_REDIS", "redis://127.0.0.1:6379/0")


def services_required() -> bool:
    return os.environ.get("VOTING_REQUIRE_SERVICES", "") == "1"


def unavailable(what: str, why: str) -> None:
    message = f"{what} is not reachable ({why})"
    if services_required():
        pytest.fail(f"{message}; VOTING_REQUIRE_SERVICES=1 forbids skipping", pytrace=False)
    pytest.skip(message)


@cache
def postgres_problem() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


@cache
def redis_problem() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        return str(exc) or type(exc).__name__
    return None


def require_postgres() -> None:
    problem = postgres_problem()
    if problem:
        unavailable("PostgreSQL", problem)


def require_redis() -> None:
    problem = redis_problem()
    if problem:
        unavailable("Redis", problem)


def create_database(prefix: str = "voting_test") -> str:
    """A fresh, empty database; returns its SQLAlchemy URL."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def truncate_all(url: str) -> None:
    """Empty every table of a migrated database (fast reset between tests)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        if tables:
            conn.execute(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
            )
