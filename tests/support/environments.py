"""Alembic configurations that run the shipped ``env.py`` on a folder of revisions.

For tests that call Alembic's commands in-process with the options a program
would hand over (``EnvironmentOptions``), without an ``alembic.ini``.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic_config import Catalog, EnvironmentOptions, with_options


def no_services() -> Catalog:
    """A catalog without a service: upgrades that need no model."""
    return Catalog(sa.MetaData(), (), (), (), {}, ())


def shipped_env_config(versions: Path, options: EnvironmentOptions) -> Config:
    """A Config running alembic-config's ``env.py`` on the revisions in ``versions`` (created)."""
    versions.mkdir(exist_ok=True)
    config = Config()
    config.set_main_option("script_location", "alembic_config:")
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(versions))
    return with_options(config, options)
