"""Fixtures shared by every test: isolated databases on the real servers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import BACKENDS, TestDatabase, isolated_database
from tests.support.services import install_fixture_services


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the installed ``alembic-config-fixtures`` distribution (once per run)."""
    return install_fixture_services(tmp_path_factory.mktemp("site"))


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestDatabase]:
    """A fresh, empty database on each backend in turn (SQLite, PostgreSQL, MariaDB)."""
    with isolated_database(request.param, tmp_path) as db:
        yield db


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[TestDatabase]:
    """A fresh, empty SQLite database file."""
    with isolated_database("sqlite", tmp_path) as db:
        yield db


@pytest.fixture
def postgresql_database(tmp_path: Path) -> Iterator[TestDatabase]:
    """A fresh, empty PostgreSQL database."""
    with isolated_database("postgresql", tmp_path) as db:
        yield db


@pytest.fixture
def mariadb_database(tmp_path: Path) -> Iterator[TestDatabase]:
    """A fresh, empty MariaDB database."""
    with isolated_database("mariadb", tmp_path) as db:
        yield db


_CLI_LOGGERS = ("alembic", "alembic_config", "alembic_config.discovery", "mindmirror_cli")


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Undo what an in-process ``mindmirror`` run does to the loggers it configures."""
    saved = {
        name: (logger.handlers[:], logger.level, logger.propagate)
        for name in _CLI_LOGGERS
        for logger in [logging.getLogger(name)]
    }
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate
