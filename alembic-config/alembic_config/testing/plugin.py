"""The pytest plugin (entry point ``pytest11``): options, fixtures, and where the checks go.

Loaded by pytest wherever alembic-config is installed; it does nothing until
``alembic_config_service`` names a service. Only then is pytest-alembic imported,
so that a suite without the ``testing`` extra is not affected.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from alembic.config import Config
    from pytest_alembic import MigrationContext
    from sqlalchemy.engine import Engine

SERVICE_OPTION = "alembic_config_service"
INI_OPTION = "alembic_config_ini"
TESTS_PATH_OPTION = "alembic_config_tests_path"
DEFAULT_INI = "alembic.ini"
DEFAULT_TESTS_PATH = "tests/conftest.py"
CHECKS_MODULE = "alembic_config.testing.checks"
NODE_SUFFIX = "::alembic-config"


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ini options of the checks."""
    parser.addini(
        SERVICE_OPTION,
        "alembic-config checks: the service(s) to check, by entry-point name (comma-separated)",
        default="",
    )
    parser.addini(
        INI_OPTION,
        f"alembic-config checks: the project's Alembic ini file (default {DEFAULT_INI})",
        default=DEFAULT_INI,
    )
    parser.addini(
        TESTS_PATH_OPTION,
        "alembic-config checks: the file they are collected under, relative to the root "
        f"folder; its fixtures are in scope (default {DEFAULT_TESTS_PATH})",
        default=DEFAULT_TESTS_PATH,
    )


def configured_services(config: pytest.Config) -> list[str]:
    """The service names of ``alembic_config_service``, in the order given."""
    raw = str(config.getini(SERVICE_OPTION) or "")
    return [name.strip() for name in raw.replace("\n", ",").split(",") if name.strip()]


def installed_services() -> list[str]:
    """Every service installed in this environment, loadable or not, sorted."""
    from alembic_config import discover_services

    sources, failures = discover_services()
    return sorted({s.name for s in sources} | {f.name for f in failures})


def compared_services(checked: list[str]) -> list[str]:
    """The services loaded beside the checked ones: every installed service, unless
    ``ALEMBIC_CONFIG_SERVICES`` / ``ALEMBIC_CONFIG_EXCLUDE`` narrow them; never
    without the checked ones."""
    from alembic_config import service_selection

    installed = installed_services()
    chosen = service_selection(installed)
    return sorted({name for name in installed if chosen.chosen(name)} | set(checked))


def pytest_configure(config: pytest.Config) -> None:
    """With a service named: require pytest-alembic and the file to bind to, then bind."""
    services = configured_services(config)
    if not services:
        return
    try:
        importlib.import_module("pytest_alembic")
    except ImportError:
        raise pytest.UsageError(
            f"{SERVICE_OPTION} is set, but pytest-alembic is not installed: "
            "pip install 'alembic-config[testing]'"
        ) from None
    bind_to = config.rootpath / str(config.getini(TESTS_PATH_OPTION))
    if not bind_to.is_file():
        raise pytest.UsageError(
            f"{SERVICE_OPTION} is set, but the alembic-config checks have no file to be "
            f"collected under: {bind_to} does not exist. Create it (an empty conftest.py "
            f"will do), or name another with {TESTS_PATH_OPTION}."
        )
    config.pluginmanager.register(_Binding(bind_to), "alembic_config.testing.binding")


class _Binding:
    """Collects the checks once, under the one file configured."""

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        self.bound = False

    def pytest_collect_file(
        self, file_path: Path, parent: pytest.Collector
    ) -> pytest.Module | None:
        """The checks, under the configured file (once)."""
        if self.bound or file_path.resolve() != self.path:
            return None
        self.bound = True
        module: pytest.Module = ChecksModule.from_parent(parent, path=file_path)
        return module


class ChecksModule(pytest.Module):
    """The checks of :mod:`alembic_config.testing.checks`, shown under the bound file."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._nodeid += NODE_SUFFIX

    def _getobj(self) -> ModuleType:
        return importlib.import_module(CHECKS_MODULE)


# -- fixtures (override any of them in a conftest.py) -----------------------------------------


@pytest.fixture
def alembic_config_services(pytestconfig: pytest.Config) -> list[str]:
    """The services named by ``alembic_config_service``."""
    return configured_services(pytestconfig)


@pytest.fixture
def alembic_config_engine(tmp_path: Path) -> Iterator[Engine]:
    """The database the checks migrate: ``DATABASE_URL``, else a SQLite file in ``tmp_path``."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from alembic_config._urls import DATABASE_URL_ENV, normalize_url

    given = os.environ.get(DATABASE_URL_ENV, "").strip()
    url = normalize_url(given) if given else f"sqlite:///{tmp_path / 'alembic_config_checks.db'}"
    engine = create_engine(url, poolclass=NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def alembic_config_alembic(
    pytestconfig: pytest.Config, alembic_config_services: list[str]
) -> Config:
    """The project's Alembic config, comparing only the checked services' tables."""
    from alembic.config import Config

    from alembic_config import EnvironmentOptions, load_all_models, with_options

    ini = pytestconfig.rootpath / str(pytestconfig.getini(INI_OPTION))
    if not ini.is_file():
        pytest.fail(
            f"{ini} does not exist: run 'mindmirror db init' there, or name the project's "
            f"ini file with {INI_OPTION}",
            pytrace=False,
        )
    config = Config(str(ini))
    # the other services too, so that foreign keys resolve and the impact gate sees them all
    loaded = compared_services(alembic_config_services)
    options = EnvironmentOptions(
        catalog=lambda: load_all_models(services=loaded),
        services=frozenset(alembic_config_services),
    )
    config.attributes["configure_logger"] = False
    return with_options(config, options)


@pytest.fixture
def alembic_config_runner(
    alembic_config_alembic: Config, alembic_config_engine: Engine
) -> Iterator[MigrationContext]:
    """pytest-alembic's runner on the project's history and the checks' database.

    Leaves the database at base afterwards, as it found it.
    """
    from pytest_alembic import runner
    from pytest_alembic.config import Config as RunnerConfig

    with runner(RunnerConfig.from_raw_config(alembic_config_alembic), alembic_config_engine) as ctx:
        try:
            yield ctx
        finally:
            ctx.migrate_down_to("base", return_current=False)
