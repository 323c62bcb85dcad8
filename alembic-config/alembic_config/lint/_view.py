"""One revision as the rules see it: its operations, flattened, and what is known of each table."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from alembic_config._ownership import table_key
from alembic_config.lint._facts import DatabaseFacts
from alembic_config.lint._model import Hit


def flatten(operations: Sequence[Any]) -> list[Any]:
    """The operations with autogenerate's containers (``ModifyTableOps``) opened up."""
    flat: list[Any] = []
    for operation in operations:
        inner = getattr(operation, "ops", None)
        if isinstance(inner, list):
            flat += flatten(inner)
        else:
            flat.append(operation)
    return flat


def operation_table(operation: Any) -> str | None:
    """The key (``schema.table``) of the table an operation touches, if it touches one."""
    name = getattr(operation, "table_name", None)
    schema = getattr(operation, "schema", None)
    if name is None:  # a foreign key names its table as the source
        name = getattr(operation, "source_table", None)
        schema = getattr(operation, "kw", {}).get("source_schema")
    if name is None:
        return None
    return table_key(name, schema)


@dataclass
class RevisionView:
    """A revision's operations in order, with the facts the rules need about each table.

    A table created earlier in the same run (this revision or a previous one of
    the range) is new: nothing else can be using it yet.
    """

    revision: str
    operations: list[Any]
    dialect: str
    facts: DatabaseFacts
    owners: Mapping[str, tuple[str, ...]]
    created_before: frozenset[str] = frozenset()
    gate_hits: Sequence[Hit] = ()

    def __post_init__(self) -> None:
        from alembic.operations import ops

        self._created_at: dict[str, int] = {}
        for index, operation in enumerate(self.operations):
            if isinstance(operation, ops.CreateTableOp):
                self._created_at.setdefault(operation_table(operation) or "", index)

    def created_here(self) -> frozenset[str]:
        """The tables this revision creates."""
        return frozenset(self._created_at)

    def on_existing(self) -> Iterator[tuple[Any, str]]:
        """Each operation on a table that exists before it runs, with the table's key."""
        for index, operation in enumerate(self.operations):
            key = operation_table(operation)
            if key is not None and self.existed(key, index):
                yield operation, key

    def existed(self, key: str, index: int) -> bool:
        """True unless the run created the table before operation ``index``, or it is absent.

        A database that could not be asked is assumed to hold the table: the
        finding then says so (see :meth:`note`).
        """
        if key in self.created_before or self._created_at.get(key, index + 1) <= index:
            return False
        return self.facts.exists(key) is not False

    def note(self, key: str | None) -> str | None:
        """Why a finding about ``key`` rests on an assumption (the database was not asked)."""
        if key is None or self.facts.tables is not None:
            return None
        return f"{self.facts.unknown}: assumed {key} exists"

    def rows(self, key: str) -> str:
        """``" (about 12000 rows)"`` when the database gave an estimate, else ``""``."""
        estimate = self.facts.rows.get(key)
        return "" if estimate is None else f" (about {estimate} rows)"

    @property
    def postgresql(self) -> bool:
        """True on PostgreSQL."""
        return self.dialect == "postgresql"
