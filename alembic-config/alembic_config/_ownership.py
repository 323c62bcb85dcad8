"""Who owns each table of the database, and what no installed service defines (orphans).

The services' models say who owns what is in them. What they cannot say is who
owned a table whose service was since excluded, uninstalled, or whose model
was removed. For that the environment keeps a small record in the database,
``<version_table>_owners`` beside Alembic's version table: one row per table,
naming the service(s) that owned it when a revision created it (autogenerate
writes the owner into each ``op.create_table(..., info=...)``), or when an
upgrade last saw it in the loaded models. The record survives the service: it
is what "last known owner" means in every orphan report.

Autogenerate and drift checks use it to decide, for a table of the database
that no selected service defines:

- owned by an installed service that is not selected (excluded, left out of
  ``ALEMBIC_CONFIG_SERVICES``, or failing to load): left alone, not drift;
- otherwise an orphan: reported with its last known owner, never dropped
  unless named explicitly (``--drop TABLE``, or ``-x drop=TABLE``).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, DateTime, MetaData, String, Table, delete, inspect, select

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

logger = logging.getLogger(__name__)

#: the ``Table.info`` key naming a created table's owning service(s) in a revision
OWNERS_INFO_KEY = "alembic_config.owners"
UNKNOWN = ""


@dataclass(frozen=True)
class RecordedOwner:
    """The last recorded owner(s) of a table, and which revision or run recorded them."""

    table: str
    services: tuple[str, ...]
    distributions: str
    revision: str | None
    recorded_at: dt.datetime | None = None

    def describe(self) -> str:
        """``journal (journal-service 0.1.0)``, or a sentence when the owner is unknown."""
        if not self.services:
            made = f" by revision {self.revision}" if self.revision else ""
            return f"owner unknown (created{made} without a recorded owner)"
        where = f" ({self.distributions})" if self.distributions else ""
        return ", ".join(self.services) + where

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "services": list(self.services),
            "distributions": self.distributions or None,
            "revision": self.revision,
            "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
        }


@dataclass(frozen=True)
class Orphan:
    """A table of the database that no installed, selected service defines."""

    table: str
    last_owner: RecordedOwner | None

    def describe(self) -> str:
        """One line: the table and its last known owner."""
        if self.last_owner is None:
            return f"{self.table} (no recorded owner: made by hand, or before owners were recorded)"
        return f"{self.table} (last owner: {self.last_owner.describe()})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "table": self.table,
            "last_owner": self.last_owner.to_dict() if self.last_owner else None,
        }


@dataclass(frozen=True)
class LeftAlone:
    """A table owned by an installed service that is not selected: neither compared nor dropped."""

    table: str
    services: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {"table": self.table, "services": list(self.services)}


@functools.cache
def owners_table(version_table: str = "alembic_version", schema: str | None = None) -> Table:
    """The ownership record that goes with ``version_table``."""
    return Table(
        f"{version_table}_owners"[:64],
        MetaData(),
        Column("table_key", String(255), primary_key=True),
        Column("services", String(255), nullable=False),
        Column("distributions", String(500), nullable=False),
        Column("revision", String(32), nullable=True),
        Column("recorded_at", DateTime, nullable=False),
        schema=schema,
    )


def read_owners(
    conn: Connection, version_table: str = "alembic_version", schema: str | None = None
) -> dict[str, RecordedOwner]:
    """Every recorded owner, by table key; empty when nothing was recorded yet. Reads only."""
    table = owners_table(version_table, schema)
    if not inspect(conn).has_table(table.name, schema=schema):
        return {}
    found = {}
    for row in conn.execute(select(table)):
        services = tuple(s for s in row.services.split(",") if s)
        found[row.table_key] = RecordedOwner(
            row.table_key, services, row.distributions, row.revision, row.recorded_at
        )
    return found


def ensure_owners_table(
    conn: Connection, version_table: str = "alembic_version", schema: str | None = None
) -> bool:
    """Create the ownership record if it is missing; returns whether it was created."""
    table = owners_table(version_table, schema)
    if inspect(conn).has_table(table.name, schema=schema):
        return False
    table.create(conn)
    return True


def record_owners(
    conn: Connection,
    owners: Iterable[RecordedOwner],
    version_table: str = "alembic_version",
    schema: str | None = None,
) -> None:
    """Replace the rows of these tables by the given owners; the caller commits."""
    entries = {owner.table: owner for owner in owners}
    if not entries:
        return
    table = owners_table(version_table, schema)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    conn.execute(delete(table).where(table.c.table_key.in_(sorted(entries))))
    conn.execute(
        table.insert(),
        [
            {
                "table_key": key,
                "services": ",".join(owner.services),
                "distributions": owner.distributions[:500],
                "revision": owner.revision,
                "recorded_at": now,
            }
            for key, owner in sorted(entries.items())
        ],
    )


def forget_owners(
    conn: Connection,
    tables: Iterable[str],
    version_table: str = "alembic_version",
    schema: str | None = None,
) -> None:
    """Remove the rows of tables that no longer exist (dropped or renamed); the caller commits."""
    keys = sorted(set(tables))
    if keys:
        table = owners_table(version_table, schema)
        conn.execute(delete(table).where(table.c.table_key.in_(keys)))


def owners_from_info(info: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The services named in a created table's ``info`` (``()`` when none is recorded)."""
    value = (info or {}).get(OWNERS_INFO_KEY)
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple):
        return ()
    return tuple(sorted({str(v).strip() for v in value if str(v).strip()}))


def table_key(name: str, schema: str | None) -> str:
    """The MetaData key of a table: ``schema.name``, or ``name`` in the default schema."""
    return f"{schema}.{name}" if schema else name


def bookkeeping_tables(version_table: str = "alembic_version") -> frozenset[str]:
    """The tables alembic-config keeps beside the version table: never drift, never orphans."""
    return frozenset(
        {
            f"{version_table}_owners"[:64],
            f"{version_table}_checksums"[:64],
            f"{version_table}_in_progress"[:64],
            version_table,
        }
    )
