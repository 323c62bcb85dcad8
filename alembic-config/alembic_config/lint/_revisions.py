"""Rules about a revision as a whole: several owners' tables at once, data changes beside DDL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from alembic_config.lint._model import Hit
from alembic_config.lint._view import RevisionView, operation_table

_DML = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE)\b", re.I)


def _is_data_change(operation: Any) -> bool:
    from alembic.operations import ops
    from sqlalchemy.sql.dml import UpdateBase

    if isinstance(operation, ops.BulkInsertOp):
        return True
    if isinstance(operation, ops.ExecuteSQLOp):
        sql = operation.sqltext
        if isinstance(sql, UpdateBase):
            return True
        return bool(_DML.match(str(getattr(sql, "text", sql))))
    return False


def _is_ddl(operation: Any) -> bool:
    from alembic.operations import ops

    if isinstance(operation, ops.BulkInsertOp):
        return False
    if isinstance(operation, ops.ExecuteSQLOp):
        sql = str(getattr(operation.sqltext, "text", operation.sqltext))
        return bool(re.match(r"^\s*(CREATE|ALTER|DROP)\b", sql, re.I))
    return True


def several_services(view: RevisionView) -> Iterator[Hit]:
    """DDL on tables of several services in one revision: one service's rollout waits on another.

    Only existing tables count: creating new ones for several services (a first
    revision) locks nothing anyone uses.
    """
    groups: dict[tuple[str, ...], list[str]] = {}
    first: Any = None
    for operation, key in view.on_existing():
        if not _is_ddl(operation):
            continue
        owners = view.owners.get(key, ())
        if owners:
            groups.setdefault(owners, []).append(key)
            first = first or operation
    if len(groups) > 1:
        described = "; ".join(
            f"{', '.join(owners)}: {', '.join(sorted(set(tables)))}"
            for owners, tables in sorted(groups.items())
        )
        yield Hit(first, None, f"changes the tables of several services at once ({described})")


def data_with_ddl(view: RevisionView) -> Iterator[Hit]:
    """Data changes in the same revision as DDL hold the DDL's locks for as long as they run."""
    data = [op for op in view.operations if _is_data_change(op)]
    if data and any(_is_ddl(op) for op in view.operations):
        yield Hit(
            data[0],
            operation_table(data[0]),
            f"changes data ({len(data)} statement(s)) in the same transaction as schema "
            "changes: the DDL's locks are held while the rows are written",
        )
