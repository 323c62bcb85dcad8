"""Rows that commit with a revision's version stamp, sent in the stamp's own statement.

Each applied revision records its checksum in the transaction that stamps it.
On PostgreSQL that insert need not be a round trip of its own: the statement
Alembic sends to stamp the revision (``UPDATE <version table> SET
version_num='<rev>' ...``, or the ``INSERT`` of the first stamp) is sent with the
insert as a data-modifying ``WITH`` clause in front of it, so the server runs
both in one statement of the same transaction, and the stamp's row count
(which Alembic checks) is unchanged. A row whose stamp went out some other
way (a merge point deletes a head row, another dialect) is inserted on its
own afterwards, as before: :meth:`StampRows.sent` tells which.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import Insert

# how Alembic writes the new version into its stamp: a literal, see HeadMaintainer
_STAMPED = re.compile(r"(?:SET version_num=|VALUES \()'([A-Za-z0-9_]+)'")


class StampRows:
    """Inserts waiting for the stamp of their revision on one PostgreSQL connection."""

    def __init__(self, connection: Connection, version_table: str, schema: str | None) -> None:
        self.connection = connection
        self.version_table = version_table
        self.schema = schema
        self._pending: dict[str, list[tuple[str, Callable[[], dict[str, Any]]]]] = {}
        self._compiled: dict[int, str] = {}
        self._sent: set[str] = set()

    @staticmethod
    def supported(connection: Connection) -> bool:
        """Whether the dialect runs an ``INSERT`` inside a ``WITH`` clause (PostgreSQL)."""
        return connection.dialect.name == "postgresql"

    def add(self, revision: str, statement: Insert, values: Callable[[], dict[str, Any]]) -> None:
        """Send ``statement`` with the stamp of ``revision``, its parameters ``values()`` then.

        ``statement`` is compiled once however many revisions share it; its bound
        parameters need names of their own (they join the stamp's parameters).
        """
        key = id(statement)
        if key not in self._compiled:
            self._compiled[key] = str(statement.compile(dialect=self.connection.dialect))
        self._pending.setdefault(revision, []).append((self._compiled[key], values))

    def sent(self, revision: str) -> bool:
        """Whether the rows of ``revision`` went out with its stamp."""
        return revision in self._sent

    def _is_stamp(self, context: Any) -> bool:
        statement = getattr(getattr(context, "compiled", None), "statement", None)
        table = getattr(statement, "table", None)
        return (
            getattr(table, "name", None) == self.version_table
            and getattr(table, "schema", None) == self.schema
            and bool(context.isupdate or context.isinsert)
        )

    def _with_rows(
        self,
        _conn: Connection,
        _cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> tuple[str, Any]:
        if executemany or not self._pending or not self._is_stamp(context):
            return statement, parameters
        if parameters and not isinstance(parameters, dict):
            return statement, parameters
        found = _STAMPED.search(statement)
        rows = self._pending.pop(found.group(1), None) if found else None
        if not rows or found is None:
            return statement, parameters
        self._sent.add(found.group(1))
        merged = dict(parameters or {})
        for _sql, values in rows:
            merged.update(values())
        clauses = ", ".join(f"alembic_config_row_{i} AS ({sql})" for i, (sql, _) in enumerate(rows))
        return f"WITH {clauses} {statement}", merged

    def attach(self) -> None:
        """From now on, stamps carry their revision's rows (until :meth:`detach`)."""
        event.listen(self.connection, "before_cursor_execute", self._with_rows, retval=True)

    def detach(self) -> None:
        """Stop watching the connection's statements (idempotent)."""
        if event.contains(self.connection, "before_cursor_execute", self._with_rows):
            event.remove(self.connection, "before_cursor_execute", self._with_rows)
