"""Sequences in autogenerate: created before the tables that use them, dropped in the downgrade.

Stock Alembic neither renders nor compares a column's explicit ``Sequence``.
Here every sequence a compared table's column names is looked up in the
database; a missing one is created first in the upgrade (``checkfirst``, so the
same revision runs on a database without sequences) and dropped last in the
downgrade.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from alembic.operations import ops
from sqlalchemy import Table
from sqlalchemy.engine import Connection, Inspector

from alembic_config.autogenerate.ops import (
    CreateSequenceOp,
    DropSequenceOp,
    SequenceSpec,
    downgrade_operations,
    upgrade_operations,
)
from alembic_config.autogenerate.rendering import explicit_sequence, sequence_spec


def model_sequences(tables: Iterable[Table]) -> list[SequenceSpec]:
    """The explicit sequences the tables' columns use, each once, in table order."""
    found: dict[tuple[str | None, str], SequenceSpec] = {}
    for table in tables:
        for column in table.columns:
            sequence = explicit_sequence(column)
            if sequence is not None:
                schema = sequence.schema if sequence.schema is not None else table.schema
                spec = sequence_spec(sequence)
                spec.schema = schema
                found.setdefault((schema, sequence.name), spec)
    return list(found.values())


def add_sequence_operations(
    conn: Connection,
    inspector: Inspector,
    tables: Iterable[Table],
    script: ops.MigrationScript,
) -> None:
    """Create the model's missing sequences first; drop them last in the downgrade."""
    if not conn.dialect.supports_sequences:
        return
    existing: dict[str | None, set[str]] = {}
    missing = []
    for spec in model_sequences(tables):
        if spec.schema not in existing:
            existing[spec.schema] = set(inspector.get_sequence_names(schema=spec.schema))
        if spec.name not in existing[spec.schema]:
            missing.append(spec)
    if not missing:
        return
    upgrade: list[Any] = upgrade_operations(script)
    upgrade[:0] = [CreateSequenceOp(spec) for spec in missing]
    downgrade_operations(script).extend(DropSequenceOp(spec) for spec in reversed(missing))
