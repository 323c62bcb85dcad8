"""Operations autogenerate adds for what stock Alembic leaves out: sequences and enum types.

They are rendered as plain SQLAlchemy calls on ``op.get_bind()`` (see
:mod:`~alembic_config.autogenerate.rendering`), so a revision needs nothing of
alembic-config to run, and each call does nothing on a database without
sequences or native enum types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alembic.operations import ops as alembic_ops
from alembic.operations.ops import MigrateOperation


def upgrade_operations(script: alembic_ops.MigrationScript) -> list[Any]:
    """The script's upgrade operations (the list itself, to edit in place)."""
    container = script.upgrade_ops
    return container.ops if container is not None else []


def downgrade_operations(script: alembic_ops.MigrationScript) -> list[Any]:
    """The script's downgrade operations (the list itself, to edit in place)."""
    container = script.downgrade_ops
    return container.ops if container is not None else []


@dataclass
class SequenceSpec:
    """A sequence as a revision creates it: its name, schema and the options that differ."""

    name: str
    schema: str | None = None
    options: tuple[tuple[str, Any], ...] = ()


class CreateSequenceOp(MigrateOperation):
    """Create a sequence (``checkfirst``: nothing happens when it already exists)."""

    def __init__(self, sequence: SequenceSpec) -> None:
        self.sequence = sequence

    def reverse(self) -> DropSequenceOp:
        """Dropping the same sequence."""
        return DropSequenceOp(self.sequence)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        """How ``alembic check`` lists it."""
        return ("add_sequence", self.sequence.schema, self.sequence.name)


class DropSequenceOp(MigrateOperation):
    """Drop a sequence if it exists."""

    def __init__(self, sequence: SequenceSpec) -> None:
        self.sequence = sequence

    def reverse(self) -> CreateSequenceOp:
        """Creating the same sequence."""
        return CreateSequenceOp(self.sequence)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        """How ``alembic check`` lists it."""
        return ("remove_sequence", self.sequence.schema, self.sequence.name)


class CreateEnumOp(MigrateOperation):
    """Create a native enum type before a column added to an existing table uses it."""

    def __init__(self, name: str, values: tuple[str, ...], schema: str | None) -> None:
        self.name = name
        self.values = values
        self.schema = schema

    def reverse(self) -> DropEnumOp:
        """Dropping the same type."""
        return DropEnumOp(self.name, self.values, self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        """How ``alembic check`` lists it."""
        return ("add_enum", self.schema, self.name, self.values)


class DropEnumOp(MigrateOperation):
    """Drop a native enum type no table uses any more (if it exists)."""

    def __init__(self, name: str, values: tuple[str, ...], schema: str | None) -> None:
        self.name = name
        self.values = values
        self.schema = schema

    def reverse(self) -> CreateEnumOp:
        """Creating the same type."""
        return CreateEnumOp(self.name, self.values, self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        """How ``alembic check`` lists it."""
        return ("remove_enum", self.schema, self.name)


class AddEnumValueOp(MigrateOperation):
    """``ALTER TYPE ... ADD VALUE``: a value added to a native enum type, in its place."""

    def __init__(
        self, name: str, value: str, schema: str | None, *, after: str | None, before: str | None
    ) -> None:
        self.name = name
        self.value = value
        self.schema = schema
        self.after = after
        self.before = before

    def reverse(self) -> MigrateOperation:
        """PostgreSQL cannot remove a value from an enum type: the downgrade keeps it."""
        raise NotImplementedError("an enum value cannot be removed")

    def to_diff_tuple(self) -> tuple[Any, ...]:
        """How ``alembic check`` lists it."""
        return ("add_enum_value", self.schema, self.name, self.value)
