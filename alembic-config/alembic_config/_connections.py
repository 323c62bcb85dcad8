"""Engines and connections for one migration run, with errors that never show a password."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, create_engine
from sqlalchemy.exc import DBAPIError, NoSuchModuleError
from sqlalchemy.pool import NullPool

from alembic_config._errors import DatabaseConnectionError, DatabaseUrlError, MissingDriverError
from alembic_config._locking import holder_description
from alembic_config._urls import ResolvedUrl

MIGRATION_QUERY_CACHE_SIZE = 64
"""Compiled statements an engine of the product keeps (SQLAlchemy's default is 500).

A comparison repeats a few dozen statements; a migration run stamps every
revision with a statement of its own (Alembic writes the version numbers as
literals), which a larger cache would only keep: about 8 KiB each.
"""


def migration_engine(url: ResolvedUrl) -> Engine:
    """An engine for one migration run: no pool, SQL parameters kept out of logs."""
    connect_args: dict[str, Any] = {}
    if url.backend == "postgresql" and "application_name" not in url.url.query:
        connect_args["application_name"] = f"alembic_config {holder_description()}"[:63]
    try:
        engine = create_engine(
            url.url,
            poolclass=NullPool,
            hide_parameters=True,
            connect_args=connect_args,
            query_cache_size=MIGRATION_QUERY_CACHE_SIZE,
        )
    except (ModuleNotFoundError, NoSuchModuleError) as exc:
        backend = url.backend
        extra = "postgresql" if backend == "postgresql" else "mysql"
        raise MissingDriverError(
            masked_url=url.masked, backend=backend, extra=extra, driver=url.url.get_driver_name()
        ) from exc
    if url.backend == "sqlite":
        make_sqlite_ddl_transactional(engine)
    return engine


@contextmanager
def connected(url: ResolvedUrl) -> Iterator[Connection]:
    """A new connection to ``url``, closed with its engine at the end of the block."""
    engine = migration_engine(url)
    try:
        with open_connection(engine, url) as connection:
            yield connection
    finally:
        engine.dispose()


@contextmanager
def open_connection(engine: Engine, url: ResolvedUrl) -> Iterator[Connection]:
    """Connect, turning the driver's failures into errors that name the masked URL."""
    try:
        connection = engine.connect()
    except DBAPIError as exc:
        reason = url.redact(first_lines(str(exc.orig)))
        raise DatabaseConnectionError(
            f"cannot connect to {url.masked}: {reason}", masked_url=url.masked, reason=reason
        ) from None
    except UnicodeEncodeError as exc:
        # the exception holds the text it could not encode: the password, maybe
        raise DatabaseUrlError(
            f"cannot connect to {url.masked}: the {url.url.get_driver_name()} driver sends the "
            f"user name and password as {exc.encoding}, which cannot hold one of their "
            "characters; use characters it can encode",
            masked_url=url.masked,
        ) from None
    except OSError as exc:  # a file named in the URL's query (ssl_ca=...) is missing
        named = ", ".join(k for k in url.url.query if k.startswith("ssl")) or "?"
        raise DatabaseUrlError(
            f"cannot connect to {url.masked}: {exc.strerror or exc}: a file named in the URL "
            f"({named}) cannot be read; correct its path",
            masked_url=url.masked,
        ) from None
    with connection:
        yield connection


@contextmanager
def durable_at_end(conn: Connection) -> Iterator[None]:
    """On PostgreSQL, commit each revision asynchronously and make them all durable at the end.

    Every revision still commits atomically with its version stamp; only the
    wait for the disk is deferred to one flush when the command ends. A server
    crash in between can lose the last few commits, whole revisions with their
    stamps, so the database is never between two revisions.
    """
    if conn.dialect.name != "postgresql" or conn.in_transaction():
        yield
        return
    conn.exec_driver_sql("SET synchronous_commit TO off")
    conn.commit()
    try:
        yield
    finally:
        if not conn.closed and not conn.invalidated:
            if conn.in_transaction():
                conn.rollback()
            conn.exec_driver_sql("SET synchronous_commit TO on")
            conn.exec_driver_sql("SELECT txid_current()")  # a commit record: flushes the WAL
            conn.commit()


def make_sqlite_ddl_transactional(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, emit BEGIN, so DDL runs inside the transaction.

    The sqlite3 module commits before each DDL statement; a revision would
    commit statement by statement, slowly and without atomicity.
    """

    @event.listens_for(engine, "connect")
    def _driver_autocommit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def first_lines(text: str, limit: int = 3) -> str:
    """The first ``limit`` non-blank lines of a driver's message, on one line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " ".join(lines[:limit])
