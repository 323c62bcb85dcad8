"""Merging every service's MetaData into one, and naming what collides.

Tables are copied into one new MetaData so that foreign keys between services
resolve. A table key defined by several services is merged when the
definitions are identical (every definer is recorded as an owner) and is a
conflict otherwise. Index, constraint, sequence and enum-type names used by
more than one service, and naming conventions that differ, are conflicts too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Enum, MetaData, Sequence as SqlSequence, Table

from alembic_config._compare import compare_tables
from alembic_config._conflicts import (
    MISSING,
    NAMING_CONVENTION,
    UNRESOLVED_FOREIGN_KEY,
    Conflict,
    Difference,
)

logger = logging.getLogger(__name__)

OWNER_KEY = "alembic_config.service"
OWNERS_KEY = "alembic_config.owners"


@dataclass(frozen=True)
class MergeResult:
    """The merged MetaData, who owns each table, and the conflicts found."""

    metadata: MetaData
    owners: Mapping[str, tuple[str, ...]]
    conflicts: tuple[Conflict, ...]


def merge_metadata(loaded: Sequence[tuple[str, MetaData]]) -> MergeResult:
    """Copy the tables of every ``(service, MetaData)`` into one new MetaData."""
    convention_conflict = _naming_convention_conflict(loaded)
    merged = MetaData(naming_convention=loaded[0][1].naming_convention if loaded else None)
    definitions: dict[str, list[tuple[str, Table]]] = {}
    for service, metadata in loaded:
        for key in sorted(metadata.tables):
            definitions.setdefault(key, []).append((service, metadata.tables[key]))

    owners: dict[str, tuple[str, ...]] = {}
    conflicts: list[Conflict] = [convention_conflict] if convention_conflict else []
    for key in sorted(definitions):
        defined_by = definitions[key]
        first_service, first_table = defined_by[0]
        if len(defined_by) > 1:
            conflict = compare_tables(key, defined_by)
            if conflict is not None:
                conflicts.append(conflict)
        owners[key] = tuple(service for service, _ in defined_by)
        copy = first_table.to_metadata(merged)
        _keep_type_schemas(first_table, copy)
        copy.info[OWNER_KEY] = first_service
        copy.info[OWNERS_KEY] = owners[key]
        logger.debug("table %s from service %s", key, ", ".join(owners[key]))

    kept = [(owners[key], definitions[key][0][1]) for key in sorted(definitions)]
    conflicts.extend(_name_collisions(kept))
    conflicts.extend(_unresolved_foreign_keys(merged, owners))
    return MergeResult(metadata=merged, owners=owners, conflicts=tuple(conflicts))


def _keep_type_schemas(original: Table, copy: Table) -> None:
    """Give copied enum types back the schema they were declared in.

    ``Table.to_metadata`` moves a column's schema-bound type (a PostgreSQL enum)
    into the table's schema; a type declared in another schema must stay there.
    """
    for column in original.columns:
        schema = getattr(column.type, "schema", None)
        copied = copy.columns[column.key].type
        if schema is not None and getattr(copied, "schema", schema) != schema:
            copied.schema = schema  # type: ignore[attr-defined]


def _naming_convention_conflict(loaded: Sequence[tuple[str, MetaData]]) -> Conflict | None:
    """The services whose naming convention differs from the most shared one, key by key."""
    groups: dict[tuple[tuple[str, str], ...], list[str]] = {}
    for service, metadata in loaded:
        convention = tuple(sorted((str(k), str(v)) for k, v in metadata.naming_convention.items()))
        groups.setdefault(convention, []).append(service)
    if len(groups) <= 1:
        return None
    # the convention most services share is the reference; on a tie, the one setting more keys
    reference = max(groups, key=lambda convention: (len(groups[convention]), len(convention)))
    reference_label = ", ".join(groups[reference])
    expected = dict(reference)
    differences: list[Difference] = []
    for convention, services in sorted(groups.items(), key=lambda item: item[1]):
        if convention == reference:
            continue
        actual = dict(convention)
        for key in sorted(expected.keys() | actual.keys()):
            if expected.get(key) != actual.get(key):
                values = (
                    (reference_label, _convention_value(expected, key)),
                    (", ".join(services), _convention_value(actual, key)),
                )
                differences.append(Difference(NAMING_CONVENTION, key, values))
    return Conflict(
        kind=NAMING_CONVENTION,
        name="MetaData.naming_convention",
        services=tuple(service for service, _ in loaded),
        differences=tuple(differences),
    )


def _convention_value(convention: Mapping[str, str], key: str) -> str:
    return convention.get(key, MISSING)


def _named_objects(table: Table) -> Iterator[tuple[str, str, str]]:
    """``(kind, name, detail)`` for every database-wide name a table brings."""
    schema = f"{table.schema}." if table.schema else ""
    for index in table.indexes:
        if _is_named(index.name):
            yield "index", f"{schema}{index.name}", f"on {table.key}"
    for constraint in table.constraints:
        if _is_named(constraint.name):
            kind = type(constraint).__name__
            yield "constraint", f"{schema}{constraint.name}", f"{kind} on {table.key}"
    for column in table.columns:
        if isinstance(column.default, SqlSequence):
            yield "sequence", _qualified(column.default), f"on {table.key}.{column.name}"
        for enum in _enums(column.type):
            values = ", ".join(enum.enums)
            yield "enum", _qualified(enum), f"({values}) on {table.key}.{column.name}"


def _is_named(name: Any) -> bool:
    return name is not None and type(name).__name__ != "_NoneName"


def _qualified(obj: Enum | SqlSequence) -> str:
    return f"{obj.schema}.{obj.name}" if obj.schema else str(obj.name)


def _enums(type_: Any) -> Iterator[Enum]:
    variants = getattr(type_, "_variant_mapping", {})
    for candidate in (type_, *variants.values()):
        if isinstance(candidate, Enum) and candidate.name and candidate.native_enum:
            yield candidate


def _name_collisions(kept: Sequence[tuple[tuple[str, ...], Table]]) -> list[Conflict]:
    users: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for owners, table in kept:
        for kind, name, detail in _named_objects(table):
            label = "+".join(owners)
            users.setdefault((kind, name), []).append((label, detail))
    conflicts = []
    for (kind, name), uses in sorted(users.items()):
        services = sorted({label for label, _ in uses})
        if len(services) < 2:
            continue
        values = tuple(sorted(uses))
        conflicts.append(
            Conflict(
                kind=kind,
                name=name,
                services=tuple(services),
                differences=(Difference(aspect=f"{kind} name", subject=name, values=values),),
            )
        )
    return conflicts


def _unresolved_foreign_keys(
    merged: MetaData, owners: Mapping[str, tuple[str, ...]]
) -> list[Conflict]:
    """Foreign keys to a table no selected service defines: the metadata is incomplete."""
    found = []
    for key, table in sorted(merged.tables.items()):
        for fk in sorted(table.foreign_keys, key=lambda f: (f.parent.name, f.target_fullname)):
            target = fk.target_fullname.rpartition(".")[0]
            if target in merged.tables:
                continue
            found.append(
                Conflict(
                    kind=UNRESOLVED_FOREIGN_KEY,
                    name=f"{key}.{fk.parent.name}",
                    services=owners[key],
                    differences=(
                        Difference(
                            aspect="foreign key",
                            subject=fk.parent.name,
                            values=tuple((s, f"-> {fk.target_fullname}") for s in owners[key]),
                        ),
                    ),
                )
            )
    return found
