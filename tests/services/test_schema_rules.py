"""Rules every service's schema keeps, so that one definition runs on every database."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase

SERVICES = {"agent": "agent_service", "journal": "journal_service", "shared": "shared_service"}

#: PostgreSQL keeps 63 characters of an identifier (MariaDB 64): longer names are cut.
MAX_NAME_LENGTH = 63

EXPECTED_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PREFIXES = {
    sa.PrimaryKeyConstraint: "pk",
    sa.UniqueConstraint: "uq",
    sa.CheckConstraint: "ck",
    sa.ForeignKeyConstraint: "fk",
}


def _base(service: str) -> type[DeclarativeBase]:
    base: type[DeclarativeBase] = importlib.import_module(f"{SERVICES[service]}.models").Base
    return base


def _tables(service: str) -> list[sa.Table]:
    return list(_base(service).metadata.tables.values())


def _all_tables() -> Iterator[tuple[str, sa.Table]]:
    for service in SERVICES:
        for table in _tables(service):
            yield service, table


def _named_objects(table: sa.Table) -> Iterator[tuple[str, Any]]:
    for constraint in table.constraints:
        yield PREFIXES[type(constraint)], constraint
    for index in table.indexes:
        yield "ix", index


def test_every_service_uses_the_project_naming_convention() -> None:
    for service in SERVICES:
        convention = dict(_base(service).metadata.naming_convention)
        convention.pop(sa.Index, None)  # SQLAlchemy's own default entry
        assert convention == EXPECTED_CONVENTION, service


def test_names_fit_postgresql_and_follow_the_convention(services_metadata: sa.MetaData) -> None:
    too_long, off_convention = [], []
    for table in services_metadata.tables.values():
        for prefix, obj in _named_objects(table):
            name = str(obj.name)
            if len(name) > MAX_NAME_LENGTH:
                too_long.append((name, len(name)))
            if not (name == f"pk_{table.name}" or name.startswith(f"{prefix}_{table.name}_")):
                off_convention.append(name)
    assert too_long == []
    assert off_convention == []


def test_names_are_unique_across_services(services_metadata: sa.MetaData) -> None:
    names = [
        str(obj.name)
        for table in services_metadata.tables.values()
        for _prefix, obj in _named_objects(table)
    ]
    assert len(names) == len(set(names))


def test_table_names_are_unique_across_services() -> None:
    owners: dict[str, list[str]] = {}
    for service, table in _all_tables():
        owners.setdefault(table.name, []).append(service)
    assert {name: who for name, who in owners.items() if len(who) > 1} == {}


def test_enum_types_are_named_after_their_service_and_unique() -> None:
    names: dict[str, str] = {}
    for service, table in _all_tables():
        for column in table.columns:
            if isinstance(column.type, sa.Enum):
                name = column.type.name
                assert name is not None, f"{table.name}.{column.name}"
                assert name.startswith(f"{service}_"), name
                assert names.setdefault(name, f"{table.name}.{column.name}") == (
                    f"{table.name}.{column.name}"
                ), f"enum type {name} used twice"
    assert len(names) >= 10


#: Column types MySQL and MariaDB cannot index without a prefix length.
UNINDEXABLE = re.compile(r"\b(?:TINY|MEDIUM|LONG)?(?:TEXT|BLOB)\b|\bJSONB?\b")


def _dialects() -> list[sa.Dialect]:
    mariadb = mysql.dialect()
    mariadb.is_mariadb = True
    mariadb.name = "mariadb"
    return [postgresql.dialect(), mysql.dialect(), mariadb, sqlite.dialect()]


def test_strings_have_a_length_and_long_text_is_never_indexed() -> None:
    problems = []
    for _service, table in _all_tables():
        indexed = {c.name for index in table.indexes for c in index.columns}
        indexed |= {
            c.name
            for constraint in table.constraints
            if isinstance(constraint, sa.UniqueConstraint | sa.PrimaryKeyConstraint)
            for c in constraint.columns
        }
        for column in table.columns:
            for dialect in _dialects():
                ddl = column.type.compile(dialect=dialect).upper()
                where = f"{table.name}.{column.name} on {dialect.name}: {ddl}"
                if "VARCHAR" in ddl and "VARCHAR(" not in ddl:
                    problems.append(f"no length: {where}")
                if column.name in indexed and UNINDEXABLE.search(ddl):
                    problems.append(f"indexed: {where}")
    assert problems == []


def test_no_server_defaults_on_json_or_text() -> None:
    offenders = [
        f"{table.name}.{column.name}"
        for _service, table in _all_tables()
        for column in table.columns
        if column.server_default is not None and isinstance(column.type, sa.Text | sa.JSON)
    ]
    assert offenders == []


def test_primary_keys_are_python_generated_uuids() -> None:
    for _service, table in _all_tables():
        if table.name == "journal_entry_tags":
            assert [c.name for c in table.primary_key.columns] == ["entry_id", "tag_id"]
            continue
        (column,) = table.primary_key.columns
        assert isinstance(column.type, sa.Uuid), table.name
        assert column.default is not None, table.name


def test_every_foreign_key_is_indexed(services_metadata: sa.MetaData) -> None:
    unindexed = []
    for table in services_metadata.tables.values():
        leading = {index.columns[0].name for index in table.indexes}
        leading |= {
            next(iter(constraint.columns)).name
            for constraint in table.constraints
            if isinstance(constraint, sa.UniqueConstraint | sa.PrimaryKeyConstraint)
        }
        for constraint in table.foreign_key_constraints:
            first = constraint.column_keys[0]
            if first not in leading:
                unindexed.append(f"{table.name}.{first}")
    assert unindexed == []


def test_use_alter_marks_exactly_the_foreign_keys_to_other_services() -> None:
    for service, table in _all_tables():
        own = _base(service).metadata.tables
        for constraint in table.foreign_key_constraints:
            (element,) = constraint.elements
            target = element.target_fullname.split(".")[0]
            crosses = target not in own
            assert bool(constraint.use_alter) is crosses, f"{table.name} -> {target}"
            assert constraint.ondelete in {"CASCADE", "SET NULL"}, f"{table.name} -> {target}"


def test_cross_service_foreign_keys_reach_the_shared_service(
    services_metadata: sa.MetaData,
) -> None:
    crossing = sorted(
        f"{table.name}.{element.parent.name} -> {element.target_fullname}"
        for service, table in _all_tables()
        for element in table.foreign_keys
        if element.target_fullname.split(".")[0] not in _base(service).metadata.tables
    )
    assert crossing == [
        "conversations.user_id -> users.id",
        "journal_attachments.file_id -> files.id",
        "journal_entries.user_id -> users.id",
        "journal_tags.user_id -> users.id",
    ]
    for description in crossing:
        table, column = description.split(" ")[0].split(".")
        (fk,) = services_metadata.tables[table].c[column].foreign_keys
        assert fk.column.table is services_metadata.tables[fk.column.table.name]


@pytest.mark.parametrize("service", SERVICES)
def test_one_declarative_base_per_service(service: str) -> None:
    package = importlib.import_module(SERVICES[service])
    bases = set()
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
        module = importlib.import_module(info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if DeclarativeBase in value.__bases__:
                bases.add(f"{value.__module__}.{value.__qualname__}")
    assert bases == {f"{SERVICES[service]}.models.base.Base"}
