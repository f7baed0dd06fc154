"""The database: opens without creating anything, is intact, at this release's schema."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from voting.doctor.finding import Finding
from voting.schema import MIGRATIONS, revisions


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


def database_exists(url: str) -> bool:
    """False for a SQLite file not yet created (opening it would create it)."""
    path = sqlite_path(url)
    return path is None or (path.exists() and path.stat().st_size > 0)


def check_revisions(current: set[str], migrations: Path, prefix: str) -> Finding:
    """The schema's Alembic revision against this release's head."""
    graph = revisions(migrations)
    heads, known = set(graph.heads), set(graph.known)
    head = ", ".join(sorted(heads))
    if current == heads:
        return Finding("database", "ok", f"{prefix}, lược đồ ở phiên bản mới nhất ({head}).")
    if not current:
        return Finding(
            "database",
            "warning",
            f"{prefix} nhưng chưa có bảng nào: `voting serve` sẽ tạo khi khởi động "
            "(hoặc `voting init-db`).",
        )
    unknown = sorted(current - known)
    if unknown:
        return Finding(
            "database",
            "problem",
            f"{prefix}, nhưng lược đồ ở phiên bản {', '.join(unknown)} không có trong "
            f"chương trình này (mới nhất là {head}): cơ sở dữ liệu thuộc một phiên bản "
            "chương trình mới hơn. Cập nhật chương trình, hoặc dùng cơ sở dữ liệu khác.",
        )
    return Finding(
        "database",
        "warning",
        f"{prefix}, lược đồ ở phiên bản {', '.join(sorted(current))}, bản mới nhất là {head}: "
        "`voting serve` sẽ nâng cấp khi khởi động (hoặc `voting init-db`). Sao lưu trước "
        "bằng `voting backup TỆP`.",
    )


def check_sqlite(path: Path, migrations: Path = MIGRATIONS) -> Finding:
    """``PRAGMA quick_check`` and the migration revision; never creates the file."""
    if not path.exists() or path.stat().st_size == 0:
        return Finding(
            "database",
            "warning",
            f"Chưa có cơ sở dữ liệu {path}: `voting serve` sẽ tạo khi khởi động "
            "(hoặc `voting init-db`).",
        )
    restore = (
        "Dừng máy chủ và khôi phục bản sao lưu gần nhất: `voting restore TỆP` "
        "(giữ lại tệp hỏng để đối chiếu)."
    )
    try:
        # mode=rw: fails on a missing file instead of creating an empty one.
        conn = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=10)
    except sqlite3.Error as exc:
        return Finding("database", "problem", f"Không mở được cơ sở dữ liệu {path}: {exc}.")
    try:
        rows = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
        if rows != ["ok"]:
            detail = "; ".join(" ".join(str(row).split()) for row in rows)
            return Finding(
                "database",
                "problem",
                f"Cơ sở dữ liệu {path} bị hỏng (quick_check: {detail}). {restore}",
            )
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        current: set[str] = set()
        if "alembic_version" in tables:
            current = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
        elif tables:
            return Finding(
                "database",
                "problem",
                f"Cơ sở dữ liệu {path} có bảng nhưng không có bảng alembic_version: không phải "
                "cơ sở dữ liệu của chương trình này. Kiểm tra DATABASE_URL và VOTING_INSTANCE.",
            )
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            return Finding(
                "database",
                "warning",
                f"Cơ sở dữ liệu {path} đang bận (một thao tác khác giữ khoá): chạy lại "
                "`voting doctor` sau ít phút.",
            )
        return Finding("database", "problem", f"Cơ sở dữ liệu {path} bị hỏng ({exc}). {restore}")
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
        return Finding("database", "problem", f"Cơ sở dữ liệu {path} bị hỏng ({exc}). {restore}")
    finally:
        conn.close()
    return check_revisions(current, migrations, f"Cơ sở dữ liệu {path} nguyên vẹn")


def check_server_database(url: str, migrations: Path = MIGRATIONS) -> Finding:
    """PostgreSQL (or another server database): connect, then the migration revision."""
    from alembic.migration import MigrationContext

    parsed = sa.engine.make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
    engine: sa.Engine | None = None
    try:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=args)
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            if "alembic_version" in tables:
                current = set(MigrationContext.configure(conn).get_current_heads())
            elif tables:
                return Finding(
                    "database",
                    "problem",
                    f"Cơ sở dữ liệu {shown} có bảng nhưng không có bảng alembic_version: không "
                    "phải cơ sở dữ liệu của chương trình này. Kiểm tra DATABASE_URL.",
                )
            else:
                current = set()
    except sa.exc.DBAPIError as exc:
        reason = (
            str(exc.orig).strip().splitlines()[0]
            if str(exc.orig).strip()
            else type(exc.orig).__name__
        )
        missing = "does not exist" in reason
        return Finding(
            "database",
            "problem",
            f"Không kết nối được cơ sở dữ liệu {shown} ({reason}). "
            + (
                f"Tạo cơ sở dữ liệu trước: `createdb {parsed.database}` (`voting serve` chỉ "
                "tạo các bảng, không tạo cơ sở dữ liệu)."
                if missing
                else "Kiểm tra máy chủ cơ sở dữ liệu đang chạy, địa chỉ, tên và mật khẩu "
                "trong DATABASE_URL."
            ),
        )
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        return Finding(
            "database",
            "problem",
            f"Thiếu thư viện cho {parsed.get_backend_name()} ({exc}): "
            + (
                "`.venv/bin/pip install -e '.[postgres]'`."
                if parsed.get_backend_name() == "postgresql"
                else "chương trình chỉ dùng SQLite hoặc PostgreSQL; sửa DATABASE_URL."
            ),
        )
    finally:
        if engine is not None:
            engine.dispose()
    return check_revisions(current, migrations, f"Kết nối được cơ sở dữ liệu {shown}")


def check_database(url: str, migrations: Path = MIGRATIONS) -> Finding:
    path = sqlite_path(url)
    if path is not None:
        return check_sqlite(path, migrations)
    if sa.engine.make_url(url).get_backend_name() == "sqlite":
        return Finding("database", "ok", "Cơ sở dữ liệu SQLite trong bộ nhớ (chỉ để thử).")
    return check_server_database(url, migrations)


def newest_timestamp(engine: sa.Engine, metadata: sa.MetaData) -> datetime | None:
    """The latest value of any DateTime column (naive UTC); tables not yet created skip."""
    newest: datetime | None = None
    with engine.connect() as conn:
        existing = set(sa.inspect(conn).get_table_names())
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.DateTime)]
            if table.name not in existing or not columns:
                continue
            row = conn.execute(sa.select(*[sa.func.max(c) for c in columns])).one()
            for value in row:
                if isinstance(value, datetime):
                    value = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
                    newest = value if newest is None or value > newest else newest
    return newest
