"""The production guard: destructive commands need an explicit override on a production database.

A database is marked production by its environment (``MINDMIRROR_ENVIRONMENT=production``,
as deployments set it); ``downgrade`` and ``stamp`` then refuse unless the caller says
so: ``-x allow_production=yes``, ``ALEMBIC_CONFIG_ALLOW_PRODUCTION=1``, or
``EnvironmentOptions(allow_production=True)`` from a program that asked for confirmation.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from alembic.config import Config

from alembic_config._options import EnvironmentOptions, flag_option
from alembic_config._refusals import (
    ProductionGuardError,
)

PRODUCTION_ENV = "MINDMIRROR_ENVIRONMENT"
PRODUCTION_NAMES = frozenset({"production", "prod"})
ALLOW_PRODUCTION_ENV = "ALEMBIC_CONFIG_ALLOW_PRODUCTION"
DESTRUCTIVE_COMMANDS = frozenset({"downgrade", "stamp"})


def marked_production(environ: Mapping[str, str] | None = None) -> bool:
    """True when ``MINDMIRROR_ENVIRONMENT`` names production (``production`` or ``prod``)."""
    value = (os.environ if environ is None else environ).get(PRODUCTION_ENV, "")
    return value.strip().lower() in PRODUCTION_NAMES


def require_allowed_in_production(
    command: str | None, config: Config, options: EnvironmentOptions
) -> None:
    """Refuse ``downgrade`` and ``stamp`` on a production database without the override."""
    if command not in DESTRUCTIVE_COMMANDS or not marked_production():
        return
    if flag_option(options.allow_production, config, "allow_production", ALLOW_PRODUCTION_ENV):
        return
    raise ProductionGuardError(
        command=command,
        variable=f"{PRODUCTION_ENV}={os.environ[PRODUCTION_ENV].strip()}",
        override=f"-x allow_production=yes (or {ALLOW_PRODUCTION_ENV}=1); "
        "mindmirror: --allow-production --yes",
    )
