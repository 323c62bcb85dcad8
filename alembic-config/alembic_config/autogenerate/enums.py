"""PostgreSQL's native enum types in autogenerate: their whole lifecycle.

A type is created before its first use (``create_table`` creates it itself;
a column added to an existing table needs it first; a table created with a
type the database already has gets ``create_type=False``), dropped at the end of the
downgrade that removes its last user, and gains a value through ``ALTER TYPE
... ADD VALUE`` in its place. A value removed, renamed or moved is refused with
:class:`~alembic_config._errors.EnumChangeError`: PostgreSQL cannot do that in
place, and guessing would lose data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from alembic.operations import ops
from sqlalchemy import Column, Enum, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Inspector

from alembic_config._errors import EnumChangeError
from alembic_config.autogenerate.ops import (
    AddEnumValueOp,
    CreateEnumOp,
    DropEnumOp,
    downgrade_operations,
    upgrade_operations,
)


@dataclass
class ModelEnum:
    """A native enum type of the models and the tables that use it."""

    name: str
    schema: str | None
    values: tuple[str, ...]
    tables: set[tuple[str | None, str]] = field(default_factory=set)


def _native_enum(type_: Any, dialect: Any) -> Enum | None:
    impl = type_.dialect_impl(dialect)
    if isinstance(impl, Enum) and impl.native_enum and impl.name:
        return impl
    return None


def model_enums(tables: Iterable[Table], dialect: Any) -> dict[tuple[str | None, str], ModelEnum]:
    """The native enum types the tables use, by (schema, name)."""
    found: dict[tuple[str | None, str], ModelEnum] = {}
    for table in tables:
        for column in table.columns:
            enum = _native_enum(column.type, dialect)
            if enum is None:
                continue
            schema = enum.schema if enum.schema is not None else table.schema
            entry = found.setdefault(
                (schema, str(enum.name)), ModelEnum(str(enum.name), schema, tuple(enum.enums))
            )
            entry.tables.add((table.schema, table.name))
    return found


def added_values(
    name: str, stored: tuple[str, ...], model: tuple[str, ...]
) -> list[tuple[str, str | None, str | None]]:
    """``(value, after, before)`` for each value the models add; refuses any other change."""
    if [v for v in model if v in stored] != list(stored):
        raise EnumChangeError(name=name, stored=stored, model=model)
    added = []
    for index, value in enumerate(model):
        if value in stored:
            continue
        after = model[index - 1] if index > 0 else None
        before = model[index + 1] if after is None and index + 1 < len(model) else None
        added.append((value, after, before))
    return added


def _created_tables(script: ops.MigrationScript) -> set[tuple[str | None, str]]:
    return {
        (op.schema, op.table_name)
        for op in upgrade_operations(script)
        if isinstance(op, ops.CreateTableOp)
    }


def _use_existing_type(script: ops.MigrationScript, enum: ModelEnum, dialect: Any) -> None:
    """A table created here with a type the database has: ``create_type=False`` in its column.

    ``create_table`` would create the type again (``DuplicateObject``).
    """
    for operation in upgrade_operations(script):
        if not isinstance(operation, ops.CreateTableOp):
            continue
        if (operation.schema, operation.table_name) not in enum.tables:
            continue
        items: list[Any] = list(operation.columns)
        for position, item in enumerate(items):
            if not isinstance(item, Column):
                continue
            found = _native_enum(item.type, dialect)
            if found is None or str(found.name) != enum.name:
                continue
            column = item._copy()
            column.type = postgresql.ENUM(
                *enum.values, name=enum.name, schema=enum.schema, create_type=False
            )
            items[position] = column
        operation.columns = items


def add_enum_operations(
    conn: Connection,
    inspector: Inspector,
    tables: Iterable[Table],
    script: ops.MigrationScript,
) -> None:
    """Add the enum type operations autogenerate leaves out (PostgreSQL only)."""
    if conn.dialect.name != "postgresql":
        return
    default_schema = inspector.default_schema_name
    stored = {
        (e["schema"], e["name"]): tuple(e["labels"])
        for e in cast(Any, inspector).get_enums(schema="*")
    }
    created = _created_tables(script)
    first: list[Any] = []
    last: list[Any] = []
    for (schema, name), enum in sorted(model_enums(tables, conn.dialect).items(), key=str):
        labels = stored.get((schema or default_schema, name))
        if labels is not None:
            for value, after, before in added_values(name, labels, enum.values):
                first.append(AddEnumValueOp(name, value, schema, after=after, before=before))
            _use_existing_type(script, enum, conn.dialect)
            continue
        if not enum.tables & created:  # only added columns use it: create_table will not
            first.append(CreateEnumOp(name, enum.values, schema))
        last.append(DropEnumOp(name, enum.values, schema))
    upgrade_operations(script)[:0] = first
    downgrade_operations(script).extend(last)
