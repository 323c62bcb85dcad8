"""The migration history against the shipped ``env.py``, on SQLite, PostgreSQL and MariaDB.

Two kinds of test: the lifecycle through ``alembic.command`` with the repository's
``alembic.ini`` and ``DATABASE_URL``, exactly as an operator runs it; and
pytest-alembic's standard tests (single head, upgrade, model definitions match the
DDL, up/down consistency), fed the same ini and a connection to each backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

from tests.services.conftest import SERVICES, make_engine
from tests.support.databases import BOOKKEEPING, TestDatabase, table_names

__all__ = [
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
]

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
HEAD = "0001_initial"


# -- pytest-alembic's fixtures: the shipped ini, and a connection to each backend -----------


@pytest.fixture
def alembic_config() -> Config:
    """The repository's ``alembic.ini``: ``script_location = alembic_config:``, its env.py.

    The three services' catalog is handed in, so that what another test loaded in this
    process (the CLI's tests load fixture services) is not what env.py compares with.
    """
    from alembic_config import EnvironmentOptions, load_all_models, with_options

    catalog = load_all_models(services=list(SERVICES))
    return with_options(Config(str(ALEMBIC_INI)), EnvironmentOptions(catalog=catalog))


@pytest.fixture
def alembic_engine(database: TestDatabase) -> Iterator[sa.Connection]:
    """A connection to a fresh database on each backend in turn.

    A Connection rather than an Engine: pytest-alembic hands this object to env.py as
    ``config.attributes["connection"]``, which the shipped env.py (like Alembic's
    cookbook) uses as the connection to migrate with.
    """
    engine = make_engine(database.url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


# -- the lifecycle, through alembic.command ---------------------------------------------------


@pytest.fixture
def migrations(database: TestDatabase, monkeypatch: pytest.MonkeyPatch) -> Config:
    """A Config on the repository's ini, with ``DATABASE_URL`` naming a fresh database."""
    monkeypatch.setenv("DATABASE_URL", database.url)
    return Config(str(ALEMBIC_INI))


def _current(url: str) -> str | None:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def _schema(url: str) -> dict[str, Any]:
    """Everything the database says about its tables, in a comparable form."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            schema: dict[str, Any] = {}
            for table in sorted(inspector.get_table_names()):
                schema[table] = {
                    "columns": [
                        (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                        for c in inspector.get_columns(table)
                    ],
                    "primary_key": inspector.get_pk_constraint(table),
                    "foreign_keys": sorted(
                        (fk["name"], fk["constrained_columns"], fk["referred_table"], fk["options"])
                        for fk in inspector.get_foreign_keys(table)
                    ),
                    "indexes": sorted(
                        (i["name"], i["column_names"], i["unique"])
                        for i in inspector.get_indexes(table)
                    ),
                    "unique": sorted(
                        (u["name"], u["column_names"])
                        for u in inspector.get_unique_constraints(table)
                    ),
                    "checks": sorted(
                        (c["name"], c["sqltext"]) for c in inspector.get_check_constraints(table)
                    ),
                }
            if engine.dialect.name == "postgresql":
                schema["enum types"] = sorted(
                    conn.execute(
                        sa.text("SELECT typname FROM pg_type WHERE typtype = 'e'")
                    ).scalars()
                )
            return schema
    finally:
        engine.dispose()


def test_upgrade_head_creates_every_table_and_check_finds_nothing(
    migrations: Config, database: TestDatabase, services_metadata: sa.MetaData
) -> None:
    command.upgrade(migrations, "head")

    assert table_names(database.url) == set(services_metadata.tables) | BOOKKEEPING
    assert len(services_metadata.tables) == 31
    assert _current(database.url) == HEAD
    command.check(migrations)  # raises AutogenerateDiffsDetected on any drift


def test_downgrade_base_removes_everything(migrations: Config, database: TestDatabase) -> None:
    command.upgrade(migrations, "head")
    command.downgrade(migrations, "base")

    assert table_names(database.url) <= BOOKKEEPING
    assert _current(database.url) is None
    if database.backend == "postgresql":
        assert _schema(database.url)["enum types"] == []


def test_up_down_up_leaves_no_difference(migrations: Config, database: TestDatabase) -> None:
    command.upgrade(migrations, "head")
    first = _schema(database.url)
    command.downgrade(migrations, "base")
    command.upgrade(migrations, "head")

    assert _schema(database.url) == first
    if database.backend == "postgresql":
        assert len(first["enum types"]) == 14
    command.check(migrations)
