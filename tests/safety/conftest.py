"""Fixtures of the safety battery: a project of its own for every test, processes stopped by PID."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from importlib import metadata as importlib_metadata
from pathlib import Path

import pytest

from tests.safety.harness import Processes, Project, write_standard_revisions
from tests.support.databases import TestDatabase

ProjectFactory = Callable[..., Project]


@pytest.fixture(scope="session")
def installed_services() -> str:
    """Every installed service, to exclude: these tests migrate their own revisions, no models."""
    group = importlib_metadata.entry_points(group="alembic_config.metadata")
    return ",".join(sorted({entry_point.name for entry_point in group}))


def base_environment(installed_services: str) -> dict[str, str]:
    """The environment of every command: no stray URL, service selection or production mark."""
    stray = ("ALEMBIC_CONFIG", "DATABASE_URL", "PYTEST_", "MINDMIRROR_", "SAFETY_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(stray)}
    env.update(ALEMBIC_CONFIG_EXCLUDE=installed_services, NO_COLOR="1", COLUMNS="200")
    return env


@pytest.fixture
def processes() -> Iterator[Processes]:
    """The processes a test starts; any still running at its end is killed by PID."""
    registry = Processes()
    yield registry
    registry.stop_all()


@pytest.fixture
def make_project(tmp_path: Path, processes: Processes, installed_services: str) -> ProjectFactory:
    """Make a project on ``database``: an ini, its versions folder and the three revisions.

    ``ini_extra`` adds lines to the ``[alembic]`` section; ``revisions=False``
    leaves the versions folder empty.
    """
    made = 0

    def make(database: TestDatabase, *, ini_extra: str = "", revisions: bool = True) -> Project:
        nonlocal made
        made += 1
        folder = tmp_path / f"project{made}"
        versions = folder / "versions"
        versions.mkdir(parents=True)
        (folder / "alembic.ini").write_text(
            "[alembic]\n"
            "script_location = alembic_config:\n"
            "path_separator = space\n"
            f"version_locations = {versions}\n"
            "revision_environment = true\n"
            f"{ini_extra}"
        )
        if revisions:
            write_standard_revisions(versions)
        env = base_environment(installed_services)
        env["DATABASE_URL"] = database.plain_url
        return Project(folder, database, env, processes)

    return make


@pytest.fixture
def project(make_project: ProjectFactory, database: TestDatabase) -> Project:
    """A project on a fresh database, for each backend in turn."""
    return make_project(database)


@pytest.fixture
def sqlite_project(make_project: ProjectFactory, sqlite_database: TestDatabase) -> Project:
    """A project on a fresh SQLite database."""
    return make_project(sqlite_database)
