"""The Alembic ini file checked before use: readable text, parsable, a script_location that exists.

Stock ``alembic`` reads the ini before it runs any of alembic-config's code, so
these errors stay Alembic's own there; ``mindmirror`` turns them into messages.
"""

from __future__ import annotations

import configparser

from alembic.config import Config
from alembic.util import coerce_resource_to_filename

from mindmirror_cli.errors import CliError


def check_config(config: Config) -> Config:
    """Read ``config``'s ini file now, so a broken one is a message (exit 3), not a traceback."""
    name = config.config_file_name
    try:
        config.file_config  # noqa: B018 (reading it parses the file)
    except UnicodeDecodeError as exc:
        raise CliError(
            f"{name} is not UTF-8 text (byte {exc.start}); write it as an Alembic ini file"
        ) from None
    except configparser.Error as exc:
        detail = " ".join(str(exc).split())[:300]
        raise CliError(f"{name} is not a readable ini file: {detail}") from None
    location = config.get_main_option("script_location")
    if location and ":" in location and not location.startswith(("/", "file:")):
        try:
            coerce_resource_to_filename(location)
        except ImportError as exc:
            raise CliError(
                f"script_location = {location} in {name} names the package {exc.name!r}, "
                "which is not installed; use 'script_location = alembic_config:' or install it"
            ) from None
    return config
