"""Fixtures of the ``mindmirror`` tests: a project folder, the fixture services, the CLI two ways.

Every test gets its own project folder (an ``alembic.ini`` from ``write_ini``
whose revisions go to the folder's own ``versions/``) and its own database.
The CLI runs either in-process through Click's ``CliRunner`` or as a real
subprocess of the installed console script; both return an :class:`Outcome`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli.support import Mindmirror
from tests.support.databases import TestDatabase, isolated_database
from tests.support.services import CLEAN, write_ini

# variables of the developer's shell that would change what the CLI does
STRAY_VARIABLES = (
    "DATABASE_URL",
    "ALEMBIC_CONFIG",
    "ALEMBIC_CONFIG_SERVICES",
    "ALEMBIC_CONFIG_EXCLUDE",
    "ALEMBIC_CONFIG_LOCK_TIMEOUT",
    "MINDMIRROR_ENV",
    "MINDMIRROR_ENVIRONMENT",
    "NO_COLOR",
    "FORCE_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
)


@pytest.fixture(autouse=True)
def _restore_environ() -> Iterator[None]:
    """Undo what an in-process run leaves behind: variables from .env files.

    The loggers it configures are restored for every test by the root conftest.
    """
    environ = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(environ)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with an alembic.ini whose revisions go to its own ``versions/``."""
    folder = tmp_path / "project"
    write_ini(folder)
    return folder


@pytest.fixture
def in_project(project: Path, fixture_site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The process set up like a user's shell in the project: cwd, services importable."""
    for name in STRAY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(project)
    monkeypatch.syspath_prepend(str(fixture_site))
    importlib.invalidate_caches()
    return project


MakeCli = Callable[..., Mindmirror]


@pytest.fixture
def make_cli(in_project: Path, fixture_site: Path, monkeypatch: pytest.MonkeyPatch) -> MakeCli:
    """Build a :class:`Mindmirror` for this test's project: ``make_cli(mode, url, services)``."""

    def make(
        mode: str = "runner", database_url: str | None = None, services: str = CLEAN
    ) -> Mindmirror:
        env = {"ALEMBIC_CONFIG_SERVICES": services}
        if database_url is not None:
            env["DATABASE_URL"] = database_url
        if mode == "runner":
            for key, value in env.items():
                monkeypatch.setenv(key, value)
        return Mindmirror(mode=mode, project=in_project, site=fixture_site, env=env)

    return make


@pytest.fixture
def backend_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestDatabase]:
    """A fresh database on the backend named by indirect parametrization."""
    with isolated_database(request.param, tmp_path) as db:
        yield db
