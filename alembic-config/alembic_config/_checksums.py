"""Checksums of applied revisions: an applied revision edited afterwards is caught.

When a revision is applied, a checksum of its file is recorded in
``<version_table>_checksums`` beside the version table, in the transaction
that stamps it. Before the next upgrade, and in ``status`` and ``health``,
every applied revision that has a recorded checksum is hashed again; a
difference means the file was edited after it ran, so the database may not be
what the file now says (Flyway's ``validate``, Atlas's ``atlas.sum``).

What is hashed is the revision's code, not its text (``_source_checksums``):
a ``ruff format`` or isort run does not change it, an operation added,
removed or changed does.

A database migrated before checksums were recorded gets them on its next
upgrade, without an alarm. A reviewed edit is accepted explicitly
(``mindmirror db repair --accept-checksum REV --yes``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    inspect,
    select,
)

from alembic_config._source_checksums import ALGORITHM, file_checksum

if TYPE_CHECKING:
    from alembic.script import Script, ScriptDirectory
    from sqlalchemy.engine import Connection
    from sqlalchemy.sql.dml import Insert


@dataclass(frozen=True)
class ChecksumMismatch:
    """An applied revision whose file no longer matches the checksum recorded when it ran."""

    revision: str
    path: str
    recorded: str
    current: str
    applied_at: dt.datetime

    def describe(self) -> str:
        """One sentence: the revision, when it was applied, and that its file changed since."""
        return (
            f"revision {self.revision} was edited after it was applied (at "
            f"{self.applied_at:%Y-%m-%d %H:%M:%S} UTC): {self.path} no longer matches the "
            "checksum recorded then"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "revision": self.revision,
            "path": self.path,
            "recorded": self.recorded,
            "current": self.current,
            "applied_at": self.applied_at.isoformat(),
        }


@functools.cache
def checksums_table(version_table: str = "alembic_version", schema: str | None = None) -> Table:
    """The checksum record that goes with ``version_table``."""
    return Table(
        f"{version_table}_checksums"[:64],
        MetaData(),
        Column("revision", String(32), primary_key=True),
        Column("checksum", String(64), nullable=False),
        Column("algorithm", String(16), nullable=False),
        Column("applied_at", DateTime, nullable=False),
        schema=schema,
    )


def revision_checksum(script: Script) -> str:
    """The checksum of a revision script's file (kept beside its bytecode, see below)."""
    return file_checksum(Path(str(script.path)))


def read_checksums(
    conn: Connection, version_table: str = "alembic_version", schema: str | None = None
) -> dict[str, tuple[str, dt.datetime]]:
    """Revision -> (checksum, applied at); empty when none was recorded yet. Reads only."""
    table = checksums_table(version_table, schema)
    if not inspect(conn).has_table(table.name, schema=schema):
        return {}
    rows = conn.execute(select(table.c.revision, table.c.checksum, table.c.applied_at))
    return {row.revision: (row.checksum, row.applied_at) for row in rows}


def ensure_checksums_table(
    conn: Connection, version_table: str = "alembic_version", schema: str | None = None
) -> None:
    """Create the checksum record if it is missing."""
    table = checksums_table(version_table, schema)
    if not inspect(conn).has_table(table.name, schema=schema):
        table.create(conn)


def record_checksums(
    conn: Connection,
    scripts: Iterable[Script],
    version_table: str = "alembic_version",
    schema: str | None = None,
) -> None:
    """Record (or replace) the checksums of these applied revisions; the caller commits."""
    table = checksums_table(version_table, schema)
    rows = {s.revision: revision_checksum(s) for s in scripts}
    if not rows:
        return
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    conn.execute(delete(table).where(table.c.revision.in_(sorted(rows))))
    conn.execute(
        table.insert(),
        [
            {"revision": rev, "checksum": sum_, "algorithm": ALGORITHM, "applied_at": now}
            for rev, sum_ in sorted(rows.items())
        ],
    )


def insert_checksum(
    conn: Connection,
    revision: str,
    checksum: str,
    version_table: str = "alembic_version",
    schema: str | None = None,
) -> None:
    """Record the checksum of a revision just applied, whose row was cleared beforehand."""
    conn.execute(checksum_insert(version_table, schema), checksum_values(revision, checksum))


@functools.cache
def checksum_insert(version_table: str = "alembic_version", schema: str | None = None) -> Insert:
    """The statement recording a checksum, its parameters named by :func:`checksum_values`."""
    return (
        checksums_table(version_table, schema)
        .insert()
        .values(
            revision=bindparam("alembic_config_revision"),
            checksum=bindparam("alembic_config_checksum"),
            algorithm=bindparam("alembic_config_algorithm"),
            applied_at=bindparam("alembic_config_applied_at"),
        )
    )


def checksum_values(revision: str, checksum: str) -> dict[str, Any]:
    """The parameters of :func:`checksum_insert` for a revision applied now."""
    return {
        "alembic_config_revision": revision,
        "alembic_config_checksum": checksum,
        "alembic_config_algorithm": ALGORITHM,
        "alembic_config_applied_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
    }


def forget_checksums(
    conn: Connection,
    revisions: Iterable[str],
    version_table: str = "alembic_version",
    schema: str | None = None,
) -> None:
    """Remove the checksums of revisions that were unapplied (downgraded); the caller commits."""
    keys = sorted(set(revisions))
    if keys:
        table = checksums_table(version_table, schema)
        conn.execute(delete(table).where(table.c.revision.in_(keys)))


def applied_scripts(script: ScriptDirectory, heads: Iterable[str]) -> list[Script]:
    """Every revision applied when the database is at ``heads`` (the heads and their ancestors)."""
    found: dict[str, Script] = {}
    for head in heads:
        if not head:  # an empty version row names no revision (require_known_revisions says so)
            continue
        for rev in script.iterate_revisions(head, "base"):
            found[rev.revision] = rev
    return [found[k] for k in sorted(found)]


def find_mismatches(
    conn: Connection,
    script: ScriptDirectory,
    heads: Iterable[str],
    version_table: str = "alembic_version",
    schema: str | None = None,
    recorded: Mapping[str, tuple[str, dt.datetime]] | None = None,
) -> list[ChecksumMismatch]:
    """The applied revisions whose files changed since their checksum was recorded.

    ``recorded``: the record as :func:`read_checksums` returned it, when already read.
    """
    if recorded is None:
        recorded = read_checksums(conn, version_table, schema)
    if not recorded:
        return []
    found = []
    for rev in applied_scripts(script, heads):
        if rev.revision not in recorded:
            continue
        expected, applied_at = recorded[rev.revision]
        current = revision_checksum(rev)
        if current != expected:
            found.append(
                ChecksumMismatch(rev.revision, str(rev.path), expected, current, applied_at)
            )
    return found


def unrecorded(
    conn: Connection,
    script: ScriptDirectory,
    heads: Iterable[str],
    version_table: str = "alembic_version",
    schema: str | None = None,
    recorded: Mapping[str, tuple[str, dt.datetime]] | None = None,
) -> list[Script]:
    """Applied revisions without a recorded checksum (migrated before checksums were kept)."""
    if recorded is None:
        recorded = read_checksums(conn, version_table, schema)
    return [rev for rev in applied_scripts(script, heads) if rev.revision not in recorded]
