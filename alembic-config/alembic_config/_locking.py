"""The cross-process migration lock, held from reading the current version until the last stamp.

- PostgreSQL: a session-level advisory lock on the migration connection; it
  survives the commits of ``transaction_per_migration`` and dies with the session.
- MySQL / MariaDB: ``GET_LOCK`` on the migration connection, also per session.
- SQLite: an exclusive ``flock`` on a file beside the database, released by the
  operating system when the process ends, however it ends.

The wait is bounded; the waiter logs who holds the lock; a timeout raises
:class:`~alembic_config.LockTimeoutError` before anything was changed.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import math
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import Connection

from alembic_config._refusals import (
    LockTimeoutError,
)
from alembic_config._transactions import commit_unless

logger = logging.getLogger(__name__)

LOCK_TIMEOUT_ENV = "ALEMBIC_CONFIG_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 60.0
_POLL_SECONDS = 0.1


def holder_description() -> str:
    """Who this process is, for the lock holder's record and for waiters' messages."""
    return f"pid {os.getpid()} on {socket.gethostname()}"


def lock_timeout(value: float | str | None) -> float:
    """The timeout in seconds: the given value, else ``ALEMBIC_CONFIG_LOCK_TIMEOUT``, else 60."""
    raw = value if value is not None else os.environ.get(LOCK_TIMEOUT_ENV)
    if raw is None or raw == "":
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"lock timeout must be a number of seconds, not {raw!r}") from None
    if math.isnan(seconds):
        raise ValueError(f"lock timeout must be a number of seconds, not {raw!r}")
    if seconds < 0:
        raise ValueError(f"lock timeout must not be negative, not {raw!r}")
    return seconds


def _lock_name(conn: Connection, version_table: str) -> str:
    database = conn.engine.url.database or ""
    return f"alembic_config:{database}:{version_table}"[:64]


def _pg_keys(name: str) -> tuple[int, int]:
    digest = hashlib.sha256(name.encode()).digest()
    return (
        int.from_bytes(digest[:4], "big", signed=True),
        int.from_bytes(digest[4:8], "big", signed=True),
    )


def lock_held_elsewhere(conn: Connection, version_table: str) -> bool:
    """True while another session holds the migration lock, i.e. a migration runs there now.

    Asked where a partial-state marker can exist (MySQL / MariaDB, and PostgreSQL
    for revisions with an autocommit block): a marker whose writer still holds
    the lock is a migration in progress.
    """
    from sqlalchemy import text

    if conn.dialect.name == "postgresql":  # a revision with an autocommit block sets a marker
        key1, key2 = _pg_keys(_lock_name(conn, version_table))
        return bool(
            conn.execute(
                text(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                    "AND granted AND pid <> pg_backend_pid() "
                    "AND classid = CAST(:k1 AS oid) AND objid = CAST(:k2 AS oid))"
                ),
                {"k1": key1 & 0xFFFFFFFF, "k2": key2 & 0xFFFFFFFF},
            ).scalar()
        )
    if conn.dialect.name not in {"mysql", "mariadb"}:
        return False
    holder, own = conn.execute(
        text("SELECT IS_USED_LOCK(:name), CONNECTION_ID()"),
        {"name": _lock_name(conn, version_table)},
    ).one()
    return holder is not None and holder != own


@contextmanager
def migration_lock(conn: Connection, *, version_table: str, timeout: float) -> Iterator[None]:
    """Hold the migration lock for the duration of the block."""
    backend = conn.dialect.name
    if backend == "postgresql":
        with _postgresql_lock(conn, _lock_name(conn, version_table), timeout):
            yield
    elif backend in {"mysql", "mariadb"}:
        with _mysql_lock(conn, _lock_name(conn, version_table), timeout):
            yield
    elif backend == "sqlite":
        with _sqlite_lock(conn, timeout):
            yield
    else:
        logger.warning("no migration lock for %s: concurrent runs are not serialised", backend)
        yield


def _wait(try_acquire: Any, describe_holder: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    if try_acquire():
        return
    holder = describe_holder()
    logger.warning(
        "waiting up to %.0f s for the migration lock on %s, held by %s", timeout, what, holder
    )
    while time.monotonic() < deadline:
        time.sleep(min(_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        if try_acquire():
            return
    holder = describe_holder() or holder
    raise LockTimeoutError(
        f"migration lock on {what} not acquired within {timeout:g} s: held by {holder}; "
        "nothing was changed. Wait for that migration to finish, or raise the timeout "
        f"(--lock-timeout, or {LOCK_TIMEOUT_ENV})",
        timeout=timeout,
        holder=holder,
    )


@contextmanager
def _postgresql_lock(conn: Connection, name: str, timeout: float) -> Iterator[None]:
    from sqlalchemy import text

    key1, key2 = _pg_keys(name)
    in_transaction = conn.in_transaction()
    params = {"k1": key1, "k2": key2}

    def try_acquire() -> bool:
        acquired = conn.execute(text("SELECT pg_try_advisory_lock(:k1, :k2)"), params).scalar()
        commit_unless(conn, in_transaction)
        return bool(acquired)

    def describe_holder() -> str:
        row = conn.execute(
            text(
                "SELECT a.pid, a.application_name, a.client_addr, a.backend_start "
                "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted "
                "AND l.classid = CAST(:k1 AS oid) AND l.objid = CAST(:k2 AS oid)"
            ),
            {"k1": key1 & 0xFFFFFFFF, "k2": key2 & 0xFFFFFFFF},
        ).first()
        commit_unless(conn, in_transaction)
        if row is None:
            return "another session (gone now)"
        app = f" ({row.application_name})" if row.application_name else ""
        return f"PostgreSQL backend pid {row.pid}{app} from {row.client_addr or 'local socket'}"

    _wait(try_acquire, describe_holder, timeout, f"database {conn.engine.url.database}")
    try:
        yield
    finally:
        if not conn.closed and not conn.invalidated:
            if conn.in_transaction() and not in_transaction:
                conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:k1, :k2)"), params)
            commit_unless(conn, in_transaction)


@contextmanager
def _mysql_lock(conn: Connection, name: str, timeout: float) -> Iterator[None]:
    from sqlalchemy import text

    in_transaction = conn.in_transaction()

    def try_acquire() -> bool:
        acquired = conn.execute(text("SELECT GET_LOCK(:name, 0)"), {"name": name}).scalar()
        commit_unless(conn, in_transaction)
        return acquired == 1

    def describe_holder() -> str:
        row = conn.execute(
            text(
                "SELECT p.ID, p.USER, p.HOST, p.TIME FROM information_schema.PROCESSLIST p "
                "WHERE p.ID = IS_USED_LOCK(:name)"
            ),
            {"name": name},
        ).first()
        commit_unless(conn, in_transaction)
        if row is None:
            return "another session (gone now)"
        return f"connection {row.ID} ({row.USER}@{row.HOST}, for {row.TIME} s)"

    _wait(try_acquire, describe_holder, timeout, f"database {conn.engine.url.database}")
    try:
        yield
    finally:
        if not conn.closed and not conn.invalidated:
            if conn.in_transaction() and not in_transaction:
                conn.rollback()
            conn.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": name})
            commit_unless(conn, in_transaction)


def sqlite_lock_path(conn: Connection) -> Path | None:
    """The lock file beside a SQLite database file (``None`` for an in-memory database)."""
    database = conn.engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database).absolute().with_name(Path(database).name + ".migration.lock")


@contextmanager
def _sqlite_lock(conn: Connection, timeout: float) -> Iterator[None]:
    path = sqlite_lock_path(conn)
    if path is None:
        yield
        return
    handle: IO[str] = path.open("a+")
    try:

        def try_acquire() -> bool:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            handle.seek(0)
            handle.truncate()
            handle.write(holder_description())
            handle.flush()
            return True

        def describe_holder() -> str:
            try:
                return path.read_text().strip() or "another process"
            except OSError:
                return "another process"

        _wait(try_acquire, describe_holder, timeout, str(conn.engine.url.database))
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()
