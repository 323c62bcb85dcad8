"""What the lint rules ask the database: which tables exist, and about how many rows they hold."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alembic_config._ownership import table_key

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DatabaseFacts:
    """The tables of the database (``None``: it could not be asked, and ``unknown`` says why)."""

    tables: frozenset[str] | None = None
    rows: Mapping[str, int] = field(default_factory=dict)
    unknown: str | None = "no database connection"
    # ``table.column`` with a validated CHECK (column IS NOT NULL): SET NOT NULL skips its scan
    not_null_checks: frozenset[str] = frozenset()

    @classmethod
    def unreachable(cls, reason: str) -> DatabaseFacts:
        """Facts for a database that could not be asked: every rule assumes tables exist."""
        return cls(None, {}, reason)

    @classmethod
    def read(cls, conn: Connection, schemas: Iterable[str | None] = (None,)) -> DatabaseFacts:
        """The tables of ``schemas`` and, on PostgreSQL and MySQL/MariaDB, their row estimates."""
        from sqlalchemy import inspect

        inspector = inspect(conn)
        tables = {
            table_key(name, schema)
            for schema in set(schemas) | {None}
            for name in inspector.get_table_names(schema=schema)
        }
        return cls(frozenset(tables), _row_estimates(conn), None, _not_null_checks(conn))

    def exists(self, key: str) -> bool | None:
        """Whether the table exists now; ``None`` when the database could not be asked."""
        return None if self.tables is None else key in self.tables


def _row_estimates(conn: Connection) -> dict[str, int]:
    """The planner's row estimates (cheap: no table is scanned)."""
    from sqlalchemy import text

    name = conn.dialect.name
    if name == "postgresql":
        sql = text(
            "SELECT n.nspname, c.relname, c.reltuples::bigint FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        )
    elif name in {"mysql", "mariadb"}:
        sql = text(
            "SELECT table_schema, table_name, table_rows FROM information_schema.tables "
            "WHERE table_schema = DATABASE()"
        )
    else:
        return {}
    default = conn.dialect.default_schema_name
    estimates = {}
    for schema, table, rows in conn.execute(sql):
        if rows is None or int(rows) < 0:  # PostgreSQL: -1 until the table is first analyzed
            continue
        key = table_key(table, None if schema == default or name != "postgresql" else schema)
        estimates[key] = int(rows)
    return estimates


_NOT_NULL_CHECK = re.compile(r'^CHECK \(\(?"?(?P<column>[^"() ]+)"? IS NOT NULL\)?\)$', re.I)


def _not_null_checks(conn: Connection) -> frozenset[str]:
    """The columns a validated ``CHECK (column IS NOT NULL)`` covers (PostgreSQL)."""
    from sqlalchemy import text

    if conn.dialect.name != "postgresql":
        return frozenset()
    rows = conn.execute(
        text(
            "SELECT n.nspname, c.relname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE k.contype = 'c' AND k.convalidated"
        )
    )
    default = conn.dialect.default_schema_name
    found = set()
    for schema, table, definition in rows:
        match = _NOT_NULL_CHECK.match(definition.strip())
        if match:
            key = table_key(table, None if schema == default else schema)
            found.add(f"{key}.{match['column']}")
    return frozenset(found)
