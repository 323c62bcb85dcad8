"""Indexes a database cannot reflect as declared.

- SQLite cannot reflect an expression index, so Alembic skips it, even for a
  table the revision creates: it is added after that table's ``create_table``.
- MySQL, MariaDB and SQLite reflect an index's columns but not their ``DESC``
  ordering: an index declared with ``literal_column("x DESC")`` would be dropped
  and created again by every autogenerate. When the reflected index has the
  same columns in the same order, the pair is removed.
"""

from __future__ import annotations

import re
from typing import Any

from alembic.operations import ops
from sqlalchemy import Column, Table
from sqlalchemy.engine import Connection, Inspector

from alembic_config.autogenerate.ops import downgrade_operations, upgrade_operations

_ORDERING = re.compile(r"\s+(ASC|DESC)\s*$", re.IGNORECASE)
ORDER_BLIND_DIALECTS = frozenset({"mysql", "mariadb", "sqlite"})


def _declared_columns(table: Table, name: str) -> list[str] | None:
    for index in table.indexes:
        if index.name == name:
            names = []
            for expression in index.expressions:
                if isinstance(expression, Column):
                    names.append(expression.name)
                else:
                    names.append(_ORDERING.sub("", str(expression)).strip().strip('"`'))
            return names
    return None


def add_skipped_indexes(conn: Connection, tables: list[Table], script: ops.MigrationScript) -> None:
    """Create the expression indexes Alembic skipped on SQLite, with the tables created here."""
    if conn.dialect.name != "sqlite":
        return
    by_name = {(t.schema, t.name): t for t in tables}
    created = {
        str(o.index_name)
        for o in _all_operations(upgrade_operations(script))
        if isinstance(o, ops.CreateIndexOp)
    }
    upgrade: list[Any] = []
    for operation in upgrade_operations(script):
        upgrade.append(operation)
        if not isinstance(operation, ops.CreateTableOp):
            continue
        table = by_name.get((operation.schema, operation.table_name))
        for index in sorted(table.indexes if table is not None else (), key=lambda i: str(i.name)):
            if index.name is not None and str(index.name) not in created:
                upgrade.append(ops.CreateIndexOp.from_index(index))
    upgrade_operations(script)[:] = upgrade


def _all_operations(operations: list[Any]) -> list[Any]:
    found = []
    for operation in operations:
        found.append(operation)
        if isinstance(operation, ops.OpContainer):
            found.extend(_all_operations(operation.ops))
    return found


def drop_unreflectable_index_changes(
    conn: Connection, inspector: Inspector, tables: list[Table], script: ops.MigrationScript
) -> None:
    """Remove drop+create pairs of an index whose only difference is its column ordering."""
    if conn.dialect.name not in ORDER_BLIND_DIALECTS:
        return
    by_name = {(t.schema, t.name): t for t in tables}
    same: set[tuple[str | None, str, str]] = set()
    for container in upgrade_operations(script):
        if not isinstance(container, ops.ModifyTableOps):
            continue
        key = (container.schema, container.table_name)
        table = by_name.get(key)
        if table is None:
            continue
        dropped = {o.index_name for o in container.ops if isinstance(o, ops.DropIndexOp)}
        created = {o.index_name for o in container.ops if isinstance(o, ops.CreateIndexOp)}
        for name in dropped & created:
            reflected = {
                i["name"]: i["column_names"]
                for i in inspector.get_indexes(container.table_name, schema=container.schema)
            }
            if reflected.get(name) == _declared_columns(table, str(name)):
                same.add((container.schema, container.table_name, str(name)))
    if same:
        _remove(upgrade_operations(script), same)
        _remove(downgrade_operations(script), same)


def _remove(operations: list[Any], same: set[tuple[str | None, str, str]]) -> None:
    kept: list[Any] = []
    for operation in operations:
        if isinstance(operation, ops.ModifyTableOps):
            key = (operation.schema, operation.table_name)
            operation.ops[:] = [
                o
                for o in operation.ops
                if not (
                    isinstance(o, ops.DropIndexOp | ops.CreateIndexOp)
                    and (*key, str(o.index_name)) in same
                )
            ]
            if not operation.ops:
                continue
        kept.append(operation)
    operations[:] = kept
