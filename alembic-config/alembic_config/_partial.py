"""The partial-state marker, for databases whose DDL cannot roll back (MySQL, MariaDB).

Before a revision's DDL starts, a row names it in ``<version_table>_in_progress``;
the row moves to the next revision in the same transaction that stamps the
previous one, and disappears with the last stamp. A row found later means a
revision was started and never stamped: part of it may be applied. Everything
refuses to run (exit 6 in the CLI) until an operator repairs the schema and
clears the marker explicitly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, String, Table, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from alembic_config._locking import holder_description, lock_held_elsewhere
from alembic_config._refusals import (
    PartialStateError,
)

MARKER_DIALECTS = frozenset({"mysql", "mariadb"})


@dataclass(frozen=True)
class PartialState:
    """A revision that was started and never stamped."""

    revision: str
    direction: str
    holder: str
    started_at: dt.datetime

    def describe(self) -> str:
        """One sentence naming the revision, the direction, who ran it and when."""
        return (
            f"revision {self.revision} was started ({self.direction}, by {self.holder}, "
            f"at {self.started_at:%Y-%m-%d %H:%M:%S} UTC) and never stamped"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "revision": self.revision,
            "direction": self.direction,
            "holder": self.holder,
            "started_at": self.started_at.isoformat(),
        }


def uses_marker(conn: Connection) -> bool:
    """True for databases whose DDL cannot roll back."""
    return conn.dialect.name in MARKER_DIALECTS


def may_hold_marker(conn: Connection) -> bool:
    """True where a marker can be found: MySQL / MariaDB, and PostgreSQL.

    On PostgreSQL a revision with an autocommit block commits part of itself
    before it is stamped, so such a revision is marked in progress too.
    """
    return uses_marker(conn) or conn.dialect.name == "postgresql"


def _why_partial(conn: Connection | None) -> str:
    if conn is not None and conn.dialect.name == "postgresql":
        return "its autocommit block committed what ran before it, so part of it may be applied"
    return "MySQL and MariaDB cannot roll DDL back, so part of it may be applied"


def marker_table(version_table: str = "alembic_version", schema: str | None = None) -> Table:
    """The marker table that goes with ``version_table``."""
    return Table(
        f"{version_table}_in_progress"[:64],
        MetaData(),
        Column("revision", String(32), nullable=False),
        Column("direction", String(10), nullable=False),
        Column("holder", String(255), nullable=False),
        Column("started_at", DateTime, nullable=False),
        schema=schema,
    )


def read_partial_state(
    conn: Connection, version_table: str = "alembic_version", schema: str | None = None
) -> PartialState | None:
    """The revision left half-applied, if any; reads only, creates nothing.

    A marker is also present while a migration runs. It is a partial state only
    if its writer is gone: the marker was there, the migration lock is free, and
    the marker is still the same afterwards (a live writer clears or moves it
    before releasing the lock). The second read uses a new connection, whose
    snapshot cannot predate the writer's last commit (REPEATABLE READ).
    """
    if not may_hold_marker(conn):
        return None
    seen = _read_marker(conn, version_table, schema)
    if seen is None or lock_held_elsewhere(conn, version_table):
        return None
    with conn.engine.connect() as fresh:
        again = _read_marker(fresh, version_table, schema)
    return seen if again == seen else None


def _read_marker(conn: Connection, version_table: str, schema: str | None) -> PartialState | None:
    table = marker_table(version_table, schema)
    if not inspect(conn).has_table(table.name, schema=schema):
        return None
    try:
        row = conn.execute(select(table)).first()
    except DBAPIError:
        # created or dropped meanwhile by a migration running now (MySQL errors 1146, 1412)
        if lock_held_elsewhere(conn, version_table) or not inspect(conn).has_table(
            table.name, schema=schema
        ):
            return None
        raise
    if row is None:
        return None
    return PartialState(row.revision, row.direction, row.holder, row.started_at)


def require_no_partial_state(
    conn: Connection, version_table: str = "alembic_version", schema: str | None = None
) -> None:
    """Raise :class:`PartialStateError` when a revision was left half-applied."""
    state = read_partial_state(conn, version_table, schema)
    if state is None:
        return
    raise PartialStateError(
        f"the database is in a partial state: {state.describe()}; {_why_partial(conn)}. "
        "Inspect the schema, finish or undo "
        "that revision by hand, then clear the marker: 'mindmirror db repair --yes' (with "
        "'--stamp REVISION' to record the revision the schema now matches)",
        revision=state.revision,
        direction=state.direction,
        holder=state.holder,
    )


def partial_after_failure(revision: str, direction: str, conn: Connection | None = None) -> str:
    """What to tell the run whose revision failed half-way (MySQL / MariaDB, autocommit blocks)."""
    return (
        f"the database is now in a partial state: revision {revision} ({direction}) was started "
        f"and never stamped; {_why_partial(conn)}. "
        "Inspect the schema, finish or undo that revision by hand, then clear the "
        "marker: 'mindmirror db repair --yes' (with '--stamp REVISION' to record the revision "
        "the schema now matches)"
    )


def set_marker(
    conn: Connection,
    revision: str | None,
    direction: str,
    version_table: str = "alembic_version",
    schema: str | None = None,
) -> None:
    """Record ``revision`` as in progress (``None`` clears the marker); the caller commits."""
    table = marker_table(version_table, schema)
    if revision is None:
        if inspect(conn).has_table(table.name, schema=schema):
            conn.execute(table.delete())
        return
    table.create(conn, checkfirst=True)
    conn.execute(table.delete())
    conn.execute(
        table.insert().values(
            revision=revision,
            direction=direction,
            holder=holder_description(),
            started_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
    )


def drop_marker_if_empty(
    conn: Connection, version_table: str = "alembic_version", schema: str | None = None
) -> None:
    """Drop the marker table once no revision is in progress (DDL: commits on MySQL)."""
    table = marker_table(version_table, schema)
    if not inspect(conn).has_table(table.name, schema=schema):
        return
    if conn.execute(select(table)).first() is None:
        table.drop(conn)


def clear_partial_state(
    conn: Connection, version_table: str = "alembic_version", schema: str | None = None
) -> PartialState | None:
    """Remove the marker after a repair; returns what it said. The caller commits."""
    state = read_partial_state(conn, version_table, schema)
    set_marker(conn, None, "", version_table, schema)
    drop_marker_if_empty(conn, version_table, schema)
    return state
