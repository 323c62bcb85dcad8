"""Rules about columns: required columns, type changes, NOT NULL, enum values, drops and renames."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from alembic_config.lint._model import Hit
from alembic_config.lint._view import RevisionView, operation_table


def adding_required_column(view: RevisionView) -> Iterator[Hit]:
    """A NOT NULL column without a server default, added to a table that has rows."""
    from alembic.operations import ops

    for operation, key in view.on_existing():
        if not isinstance(operation, ops.AddColumnOp):
            continue
        column = operation.column
        if column.nullable or column.server_default is not None or column.computed is not None:
            continue
        if column.identity is not None or column.primary_key:
            continue
        yield Hit(
            operation,
            key,
            f"{key}.{column.name} is NOT NULL without a server default{view.rows(key)}: "
            "the ALTER fails on a table with rows, and the services' running code does not "
            "write it yet",
        )


def _type_name(type_: Any) -> str:
    return type(type_).__name__


def _enum_values(type_: Any) -> tuple[str, ...] | None:
    values = getattr(type_, "enums", None)
    return tuple(values) if values is not None else None


def _widening(before: Any, after: Any, view: RevisionView) -> bool:
    """A longer (or unlimited) VARCHAR on PostgreSQL changes no row: no rewrite."""
    from sqlalchemy import String, Text

    if not view.postgresql or not isinstance(before, String) or not isinstance(after, String):
        return False
    if isinstance(after, Text) or after.length is None:
        return True
    return before.length is not None and after.length >= before.length


def column_type_change(view: RevisionView) -> Iterator[Hit]:
    """A column's type changed on an existing table: a rewrite under an exclusive lock."""
    from alembic.operations import ops

    for operation, key in view.on_existing():
        if not isinstance(operation, ops.AlterColumnOp) or operation.modify_type is None:
            continue
        before, after = operation.existing_type, operation.modify_type
        if _enum_values(before) is not None and _enum_values(after) is not None:
            continue  # enum-value-removed judges enum changes
        if before is not None and _widening(before, after, view):
            continue
        was = _type_name(before) if before is not None else "its current type"
        yield Hit(
            operation,
            key,
            f"{key}.{operation.column_name} changes from {was} to {_type_name(after)}"
            f"{view.rows(key)}: the table is rewritten (or every row checked) while it is "
            "locked against reads and writes",
        )


def enum_value_removed(view: RevisionView) -> Iterator[Hit]:
    """An enum column losing (or renaming) a value that existing rows and running code use."""
    import re

    from alembic.operations import ops

    for operation in view.operations:
        if isinstance(operation, ops.AlterColumnOp) and operation.modify_type is not None:
            before = _enum_values(operation.existing_type)
            after = _enum_values(operation.modify_type)
            if before is None or after is None:
                continue
            gone = [v for v in before if v not in after]
            if gone:
                key = f"{operation.table_name}.{operation.column_name}"
                yield Hit(
                    operation,
                    operation_table(operation),
                    f"{key} loses the enum value(s) {', '.join(gone)}: rows holding them "
                    "fail the change, and services still write them",
                )
        elif isinstance(operation, ops.ExecuteSQLOp):
            sql = " ".join(str(getattr(operation.sqltext, "text", operation.sqltext)).split())
            if re.search(r"\bALTER\s+TYPE\b.*\bRENAME\s+VALUE\b", sql, re.I) or re.search(
                r"\bDELETE\s+FROM\s+pg_enum\b", sql, re.I
            ):
                yield Hit(
                    operation,
                    None,
                    f"renames or removes an enum value ({sql[:80]}): services still reading "
                    "or writing the old value break",
                )


def setting_not_null(view: RevisionView) -> Iterator[Hit]:
    """SET NOT NULL on PostgreSQL scans the whole table under an ACCESS EXCLUSIVE lock."""
    from alembic.operations import ops

    for operation, key in view.on_existing():
        if not isinstance(operation, ops.AlterColumnOp) or operation.modify_nullable is not False:
            continue
        if operation.existing_nullable is False:
            continue
        if f"{key}.{operation.column_name}" in view.facts.not_null_checks:
            continue  # a validated CHECK proves it: PostgreSQL 12+ skips the scan
        yield Hit(
            operation,
            key,
            f"{key}.{operation.column_name} becomes NOT NULL{view.rows(key)}: every row is "
            "checked while the table is locked against reads and writes",
        )


def drop_column(view: RevisionView) -> Iterator[Hit]:
    """Dropping a column breaks every running version of code that still reads it."""
    from alembic.operations import ops

    for operation in view.operations:
        if isinstance(operation, ops.DropColumnOp):
            key = f"{operation.table_name}.{operation.column_name}"
            yield Hit(
                operation, operation_table(operation), f"drops {key}: data and readers go with it"
            )


def rename_column(view: RevisionView) -> Iterator[Hit]:
    """Renaming a column breaks every running version of code that uses the old name."""
    from alembic.operations import ops

    for operation in view.operations:
        if isinstance(operation, ops.AlterColumnOp) and operation.modify_name is not None:
            yield Hit(
                operation,
                operation_table(operation),
                f"renames {operation.table_name}.{operation.column_name} to "
                f"{operation.modify_name}: code deployed now still uses the old name",
            )
