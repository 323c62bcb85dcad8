"""The context object of one ``mindmirror`` invocation, created once in the root group.

It turns the global options into an Alembic :class:`~alembic.config.Config`,
the catalog of services and the resolved database URL, each built on first
use and only by the commands that need it.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mindmirror_cli.output import Output

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic_config import Catalog, ResolvedUrl

BUILT_IN_INI = "built-in defaults (script_location = alembic_config:)"


@dataclass
class Settings:
    """The global options, as given."""

    config_path: Path | None = None
    env_name: str | None = None
    database_url: str | None = None
    exclude: tuple[str, ...] = ()
    lock_timeout: float | None = None
    verbosity: int = 0
    json: bool = False
    color: bool = True
    supabase: bool = False
    allow_production: bool = False


class App:
    """Everything a command needs, built lazily from the global options."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.output = Output(
            json_mode=settings.json, color=settings.color, verbosity=settings.verbosity
        )
        self._dotenv_loaded: tuple[Path, ...] | None = None

    def set_verbosity(self, verbosity: int) -> None:
        """Change the verbosity after the root group (``-q``/``-v`` given after a command)."""
        self.settings.verbosity = verbosity
        self.output.verbosity = verbosity
        configure_logging(verbosity)

    # -- environment files ---------------------------------------------------------------------
    def load_environment(self) -> tuple[Path, ...]:
        """Load ``.env.NAME`` (``--env NAME``) over ``.env``, once; the environment wins."""
        if self._dotenv_loaded is None:
            from alembic_config import load_dotenv_files

            self._dotenv_loaded = load_dotenv_files(self.settings.env_name)
        return self._dotenv_loaded

    @property
    def production(self) -> bool:
        """True under ``--env production`` or ``MINDMIRROR_ENVIRONMENT=production`` (or .env)."""
        from alembic_config import PRODUCTION_NAMES, marked_production

        self.load_environment()
        return self.settings.env_name in PRODUCTION_NAMES or marked_production()

    # -- the database URL ----------------------------------------------------------------------
    @cached_property
    def url(self) -> ResolvedUrl:
        """The resolved database URL: ``--database-url``, ``DATABASE_URL``, ini, SQLite default."""
        from alembic_config import MigrationEnvironment, ResolvedUrl, normalize_url

        self.load_environment()
        if self.settings.database_url is not None:  # '' is a mistake, not a default
            resolved = ResolvedUrl(normalize_url(self.settings.database_url), "--database-url")
        else:
            resolved = MigrationEnvironment(self.config).url
        if self.settings.supabase:
            from mindmirror_cli.supabase_checks import adapt_for_supabase

            resolved = adapt_for_supabase(resolved, self.output)
        return resolved

    def redact(self, text: str) -> str:
        """``text`` with the database password masked, whatever its spelling."""
        url = self.__dict__.get("url")
        return url.redact(text) if url is not None else text

    # -- Alembic -------------------------------------------------------------------------------
    @property
    def ini_path(self) -> Path | None:
        """The alembic.ini in use: ``--config``, else ``./alembic.ini`` if present, else none."""
        if self.settings.config_path is not None:
            return self.settings.config_path
        default = Path("alembic.ini")
        return default.resolve() if default.is_file() else None

    @cached_property
    def config(self) -> Config:
        """The Alembic Config of this invocation, for reading (scripts, version table, URL)."""
        config = self._new_config()
        self.output.detail(f"configuration: {self.ini_path or BUILT_IN_INI}")
        return config

    def _new_config(self) -> Config:
        """A Config from the ini file, or built-in defaults using alembic_config's env."""
        from alembic.config import Config

        from mindmirror_cli.errors import BadInput
        from mindmirror_cli.ini import check_config

        path = self.ini_path
        if path is not None and not path.is_file():
            raise BadInput(f"no Alembic configuration file at {path}")
        config = Config(str(path) if path else None, stdout=sys.stderr)
        if path is None:
            config.set_main_option("script_location", "alembic_config:")
            config.set_main_option("path_separator", "os")
            config.set_main_option("revision_environment", "true")
        config.attributes["configure_logger"] = False
        return check_config(config)

    def alembic_config(self, **overrides: Any) -> Config:
        """A fresh Config for one Alembic command, its :class:`EnvironmentOptions` attached.

        The URL and the catalog are this invocation's; ``overrides`` sets any
        other field of the options (``command``, ``on_plan``...) for this call only.
        """
        from alembic_config import EnvironmentOptions, with_options

        options = EnvironmentOptions(
            database_url=self.url,
            catalog=self.catalog_factory,
            lock_timeout=self.settings.lock_timeout,
            # destructive commands ask first, here, with their own guard (--allow-production)
            allow_production=True,
        )
        return with_options(self._new_config(), options.replace(**overrides))

    @cached_property
    def version_table(self) -> tuple[str, str | None]:
        """The version table and its schema from the ini (validated: a bad name is exit 2)."""
        from alembic_config import MigrationEnvironment

        return MigrationEnvironment(self.config).version_table

    @cached_property
    def script(self) -> ScriptDirectory:
        """The revision scripts (shipped ``versions/`` and any ``version_locations``)."""
        from alembic.script import ScriptDirectory
        from alembic_config import check_version_locations, load_revisions

        check_version_locations(self.config)
        script = ScriptDirectory.from_config(self.config)
        load_revisions(script)
        return script

    # -- services ------------------------------------------------------------------------------
    def catalog_factory(self) -> Catalog:
        """Load the services (with ``--exclude``) on first use; used lazily by ``env.py``."""
        return self.catalog

    @cached_property
    def catalog(self) -> Catalog:
        """The merged metadata of every selected service."""
        from alembic_config import load_all_models

        self.load_environment()
        exclude = list(self.settings.exclude) or None
        # the loaded models stay out of the collector's reach through the comparison and the
        # rendering of a revision (load_all_models moves them out as they load)
        catalog = load_all_models(exclude=exclude)
        self.output.detail(describe_selection(catalog))
        return catalog


def describe_selection(catalog: Catalog) -> str:
    """One line for ``-v``: the services loaded, their tables, and those that failed."""
    from mindmirror_cli.words import plural

    loaded = ", ".join(catalog.service_names()) or "none"
    line = f"services loaded: {loaded} ({plural(len(catalog.owners), 'table')})"
    if catalog.failures:
        line += f"; failed: {', '.join(failure.name for failure in catalog.failures)}"
    return line


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is when a record is emitted (not when created)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def configure_logging(verbosity: int) -> None:
    """Log to stderr: warnings by default; ``-v`` our INFO; ``-vv`` DEBUG, Alembic's INFO too.

    Alembic's INFO lines (plugin set-up, the migration context's implementation,
    "Running upgrade") restate what the commands report themselves: only ``-vv``
    shows them.
    """
    ours = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s [%(name)s] %(message)s"))
    for name in ("alembic", "alembic_config", "mindmirror_cli"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(ours if name != "alembic" or verbosity >= 2 else logging.WARNING)
        logger.propagate = False
    # every command that loads the services reports their failures and conflicts itself
    catalog_level = logging.ERROR if verbosity <= 0 else logging.NOTSET
    from alembic_config import DISCOVERY_LOGGER

    logging.getLogger(DISCOVERY_LOGGER).setLevel(catalog_level)
    if verbosity >= 3:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
        logging.getLogger("sqlalchemy.engine").addHandler(handler)
