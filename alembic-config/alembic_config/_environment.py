"""What the shipped ``env.py`` does, as testable functions.

``env.py`` keeps Alembic's familiar shape (``run_migrations_offline`` /
``run_migrations_online``); :class:`MigrationEnvironment` gives it:

- the database URL, resolved once (see :mod:`alembic_config._urls`), or a
  connection handed in through ``config.attributes["connection"]``;
- an engine that makes SQLite DDL transactional, so a revision and its version
  stamp commit together (:mod:`alembic_config._connections`);
- the options of ``context.configure()``: a lazy ``target_metadata``
  (:mod:`alembic_config._target`) and the autogenerate hooks
  (:mod:`alembic_config._hooks`);
- :meth:`MigrationEnvironment.guarded`, the lock, gate and records around the
  migrations (:mod:`alembic_config._guard`).

A program running Alembic's commands hands its choices in as an
:class:`~alembic_config.EnvironmentOptions` (``config.attributes[OPTIONS_KEY]``);
``connection`` and ``configure_logger`` are read as in Alembic's cookbook.
"""

from __future__ import annotations

import configparser
import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError
from sqlalchemy.engine import Connection, Engine

from alembic_config._connections import connected, migration_engine
from alembic_config._errors import AlembicConfigError, DatabaseUrlError
from alembic_config._names import validate_identifier
from alembic_config._options import EnvironmentOptions, environment_options
from alembic_config._urls import ResolvedUrl, normalize_url, resolve_database_url

if TYPE_CHECKING:  # imported where a run needs them: a command that only connects never does
    from alembic_config._catalog import Catalog
    from alembic_config._guard import MigrationGuard
    from alembic_config._hooks import AutogenerateHooks
    from alembic_config._target import LazyTargetMetadata

logger = logging.getLogger(__name__)


class MigrationEnvironment:
    """Everything ``env.py`` needs, built from Alembic's :class:`~alembic.config.Config`."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.options: EnvironmentOptions = environment_options(config)
        self._url: ResolvedUrl | None = None
        self._loaded: Catalog | None = None
        self._targets: list[LazyTargetMetadata] = []

    # -- logging -------------------------------------------------------------------------------
    def configure_logging(self) -> None:
        """Apply the ini file's logging sections, unless the caller configures logging itself."""
        from logging.config import fileConfig

        name = self.config.config_file_name
        if not name or not self.config.attributes.get("configure_logger", True):
            return
        if self.config.file_config.has_section("loggers"):
            fileConfig(name, disable_existing_loggers=False)

    # -- the database URL ----------------------------------------------------------------------
    @property
    def url(self) -> ResolvedUrl:
        """The database URL, resolved once: the options, ``DATABASE_URL``, ini, SQLite default."""
        if self._url is None:
            self._url = self._resolve_url()
        return self._url

    def _resolve_url(self) -> ResolvedUrl:
        given = self.options.database_url
        if isinstance(given, ResolvedUrl):
            return given
        if given:
            return ResolvedUrl(normalize_url(given), source="config.attributes")
        try:
            ini_url = self.config.get_main_option("sqlalchemy.url")
        except configparser.Error:  # interpolation of a '%' in the URL
            raise DatabaseUrlError(
                f"sqlalchemy.url in {self.config.config_file_name} contains a '%' that the ini "
                "format cannot read; write it as '%%', or set DATABASE_URL instead",
                masked_url="(unreadable)",
            ) from None
        resolved = resolve_database_url(ini_url=ini_url, cwd=Path.cwd())
        logger.info("database %s (from %s)", resolved.masked, resolved.source)
        return resolved

    # -- connecting ----------------------------------------------------------------------------
    def create_engine(self) -> Engine:
        """An engine for one migration run: no pool, SQL parameters kept out of logs."""
        return migration_engine(self.url)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """The connection to migrate with: the one handed in, or a new one from the URL."""
        given = self.config.attributes.get("connection")
        if isinstance(given, Engine):  # an engine is accepted too (pytest-alembic hands one in)
            with given.connect() as connection:
                yield connection
        elif given is not None:
            yield given
        else:
            with connected(self.url) as connection:
                yield connection

    # -- what is migrated ----------------------------------------------------------------------
    def catalog(self) -> Catalog:
        """The catalog from the options (or its factory), else the process-wide one."""
        if self._loaded is None:
            given = self.options.catalog
            if callable(given):
                given = given()
            if given is None:
                from alembic_config._state import get_catalog

                given = get_catalog()
            self._loaded = given
        return self._loaded

    def _catalog_if_loaded(self) -> Catalog | None:
        return self._loaded

    @functools.cached_property
    def version_table(self) -> tuple[str, str | None]:
        """The version table and its schema (ini options ``version_table[_schema]``), validated."""
        table = self.config.get_main_option("version_table") or "alembic_version"
        schema = self.config.get_main_option("version_table_schema") or None
        validate_identifier(table, "version table name")
        if schema is not None:
            validate_identifier(schema, "version table schema")
        return table, schema

    @functools.cached_property
    def hooks(self) -> AutogenerateHooks:
        """The autogenerate hooks of this run."""
        from alembic_config._hooks import AutogenerateHooks

        return AutogenerateHooks(self.config, self.options, self.catalog, self.version_table)

    @functools.cached_property
    def guard(self) -> MigrationGuard:
        """The lock, gate and records around this run's migrations."""
        from alembic_config._guard import MigrationGuard

        return MigrationGuard(
            self.config, self.options, self.catalog, self._catalog_if_loaded, self.version_table
        )

    # -- Alembic's configure() -----------------------------------------------------------------
    def configure_options(self, dialect_name: str) -> dict[str, Any]:
        """Keyword arguments for ``context.configure()`` shared by online and offline runs."""
        from alembic_config._target import LazyTargetMetadata
        from alembic_config.autogenerate import configure_options as autogenerate_options

        sqlite = dialect_name == "sqlite"
        table, schema = self.version_table
        target = LazyTargetMetadata(self.catalog, self.hooks.action)
        self._targets.append(target)
        hooks = self.hooks
        return {
            "version_table": table,
            "version_table_schema": schema,
            "target_metadata": target,
            **autogenerate_options(),  # compare_type, compare_server_default, render_item
            "render_as_batch": sqlite,
            # make_sqlite_ddl_transactional() lets a revision and its stamp commit together
            **({"transactional_ddl": True} if sqlite else {}),
            "transaction_per_migration": True,
            # every schema the models name is compared; include_name skips the others
            "include_schemas": True,
            "include_name": hooks.include_name,
            "include_object": hooks.include_object,
            "process_revision_directives": hooks.process_revision_directives,
            "on_version_apply": self.guard.on_version_apply,
        }

    # -- running -------------------------------------------------------------------------------
    def lock_timeout(self) -> float:
        """Seconds to wait for the migration lock: the options, the environment, or 60."""
        return self.guard.lock_timeout()

    def run_migrations(self, context: MigrationContext) -> None:
        """Alembic's ``run_migrations()`` in its transaction, under the DDL timeouts and retries.

        See :mod:`alembic_config._ddl_timeouts`; call it inside :meth:`guarded`.
        """
        from alembic import context as alembic_context

        def run() -> None:
            with alembic_context.begin_transaction():
                alembic_context.run_migrations()

        self.guard.run_migrations(context, run)

    @contextmanager
    def guarded(self, context: MigrationContext) -> Iterator[bool]:
        """Run a command safely; yields whether the migrations should run now.

        See :class:`~alembic_config._guard.MigrationGuard`. The models loaded for
        a comparison go back to the garbage collector when the block ends.
        """
        try:
            with self.guard.guarded(context) as proceed:
                yield proceed
        finally:
            for target in self._targets:
                target.release()


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Re-raise alembic-config errors as Alembic's ``CommandError`` (shown as ``FAILED: ...``).

    The original error stays attached as ``__cause__`` for callers that map
    errors to exit codes.
    """
    try:
        yield
    except AlembicConfigError as exc:
        raise CommandError(str(exc)) from exc
