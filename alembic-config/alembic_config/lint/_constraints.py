"""Rules about indexes and constraints added to tables that already hold rows (PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from alembic_config.lint._model import Hit
from alembic_config.lint._view import RevisionView


def _sql(operation: Any) -> str:
    return " ".join(str(getattr(operation.sqltext, "text", operation.sqltext)).split())


def index_without_concurrently(view: RevisionView) -> Iterator[Hit]:
    """CREATE INDEX without CONCURRENTLY blocks every write to the table while it builds."""
    from alembic.operations import ops

    for operation, key in view.on_existing():
        if isinstance(operation, ops.CreateIndexOp):
            if operation.kw.get("postgresql_concurrently"):
                continue
            yield Hit(
                operation,
                key,
                f"builds {operation.index_name} on {key}{view.rows(key)} holding a SHARE "
                "lock: every insert, update and delete waits until the index is built",
            )
    for operation in view.operations:
        if isinstance(operation, ops.ExecuteSQLOp):
            sql = _sql(operation)
            found = re.match(r"CREATE\s+(UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY)", sql, re.I)
            if found:
                yield Hit(operation, None, f"builds an index without CONCURRENTLY ({sql[:80]})")


def unique_constraint(view: RevisionView) -> Iterator[Hit]:
    """ADD CONSTRAINT ... UNIQUE builds its index under a lock that blocks writes."""
    from alembic.operations import ops

    for operation, key in view.on_existing():
        if isinstance(operation, ops.CreateUniqueConstraintOp):
            yield Hit(
                operation,
                key,
                f"adds the unique constraint {operation.constraint_name} to {key}"
                f"{view.rows(key)}: its index is built while writes to the table wait",
            )


def constraint_without_not_valid(view: RevisionView) -> Iterator[Hit]:
    """A foreign key or CHECK added validated scans the table under a lock that blocks writes."""
    from alembic.operations import ops

    for operation, key in view.on_existing():
        if isinstance(operation, ops.CreateForeignKeyOp | ops.CreateCheckConstraintOp):
            if operation.kw.get("postgresql_not_valid"):
                continue
            kind = "foreign key" if isinstance(operation, ops.CreateForeignKeyOp) else "CHECK"
            yield Hit(
                operation,
                key,
                f"adds the {kind} {operation.constraint_name} to {key}{view.rows(key)} "
                "validated: every row is checked while writes (for a foreign key, to both "
                "tables) wait",
            )
    for operation in view.operations:
        if isinstance(operation, ops.ExecuteSQLOp):
            sql = _sql(operation)
            adds = re.search(r"\bADD\s+(CONSTRAINT\s+\S+\s+)?(FOREIGN\s+KEY|CHECK)\b", sql, re.I)
            if adds and not re.search(r"\bNOT\s+VALID\b", sql, re.I):
                yield Hit(operation, None, f"adds a constraint without NOT VALID ({sql[:80]})")
