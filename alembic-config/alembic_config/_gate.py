"""The cross-service impact gate: refuse a revision that breaks what a service still uses.

Before an upgrade applies anything, the operations of every pending revision
(recorded by :mod:`alembic_config._operations`) are checked against every
loaded service's models. A destructive or narrowing operation (dropping or
renaming a table or column, changing a column's type, making it NOT NULL,
dropping a key another table's foreign key needs) is refused while a service
still maps the object or holds a foreign key into it, unless each such service
is named in an explicit override after review (``--allow-breaking SERVICE``).
The owner's own models still defining the object is the same refusal: the
revision and the models disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alembic_config._ownership import table_key

if TYPE_CHECKING:
    from alembic.operations.ops import MigrateOperation
    from sqlalchemy import Column, Table
    from sqlalchemy.engine import Dialect

    from alembic_config._catalog import Catalog
    from alembic_config._operations import RecordedRevision

ALLOW_BREAKING_ENV = "ALEMBIC_CONFIG_ALLOW_BREAKING"


@dataclass(frozen=True)
class Touched:
    """What one operation does to which object, and whether it can break a user of it."""

    operation: str
    table: str | None
    column: str | None
    text: str
    destructive: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "operation": self.operation,
            "table": self.table,
            "column": self.column,
            "description": self.text,
            "destructive": self.destructive,
        }


@dataclass(frozen=True)
class Dependent:
    """A service that still uses what an operation removes or narrows, and how."""

    service: str
    distribution: str
    version: str
    reason: str

    def describe(self) -> str:
        """``agent (agent-service 0.1.0): foreign key conversations.user_id -> users.id``."""
        return f"{self.service} ({self.distribution} {self.version}): {self.reason}"

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready form."""
        return {
            "service": self.service,
            "distribution": self.distribution,
            "version": self.version,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class GateFinding:
    """One operation of one revision that breaks one or more services."""

    revision: str
    touched: Touched
    dependents: tuple[Dependent, ...]
    allowed: bool

    @property
    def services(self) -> tuple[str, ...]:
        """The services affected, sorted."""
        return tuple(sorted({d.service for d in self.dependents}))

    def describe(self) -> str:
        """The revision, the operation, and each affected service with how it uses the object."""
        lines = [f"revision {self.revision}: {self.touched.text}"]
        lines += [f"    still used by {d.describe()}" for d in self.dependents]
        if self.allowed:
            lines.append(
                "    allowed by --allow-breaking " + " --allow-breaking ".join(self.services)
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "revision": self.revision,
            **self.touched.to_dict(),
            "services": list(self.services),
            "dependents": [d.to_dict() for d in self.dependents],
            "allowed": self.allowed,
        }


def describe_operation(operation: MigrateOperation) -> Touched:
    """The table and column an operation touches, in words, and whether it is destructive."""
    from alembic.operations import ops

    name = type(operation).__name__.removesuffix("Op")
    verb = "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
    schema = getattr(operation, "schema", None)
    raw_table = getattr(operation, "table_name", None)
    table = table_key(raw_table, schema) if raw_table else None
    if isinstance(operation, ops.DropTableOp):
        return Touched(verb, table, None, f"drop_table {table}", True)
    if isinstance(operation, ops.RenameTableOp):
        new = table_key(operation.new_table_name, schema)
        return Touched(verb, table, None, f"rename_table {table} -> {new}", True)
    if isinstance(operation, ops.DropColumnOp):
        return Touched(
            verb, table, operation.column_name, f"drop_column {table}.{operation.column_name}", True
        )
    if isinstance(operation, ops.AlterColumnOp):
        return _alter_column(operation, table)
    if isinstance(operation, ops.DropConstraintOp | ops.DropIndexOp):
        constraint = getattr(operation, "constraint_name", None) or getattr(
            operation, "index_name", ""
        )
        return Touched(verb, table, None, f"{verb} {constraint} on {table}", True)
    if isinstance(operation, ops.CreateTableOp | ops.CreateIndexOp | ops.AddColumnOp):
        detail = getattr(operation, "index_name", None) or getattr(
            getattr(operation, "column", None), "name", None
        )
        suffix = f" {detail}" if detail else ""
        return Touched(
            verb, table, None, f"{verb}{suffix} on {table}" if detail else f"{verb} {table}"
        )
    if isinstance(operation, ops.ExecuteSQLOp):
        sql = operation.sqltext
        text = " ".join(str(getattr(sql, "text", sql)).split())
        return Touched(verb, None, None, f"execute {text[:120]}")
    return Touched(verb, table, None, f"{verb} {table}" if table else verb)


def _alter_column(operation: Any, table: str | None) -> Touched:
    column = operation.column_name
    changes = []
    if operation.modify_name is not None:
        changes.append(f"rename to {operation.modify_name}")
    if operation.modify_type is not None:
        before = operation.existing_type
        changes.append(
            f"type {before!r} -> {operation.modify_type!r}"
            if before
            else f"type -> {operation.modify_type!r}"
        )
    if operation.modify_nullable is False and operation.existing_nullable is not False:
        changes.append("NOT NULL")
    elif operation.modify_nullable is True:
        changes.append("NULL")
    destructive = (
        operation.modify_name is not None
        or operation.modify_type is not None
        or (operation.modify_nullable is False and operation.existing_nullable is not False)
    )
    text = f"alter_column {table}.{column}" + (f" ({', '.join(changes)})" if changes else "")
    return Touched("alter_column", table, column, text, destructive)


@dataclass
class _Models:
    """Lookups into the loaded models: who maps a table or column, who refers to it."""

    catalog: Catalog
    dialect: Dialect
    going_away: frozenset[str]

    def table(self, key: str) -> Table | None:
        return self.catalog.metadata.tables.get(key)

    def dependent(self, service: str, reason: str) -> Dependent:
        info = next((s for s in self.catalog.services if s.name == service), None)
        return Dependent(
            service,
            info.distribution if info else "unknown distribution",
            info.version if info else "unknown version",
            reason,
        )

    def mapping(
        self, key: str, column: str | None = None
    ) -> Iterator[tuple[str, Column[Any] | None]]:
        table = self.table(key)
        if table is None or (column is not None and column not in table.columns):
            return
        for service in self.catalog.owners.get(key, ()):
            yield service, table.columns[column] if column is not None else None

    def references(self, key: str, column: str | None = None) -> Iterator[tuple[str, Any]]:
        for source_key, source in self.catalog.metadata.tables.items():
            if source_key == key or source_key in self.going_away:
                continue
            for fk in source.foreign_keys:
                target, _, target_column = fk.target_fullname.rpartition(".")
                if target == key and (column is None or target_column == column):
                    for service in self.catalog.owners.get(source_key, ()):
                        yield service, fk

    def compiled(self, type_: Any) -> str:
        try:
            return str(type_.compile(dialect=self.dialect))
        except Exception:  # a type this dialect cannot render: compare its repr instead
            return repr(type_)


def _fk_reason(fk: Any) -> str:
    return f"foreign key {fk.parent.table.key}.{fk.parent.name} -> {fk.target_fullname}"


def _dependents(models: _Models, operation: Any, touched: Touched) -> list[Dependent]:
    from alembic.operations import ops

    key, column = touched.table, touched.column
    if key is None:
        return []
    found: list[Dependent] = []
    if isinstance(operation, ops.DropTableOp | ops.RenameTableOp):
        found += [models.dependent(s, f"maps the table {key}") for s, _ in models.mapping(key)]
        found += [models.dependent(s, _fk_reason(fk)) for s, fk in models.references(key)]
    elif isinstance(operation, ops.DropColumnOp) or (
        isinstance(operation, ops.AlterColumnOp) and operation.modify_name is not None
    ):
        found += [
            models.dependent(s, f"maps the column {key}.{column}")
            for s, _ in models.mapping(key, column)
        ]
        found += [models.dependent(s, _fk_reason(fk)) for s, fk in models.references(key, column)]
    elif isinstance(operation, ops.AlterColumnOp):
        found += _narrowing(models, operation, key, column)
    elif isinstance(operation, ops.DropConstraintOp | ops.DropIndexOp):
        found += _needed_key(models, operation, key)
    return found


def _narrowing(models: _Models, operation: Any, key: str, column: str | None) -> list[Dependent]:
    found = []
    new_type = operation.modify_type
    if new_type is not None:
        wanted = models.compiled(new_type)
        for service, mapped in models.mapping(key, column):
            if mapped is not None and models.compiled(mapped.type) != wanted:
                reason = f"maps {key}.{column} as {models.compiled(mapped.type)}, not {wanted}"
                found.append(models.dependent(service, reason))
        for service, fk in models.references(key, column):
            if models.compiled(fk.parent.type) != wanted:
                reason = f"{_fk_reason(fk)} is {models.compiled(fk.parent.type)}, not {wanted}"
                found.append(models.dependent(service, reason))
    if operation.modify_nullable is False and operation.existing_nullable is not False:
        for service, mapped in models.mapping(key, column):
            if mapped is not None and mapped.nullable:
                found.append(models.dependent(service, f"maps {key}.{column} as nullable"))
    return found


def _needed_key(models: _Models, operation: Any, key: str) -> list[Dependent]:
    """Services whose foreign key refers to exactly the columns of the dropped key."""
    from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint

    name = getattr(operation, "constraint_name", None) or getattr(operation, "index_name", None)
    table = models.table(key)
    if table is None or not name:
        return []
    columns = {
        frozenset(c.name for c in k.columns)
        for k in table.constraints
        if k.name == name and isinstance(k, PrimaryKeyConstraint | UniqueConstraint)
    }
    columns |= {
        frozenset(c.name for c in i.columns) for i in table.indexes if i.name == name and i.unique
    }
    found = []
    for source_key, source in models.catalog.metadata.tables.items():
        if source_key == key or source_key in models.going_away:
            continue
        for constraint in source.foreign_key_constraints:
            if constraint.referred_table.key != key:
                continue
            referred = frozenset(e.column.name for e in constraint.elements)
            if referred in columns:
                reason = (
                    f"foreign key {source_key}({', '.join(constraint.column_keys)}) needs {name}"
                )
                found += [
                    models.dependent(s, reason) for s in models.catalog.owners.get(source_key, ())
                ]
    return found


def needs_models(revisions: Iterable[RecordedRevision]) -> bool:
    """True when any recorded operation is destructive (only then are the models loaded)."""
    return any(describe_operation(op).destructive for rev in revisions for op in rev.operations)


def evaluate(
    revisions: Sequence[RecordedRevision],
    catalog: Catalog | Callable[[], Catalog],
    dialect: Dialect,
    *,
    allowed: Iterable[str] = (),
) -> list[GateFinding]:
    """Every destructive operation of the revisions that a loaded service still depends on."""
    from alembic.operations import ops

    if not needs_models(revisions):
        return []
    loaded = catalog() if callable(catalog) else catalog
    going_away = frozenset(
        table_key(op.table_name, op.schema)
        for rev in revisions
        for op in rev.operations
        if isinstance(op, ops.DropTableOp)
    )
    models = _Models(loaded, dialect, going_away)
    allow = set(allowed)
    findings = []
    for revision in revisions:
        for operation in revision.operations:
            touched = describe_operation(operation)
            if not touched.destructive:
                continue
            dependents = _unique(_dependents(models, operation, touched))
            if dependents:
                allowed_all = all(d.service in allow for d in dependents)
                findings.append(GateFinding(revision.revision, touched, dependents, allowed_all))
    return findings


def _unique(dependents: Iterable[Dependent]) -> tuple[Dependent, ...]:
    seen: dict[tuple[str, str], Dependent] = {}
    for dependent in dependents:
        seen.setdefault((dependent.service, dependent.reason), dependent)
    return tuple(sorted(seen.values(), key=lambda d: (d.service, d.reason)))
