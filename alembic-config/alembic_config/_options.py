"""What a caller hands to the shipped ``env.py``: one typed object under one key.

A program that runs Alembic's commands itself (the ``mindmirror`` CLI, a test
suite, a deploy script) passes its choices as an :class:`EnvironmentOptions`
in ``config.attributes[OPTIONS_KEY]``; stock ``alembic`` passes none, and the
environment falls back to ``-x`` arguments and environment variables.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from alembic.config import Config

from alembic_config._scope import parse_names

if TYPE_CHECKING:
    from alembic.runtime.migration import MigrationContext

    from alembic_config._catalog import Catalog
    from alembic_config._planning import MigrationPlan
    from alembic_config._scope import OwnershipReport
    from alembic_config._urls import ResolvedUrl

OPTIONS_KEY = "alembic_config.options"
_TRUE = frozenset({"1", "yes", "true", "on"})


@dataclass(frozen=True)
class EnvironmentOptions:
    """The choices of one programmatic run of ``env.py``; every field may be left out.

    - ``database_url``: wins over ``DATABASE_URL``, the ini and the SQLite default;
    - ``catalog``: the services to use (or a function returning them) instead of discovering;
    - ``services``: limit autogenerate and ``check`` to these services' tables;
    - ``skip_empty``: write no file for an empty autogenerate;
    - ``lock_timeout``: seconds to wait for the migration lock;
    - ``on_plan``: called with the :class:`MigrationPlan` before the first revision runs;
    - ``on_version_apply``: called after each revision, with Alembic's arguments;
    - ``on_ownership``: called with the :class:`OwnershipReport` of a comparison;
    - ``plan_only``: build and report the plan, run nothing;
    - ``drop``: orphan tables autogenerate may drop (else ``-x drop=T1,T2``);
    - ``allow_breaking``: services whose breakage the impact gate accepts
      (else ``-x allow_breaking=...`` or ``ALEMBIC_CONFIG_ALLOW_BREAKING``);
    - ``allow_production``: let downgrade and stamp run where the environment is
      marked production (the caller asked for confirmation itself);
    - ``command``: the Alembic command being run (``upgrade``, ``check``...), when the
      caller knows it; otherwise it is read from Alembic's step function.
    """

    database_url: str | ResolvedUrl | None = None
    catalog: Catalog | Callable[[], Catalog] | None = None
    services: frozenset[str] | None = None
    skip_empty: bool = False
    lock_timeout: float | None = None
    on_plan: Callable[[MigrationPlan], None] | None = None
    on_version_apply: Callable[..., None] | None = None
    on_ownership: Callable[[OwnershipReport], None] | None = None
    plan_only: bool = False
    drop: frozenset[str] | None = None
    allow_breaking: frozenset[str] | None = None
    allow_production: bool = False
    command: str | None = None

    def replace(self, **changes: Any) -> EnvironmentOptions:
        """A copy with ``changes`` applied (the options themselves never change)."""
        return replace(self, **changes)


def environment_options(config: Config) -> EnvironmentOptions:
    """The options handed in through ``config.attributes``, or the defaults."""
    given = config.attributes.get(OPTIONS_KEY)
    if given is None:
        return EnvironmentOptions()
    if not isinstance(given, EnvironmentOptions):
        raise TypeError(
            f"config.attributes[{OPTIONS_KEY!r}] must be an EnvironmentOptions, "
            f"not {type(given).__name__}"
        )
    return given


def with_options(config: Config, options: EnvironmentOptions) -> Config:
    """Hand ``options`` to the ``env.py`` that ``config`` runs; returns ``config``."""
    config.attributes[OPTIONS_KEY] = options
    return config


def x_argument(config: Config, name: str) -> str | None:
    """The value of ``-x name=value`` on Alembic's command line, if given."""
    for item in getattr(config.cmd_opts, "x", None) or []:
        key, sep, value = str(item).partition("=")
        if sep and key.strip() == name:
            return value
    return None


def names_option(
    given: Iterable[str] | None, config: Config, x_name: str, env: str | None = None
) -> frozenset[str]:
    """Names from the options, else ``-x x_name=a,b``, else the variable ``env``."""
    if given is not None:
        return parse_names(given)
    value = x_argument(config, x_name)
    if value is not None:
        return parse_names(value)
    return parse_names(os.environ.get(env)) if env else frozenset()


def flag_option(given: bool, config: Config, x_name: str, env: str) -> bool:
    """A yes/no choice: the options, else ``-x x_name=yes``, else the variable ``env``."""
    if given:
        return True
    value = x_argument(config, x_name)
    if value is None:
        value = os.environ.get(env, "")
    return value.strip().lower() in _TRUE


def running_command(context: MigrationContext, options: EnvironmentOptions) -> str | None:
    """The Alembic command running this environment (``upgrade``, ``check``, ``revision``...).

    The caller's ``options.command`` when given. For stock ``alembic``, the
    step function Alembic passes as the ``fn`` option tells: its qualified name
    starts with the command's own name (``check.<locals>.retrieve_migrations``);
    ``check`` and ``revision --autogenerate`` are otherwise indistinguishable.
    """
    if options.command is not None:
        return options.command
    fn = context.opts.get("fn")
    qualname = getattr(fn, "__qualname__", "")
    return qualname.split(".")[0] or None
