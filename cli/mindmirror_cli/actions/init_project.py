"""Setting up a project folder that migrates with alembic-config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mindmirror_cli.errors import BadInput

INI_TEMPLATE = """\
# Alembic configuration using the environment shipped by alembic-config.
#   alembic -c alembic.ini upgrade head     or     mindmirror db upgrade
# Services are found through the entry-point group "alembic_config.metadata".
# The database URL comes from DATABASE_URL (or .env), never from this file.

[alembic]
script_location = alembic_config:
revision_environment = true
truncate_slug_length = 40
{versions}
[post_write_hooks]

[loggers]
keys = root,sqlalchemy,alembic,alembic_config

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[logger_alembic_config]
level = INFO
handlers =
qualname = alembic_config

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

SHIPPED_ONLY = "path_separator = os\n"
WITH_LOCAL = """\
# the shipped revisions, then this project's own (new revisions are written to the last one)
path_separator = space
version_locations = alembic_config:versions %(here)s/{folder}
"""

ENV_EXAMPLE = """\
# Copy to .env (never commit .env) and set the database to migrate.
# Format: dialect://user:password@host:port/database, special characters in the password
# URL-encoded (@ -> %40, % -> %25, / -> %2F). postgres:// is accepted.
DATABASE_URL=
# Optional: load only some services, or leave some out.
# ALEMBIC_CONFIG_SERVICES=
# ALEMBIC_CONFIG_EXCLUDE=
"""


@dataclass(frozen=True)
class InitResult:
    """The files written."""

    written: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {"written": list(self.written)}


def init_project(folder: Path, *, local_versions: str | None, force: bool) -> InitResult:
    """Write ``alembic.ini`` and ``.env.example`` (and the local versions folder, if asked)."""
    ini = folder / "alembic.ini"
    example = folder / ".env.example"
    existing = [p for p in (ini, example) if p.exists()]
    if existing and not force:
        names = ", ".join(str(p) for p in existing)
        raise BadInput(f"{names} already exist(s); pass --force to overwrite")
    if local_versions is not None:
        if Path(local_versions).is_absolute() or ".." in Path(local_versions).parts:
            raise BadInput("--local-versions must be a folder inside the project")
        versions = WITH_LOCAL.format(folder=local_versions)
    else:
        versions = SHIPPED_ONLY
    folder.mkdir(parents=True, exist_ok=True)
    ini.write_text(INI_TEMPLATE.format(versions=versions))
    example.write_text(ENV_EXAMPLE)
    written = [str(ini), str(example)]
    if local_versions is not None:
        local = folder / local_versions
        local.mkdir(parents=True, exist_ok=True)
        written.append(str(local))
    return InitResult(tuple(written))
