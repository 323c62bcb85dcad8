"""What an ER diagram shows, worked out once from a :class:`~alembic_config.Catalog`.

The renderers (:mod:`.mermaid`, :mod:`.dot`) only lay this model out as text,
so both formats show the same tables, columns and keys, and the tests can check
one model against the metadata.

A table belongs to the *group* of the services that define it: one service
usually, several when identical definitions were merged or when the definitions
conflict. With ``--service`` the diagram keeps the tables of those services
(``selected``) and adds, greyed, the tables their foreign keys point to
(``context``); a foreign key to a table that no loaded service defines points to
a placeholder (``missing``) instead of breaking the picture.

A large diagram is only readable when its tables are small: with
``columns="auto"`` (the command's default), a diagram of more than
:data:`LARGE_DIAGRAM` tables draws the tables of more than :data:`COLUMN_LIMIT`
columns with their key columns only (primary and foreign keys, which every
arrow starts or ends at) and says how many it left out; ``"all"`` and ``"keys"``
draw every column or only the keys of every table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from alembic_config import Catalog
    from sqlalchemy import Column as SaColumn, ForeignKeyConstraint, Table
    from sqlalchemy.types import TypeEngine

from mindmirror_cli.words import plural

Role = Literal["selected", "context", "missing"]
MISSING_GROUP = "not loaded"
COLUMN_MODES = ("auto", "all", "keys")
LARGE_DIAGRAM = 12
"""Above this many tables, ``columns="auto"`` shows the keys only of the wide tables."""
COLUMN_LIMIT = 8
"""A table with more columns than this is wide."""


@dataclass(frozen=True)
class Column:
    """One column as the diagram prints it."""

    name: str
    type: str
    primary_key: bool
    nullable: bool
    foreign_key: bool

    @property
    def flags(self) -> str:
        """``PK``, ``FK`` and the nullability, in that order: ``PK FK not null``."""
        marks = [m for m, on in (("PK", self.primary_key), ("FK", self.foreign_key)) if on]
        return " ".join([*marks, "null" if self.nullable else "not null"])

    def describe(self) -> str:
        """``name TYPE flags``, the one-line form of the Mermaid output."""
        return f"{self.name} {self.type} {self.flags}"


@dataclass(frozen=True)
class Entity:
    """One table: its key, the group it is drawn in, its columns and its state."""

    key: str
    group: str
    columns: tuple[Column, ...]
    role: Role
    conflict: tuple[str, ...] = ()
    """The services whose definitions of this table differ (empty when none do)."""
    hidden: int = 0
    """How many of the table's columns are left out (only its key columns are drawn)."""

    @property
    def hidden_note(self) -> str:
        """What a table drawn with its keys only says last: ``+ 7 more columns``."""
        return f"+ {plural(self.hidden, 'more column')}"


@dataclass(frozen=True)
class Group:
    """The tables of one service, or of one set of services defining the same tables."""

    name: str
    services: tuple[str, ...]
    role: Role
    colour: int
    """Index into the palette: the service's place among all loaded services; -1 when shared."""


@dataclass(frozen=True)
class Link:
    """One foreign key constraint, from the referencing table to the referenced one."""

    source: str
    target: str
    columns: tuple[str, ...]
    target_columns: tuple[str, ...]
    source_services: tuple[str, ...]
    target_services: tuple[str, ...]

    @property
    def cross_service(self) -> bool:
        """True when no service defines both tables (as ``mindmirror models fks`` counts)."""
        return not set(self.source_services) & set(self.target_services)

    @property
    def label(self) -> str:
        """The referencing columns, and for a cross-service key the two services."""
        text = ", ".join(self.columns)
        if self.cross_service:
            source = "+".join(self.source_services) or "?"
            target = "+".join(self.target_services) or "?"
            text += f" ({source} -> {target})"
        return text


@dataclass(frozen=True)
class Erd:
    """The whole diagram: groups in drawing order, their tables, and every foreign key."""

    groups: tuple[Group, ...]
    entities: tuple[Entity, ...]
    links: tuple[Link, ...]
    services: tuple[str, ...]
    """The services asked for with ``--service``; empty for the whole schema."""

    def entities_of(self, group: Group) -> list[Entity]:
        """The tables drawn in ``group``, sorted by key."""
        return [e for e in self.entities if e.group == group.name and e.role == group.role]

    @property
    def title(self) -> str:
        """One line saying what the diagram shows."""
        shown = [e for e in self.entities if e.role == "selected"]
        services = sorted({s for g in self.groups if g.role == "selected" for s in g.services})
        crossing = sum(1 for link in self.links if link.cross_service)
        named = ", ".join(services) if len(services) <= 5 else f"{len(services)} services"
        title = (
            f"{plural(len(shown), 'table')} of {named or 'no services'}; "
            f"{plural(len(self.links), 'foreign key')}, {crossing} across services"
        )
        narrowed = sum(1 for e in self.entities if e.hidden)
        if narrowed:
            title += f"; {plural(narrowed, 'table shows', 'tables show')} only their key columns"
        return title


def build_erd(catalog: Catalog, services: Iterable[str] = (), columns: str = "all") -> Erd:
    """The diagram of ``catalog``, or of the named services' tables and what they reference.

    ``columns`` is one of :data:`COLUMN_MODES` (see the module's docstring). An
    unknown service name raises :class:`alembic_config.UnknownServiceError` (exit 2).
    """
    if columns not in COLUMN_MODES:
        raise ValueError(f"columns must be one of {', '.join(COLUMN_MODES)}, not {columns!r}")
    wanted = tuple(dict.fromkeys(services))
    for name in wanted:
        catalog.tables_of(name)
    tables = catalog.metadata.tables
    owners = catalog.owners
    chosen = [key for key in sorted(tables) if not wanted or set(owners.get(key, ())) & set(wanted)]
    links = [_link(key, fk, owners) for key in chosen for fk in _foreign_keys(tables[key])]
    shown = set(chosen)
    context = sorted({link.target for link in links if link.target in tables} - shown)
    missing = sorted({link.target for link in links if link.target not in tables})
    conflicts = {c.name: c.services for c in catalog.conflicts if c.kind == "table"}
    ranks = {name: index for index, name in enumerate(catalog.service_names())}

    entities: list[Entity] = []
    groups: dict[tuple[str, Role], Group] = {}
    parts: tuple[tuple[list[str], Role], ...] = ((chosen, "selected"), (context, "context"))
    for keys, role in parts:
        for key in keys:
            defined_by = tuple(owners.get(key, ()))
            group = _group(defined_by, role, ranks)
            groups.setdefault((group.name, role), group)
            drawn = tuple(_column(c) for c in tables[key].columns)
            entities.append(Entity(key, group.name, drawn, role, conflicts.get(key, ())))
    if missing:
        groups[(MISSING_GROUP, "missing")] = Group(MISSING_GROUP, (), "missing", -1)
        entities += [Entity(key, MISSING_GROUP, (), "missing") for key in missing]
    order: dict[Role, int] = {"selected": 0, "context": 1, "missing": 2}
    ordered = sorted(groups.values(), key=lambda g: (order[g.role], len(g.services), g.name))
    narrow = columns == "keys" or (columns == "auto" and len(entities) > LARGE_DIAGRAM)
    if narrow:
        limit = 0 if columns == "keys" else COLUMN_LIMIT
        entities = [_keys_only(e) if len(e.columns) > limit else e for e in entities]
    return Erd(tuple(ordered), tuple(entities), tuple(links), wanted)


def _keys_only(entity: Entity) -> Entity:
    """``entity`` drawn with its primary- and foreign-key columns only."""
    keys = tuple(c for c in entity.columns if c.primary_key or c.foreign_key)
    hidden = len(entity.columns) - len(keys)
    return replace(entity, columns=keys, hidden=hidden) if hidden else entity


def _group(defined_by: tuple[str, ...], role: Role, ranks: dict[str, int]) -> Group:
    name = " + ".join(sorted(defined_by)) or MISSING_GROUP
    colour = ranks.get(defined_by[0], -1) if len(defined_by) == 1 else -1
    return Group(name, tuple(sorted(defined_by)), role, colour)


def _foreign_keys(table: Table) -> list[ForeignKeyConstraint]:
    return sorted(
        table.foreign_key_constraints, key=lambda fk: (tuple(fk.column_keys), _target(fk)[0])
    )


def _target(fk: ForeignKeyConstraint) -> tuple[str, tuple[str, ...]]:
    """The referenced table key and columns, read without resolving the reference."""
    parts = [element.target_fullname.rsplit(".", 1) for element in fk.elements]
    return parts[0][0], tuple(part[-1] for part in parts)


def _link(key: str, fk: ForeignKeyConstraint, owners: Mapping[str, tuple[str, ...]]) -> Link:
    target, target_columns = _target(fk)
    return Link(
        source=key,
        target=target,
        columns=tuple(str(k) for k in fk.column_keys),
        target_columns=target_columns,
        source_services=tuple(owners.get(key, ())),
        target_services=tuple(owners.get(target, ())),
    )


def _column(column: SaColumn[object]) -> Column:
    return Column(
        name=column.name,
        type=_type_text(column.type),
        primary_key=column.primary_key,
        nullable=bool(column.nullable),
        foreign_key=bool(column.foreign_keys),
    )


def _type_text(type_: TypeEngine[object]) -> str:
    """The type as DDL would spell it; the class name when no dialect can compile it."""
    from sqlalchemy.exc import CompileError

    try:
        return str(type_)
    except CompileError:
        return type(type_).__name__
