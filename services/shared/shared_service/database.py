"""Database access for the services: one engine, one session factory, ``get_db``.

Nothing here connects or reads the environment at import time. The engine is
built on first use from the URL that ``alembic_config.resolve_database_url()``
resolves (the same URL migrations use: ``DATABASE_URL``, a ``.env`` file, the
ini, or the embedded SQLite default), and kept until :func:`dispose_engine`.

The names of the earlier ``libs/shared/database.py`` keep working:
``engine`` and ``SessionLocal`` are attributes of this module, built lazily.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["dispose_engine", "get_db", "get_engine", "get_session_factory"]


@dataclass
class _State:
    engine: sa.Engine | None = None
    session_factory: sessionmaker[Session] | None = None


_state = _State()
_lock = threading.Lock()


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    """SQLite enforces foreign keys (and ON DELETE) only when asked, per connection."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _create_engine() -> sa.Engine:
    from alembic_config import resolve_database_url

    url = resolve_database_url().url
    engine = sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def get_engine() -> sa.Engine:
    """The process's engine, created on the first call."""
    with _lock:
        if _state.engine is None:
            _state.engine = _create_engine()
        return _state.engine


def get_session_factory() -> sessionmaker[Session]:
    """The session factory bound to :func:`get_engine`, created on the first call."""
    engine = get_engine()
    with _lock:
        if _state.session_factory is None:
            _state.session_factory = sessionmaker(bind=engine, autoflush=False)
        return _state.session_factory


def get_db() -> Iterator[Session]:
    """Yield a session and close it afterwards (a FastAPI-style dependency).

    The caller commits; whatever it left uncommitted is rolled back on close.
    """
    session = get_session_factory()()
    try:
        yield session
    finally:
        session.close()


def dispose_engine() -> None:
    """Close every pooled connection and forget the engine and the session factory.

    The next use builds them again from the URL resolved at that time: tests call
    this between databases, and a forked worker calls it before its first query.
    """
    with _lock:
        engine, _state.engine, _state.session_factory = _state.engine, None, None
    if engine is not None:
        engine.dispose()


def __getattr__(name: str) -> Any:
    if name == "engine":
        return get_engine()
    if name == "SessionLocal":
        return get_session_factory()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
