"""Model errors caught when a service is loaded, before anything reaches a database.

SQLAlchemy accepts models that no database does: an ``Index`` naming no
column renders ``CREATE INDEX ... ()``; a foreign key to a column its table
lacks, or to columns that are neither its primary key nor unique, is refused by
the database halfway through a revision. Each problem names the table and the
index or constraint.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKeyConstraint, MetaData, Table, UniqueConstraint


def model_problems(metadata: MetaData) -> list[str]:
    """Every model error of ``metadata``, one sentence each, sorted by table."""
    problems: list[str] = []
    for key in sorted(metadata.tables):
        table = metadata.tables[key]
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            if not index.expressions:
                problems.append(f"table {key}: index {index.name} has no columns")
        for constraint in table.constraints:
            if isinstance(constraint, ForeignKeyConstraint):
                problems.extend(_foreign_key_problems(metadata, table, constraint))
    return problems


def _foreign_key_problems(
    metadata: MetaData, table: Table, constraint: ForeignKeyConstraint
) -> list[str]:
    targets = [element.target_fullname for element in constraint.elements]
    described = f"table {table.key}: foreign key ({', '.join(constraint.column_keys)}) -> " + (
        ", ".join(targets)
    )
    referred: Table | None = None
    columns: list[str] = []
    for target in targets:
        table_key, _, column = target.rpartition(".")
        found = metadata.tables.get(table_key)
        if found is None:  # another service's table: the merged catalog resolves it
            return []
        if column not in found.c:
            return [f"{described}: {table_key} has no column {column}"]
        referred = found
        columns.append(column)
    if referred is None or _is_unique(referred, columns):
        return []
    return [
        f"{described}: the referenced columns are neither the primary key of "
        f"{referred.key} nor unique"
    ]


def _is_unique(table: Table, columns: list[str]) -> bool:
    wanted = set(columns)
    if {c.name for c in table.primary_key.columns} == wanted:
        return True
    keys: list[Any] = [
        {c.name for c in constraint.columns}
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    keys += [{c.name for c in index.columns} for index in table.indexes if index.unique]
    keys += [{c.name} for c in table.columns if c.unique]
    return wanted in keys
