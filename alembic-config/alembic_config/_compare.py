"""Describing a table definition as comparable facts, and finding where definitions differ.

Each definition becomes a mapping ``(aspect, subject) -> text``. Two tables are
identical when their mappings are equal; otherwise every key whose text differs
is a :class:`~alembic_config._conflicts.Difference`. A column missing from a
service is reported once, as the column, not again for each of its aspects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    Table,
    UniqueConstraint,
)
from sqlalchemy.sql.elements import ClauseElement

from alembic_config._conflicts import MISSING, Conflict, Difference

Facts = dict[tuple[str, str], str]


def _name(obj: Any) -> str | None:
    name = getattr(obj, "name", None)
    # unnamed constraints carry a _NoneName marker, which is a str subclass of "_unnamed_"
    if name is None or type(name).__name__ == "_NoneName":
        return None
    return str(name)


def _sql(element: Any) -> str:
    if isinstance(element, str):
        return element
    if isinstance(element, ClauseElement):
        try:
            return str(element.compile(compile_kwargs={"literal_binds": True}))
        except Exception:  # an element the generic compiler cannot render
            return str(element)
    return repr(element)


def _default(column: Column[Any]) -> str | None:
    default = column.default
    if default is None:
        return None
    arg = getattr(default, "arg", default)
    if callable(arg):
        return f"{getattr(arg, '__module__', '?')}.{getattr(arg, '__name__', repr(arg))}()"
    return _sql(arg)


def _server_default(column: Column[Any]) -> str | None:
    server_default = column.server_default
    if server_default is None:
        return None
    return _sql(getattr(server_default, "arg", server_default))


def _columns(names: Iterable[Any]) -> str:
    return "(" + ", ".join(str(getattr(c, "name", c)) for c in names) + ")"


def _foreign_key(constraint: ForeignKeyConstraint) -> str:
    targets = ", ".join(element.target_fullname for element in constraint.elements)
    text = f"-> {targets}"
    if constraint.ondelete:
        text += f" ON DELETE {constraint.ondelete}"
    if constraint.onupdate:
        text += f" ON UPDATE {constraint.onupdate}"
    return text


def column_facts(column: Column[Any]) -> dict[str, str]:
    """The comparable aspects of one column."""
    facts = {
        "type": repr(column.type),
        "nullable": "NULL" if column.nullable else "NOT NULL",
        "primary key": "yes" if column.primary_key else "no",
    }
    optional = {
        "default": _default(column),
        "server default": _server_default(column),
        "comment": column.comment,
    }
    facts.update({aspect: value for aspect, value in optional.items() if value is not None})
    return facts


def describe_column(column: Column[Any]) -> str:
    """A one-line summary of a column (its type, nullability, foreign keys)."""
    text = f"{column.type!r} {'NULL' if column.nullable else 'NOT NULL'}"
    for fk in sorted(column.foreign_keys, key=lambda f: f.target_fullname):
        text += f" REFERENCES {fk.target_fullname}"
    return text


def table_facts(table: Table) -> Facts:
    """Every comparable fact of a table except its columns' own aspects."""
    facts: Facts = {}
    pk_columns = [c.name for c in table.primary_key.columns]
    facts[("primary key", "")] = _columns(pk_columns) if pk_columns else "none"
    for constraint in table.constraints:
        if isinstance(constraint, ForeignKeyConstraint):
            subject = ", ".join(constraint.column_keys)
            facts[("foreign key", subject)] = _foreign_key(constraint)
        elif isinstance(constraint, UniqueConstraint):
            subject = _name(constraint) or _columns(constraint.columns)
            facts[("unique", subject)] = _columns(constraint.columns)
        elif isinstance(constraint, CheckConstraint):
            subject = _name(constraint) or _sql(constraint.sqltext)
            facts[("check", subject)] = _sql(constraint.sqltext)
    for index in table.indexes:
        subject = _name(index) or _columns(index.expressions)
        facts[("index", subject)] = _index(index)
    if table.comment:
        facts[("comment", "")] = table.comment
    return facts


def _index(index: Index) -> str:
    text = ("UNIQUE " if index.unique else "") + _columns(
        [_sql(e) if not isinstance(e, Column) else e for e in index.expressions]
    )
    return text


def _differences(
    services: Sequence[str],
    facts_by_service: Mapping[str, Facts],
) -> list[Difference]:
    keys = sorted({key for facts in facts_by_service.values() for key in facts})
    found = []
    for aspect, subject in keys:
        values = tuple((s, facts_by_service[s].get((aspect, subject), MISSING)) for s in services)
        if len({value for _, value in values}) > 1:
            found.append(Difference(aspect=aspect, subject=subject, values=values))
    return found


def compare_tables(key: str, definitions: Sequence[tuple[str, Table]]) -> Conflict | None:
    """Compare the definitions several services give of one table; ``None`` when identical."""
    services = [service for service, _ in definitions]
    by_service = dict(definitions)
    differences: list[Difference] = []
    all_columns = sorted({c.name for _, table in definitions for c in table.columns})
    shared_columns = []
    for name in all_columns:
        present = {s: by_service[s].columns.get(name) for s in services}
        if all(column is not None for column in present.values()):
            shared_columns.append(name)
            continue
        values = tuple(
            (s, describe_column(column) if column is not None else MISSING)
            for s, column in present.items()
        )
        differences.append(Difference(aspect="column", subject=name, values=values))
    for name in shared_columns:
        per_service = {s: column_facts(by_service[s].columns[name]) for s in services}
        facts = {s: {(aspect, name): v for aspect, v in f.items()} for s, f in per_service.items()}
        differences.extend(_differences(services, facts))
    differences.extend(_differences(services, {s: table_facts(by_service[s]) for s in services}))
    if not differences:
        return None
    return Conflict(
        kind="table", name=key, services=tuple(services), differences=tuple(differences)
    )
