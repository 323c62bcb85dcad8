"""Fixtures for the services' tests: the schema of all three services on a real database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.support.databases import BACKENDS, isolated_database

#: The services these tests cover; their tables refer to each other (``users.id``).
SERVICES = ("agent", "journal", "shared")


def merged_metadata() -> sa.MetaData:
    """A new MetaData holding the tables of the three services, merged by ``alembic_config``.

    The one place the tests get their schema from: foreign keys that cross services
    (``conversations.user_id`` -> ``users.id``) resolve only in a merged MetaData.
    """
    from alembic_config import load_all_models

    catalog = load_all_models(services=list(SERVICES))
    assert not catalog.failures, [failure.describe() for failure in catalog.failures]
    assert not catalog.conflicts, [conflict.describe() for conflict in catalog.conflicts]
    return catalog.metadata


@pytest.fixture
def services_metadata() -> sa.MetaData:
    """:func:`merged_metadata`, fresh for every test.

    Fresh because once ``create_all`` has added a ``use_alter`` foreign key with ALTER
    TABLE (PostgreSQL, MariaDB), SQLAlchemy no longer renders it inside CREATE TABLE,
    which is the only way SQLite can have it.
    """
    return merged_metadata()


def _sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> sa.Engine:
    """An engine without pooling; on SQLite, with foreign keys enforced as elsewhere."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_foreign_keys)
    return engine


@pytest.fixture(scope="module", params=BACKENDS)
def schema(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[sa.Engine, sa.MetaData]]:
    """A fresh database on each backend in turn, holding every service's tables.

    Built once per test module and backend: creating some thirty tables on a server
    for every test would cost far more than the tests themselves.
    """
    metadata = merged_metadata()
    with isolated_database(request.param, tmp_path_factory.mktemp(request.param)) as database:
        engine = make_engine(database.url)
        metadata.create_all(engine)
        yield engine, metadata
        engine.dispose()


@pytest.fixture
def engine(schema: tuple[sa.Engine, sa.MetaData]) -> Iterator[sa.Engine]:
    """The engine of :func:`schema`; every table is emptied again after the test."""
    engine, metadata = schema
    yield engine
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    """A session on :func:`engine`; whatever a test leaves uncommitted is rolled back."""
    with Session(engine) as session:
        yield session


@pytest.fixture
def user(session: Session) -> Any:
    """A committed user of the shared service, owner of the rows the other services create.

    Committed first on purpose: no relationship links services, so the unit of work
    cannot know that a conversation or an entry must be inserted after its user.
    """
    from shared_service.models import User

    user = User(email="ada@example.com", full_name="Ada")
    session.add(user)
    session.commit()
    return user
