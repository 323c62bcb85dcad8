"""One query for the sequences behind every SERIAL column a PostgreSQL comparison reflects.

When autogenerate reflects a PostgreSQL column whose default is
``nextval('<sequence>'::regclass)``, Alembic asks the server, one query per
column, whether that sequence is owned by the column; if it is, the column is
a SERIAL and Alembic drops the reflected default so that it is not reported as
drift. At 2000 tables that is 2000 round trips.

:func:`serial_defaults_resolved` reads the owner of every sequence once, and a
``column_reflect`` listener on :class:`~sqlalchemy.schema.Table` (which runs
before the listener Alembic attaches to each reflected table) drops those same
defaults first, so Alembic's listener finds nothing left to ask about. The
decision is Alembic's own: the same integer types, the same pattern, the same
owner test. A default whose sequence the bulk answer does not name is left to
Alembic, which asks as before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, event, text
from sqlalchemy.dialects.postgresql import BIGINT, INTEGER
from sqlalchemy.engine import Connection

logger = logging.getLogger(__name__)

NEXTVAL = re.compile(r"nextval\('(.+?)'::regclass\)")

# the sequence as the server prints it in a column default (regclass output, which
# qualifies and quotes it the way pg_get_expr does), and the column that owns it
OWNED_SEQUENCES = text(
    "SELECT s.oid::regclass::text, s.relname, a.attname "
    "FROM pg_class AS s "
    "JOIN pg_depend AS d ON d.objid = s.oid "
    "AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass "
    "JOIN pg_class AS t ON t.oid = d.refobjid "
    "JOIN pg_attribute AS a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
    "WHERE s.relkind = 'S'"
)


class SerialDefaults:
    """The owning column of every sequence on one connection, read on first need."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._owners: dict[str, tuple[str, str]] | None = None

    def owners(self) -> dict[str, tuple[str, str]]:
        """``{sequence as printed in a default: (sequence name, owning column)}``."""
        if self._owners is None:
            rows = self.connection.execute(OWNED_SEQUENCES)
            self._owners = {}
            for printed, sequence, column in rows:
                self._owners.setdefault(printed, (sequence, column))
        return self._owners

    def on_column_reflect(self, inspector: Any, table: Table, column_info: dict[str, Any]) -> None:
        """Drop the default of a SERIAL column, exactly where Alembic would."""
        if inspector.bind is not self.connection:
            return
        default = column_info.get("default")
        if not default or not isinstance(column_info["type"], INTEGER | BIGINT):
            return
        match = NEXTVAL.match(default)
        if match is None:
            return
        owner = self.owners().get(match.group(1))
        if owner is not None and owner[1] == column_info["name"]:
            logger.debug("sequence %s is owned by %s.%s: a SERIAL", owner[0], table.name, owner[1])
            del column_info["default"]


@contextmanager
def serial_defaults_resolved(connection: Connection | None) -> Iterator[None]:
    """While the block runs, answer Alembic's SERIAL question for ``connection`` in bulk."""
    if connection is None or connection.dialect.name != "postgresql":
        yield
        return
    resolver = SerialDefaults(connection)
    event.listen(Table, "column_reflect", resolver.on_column_reflect)
    try:
        yield
    finally:
        event.remove(Table, "column_reflect", resolver.on_column_reflect)
