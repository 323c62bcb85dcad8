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

# which history the ini's folder migrates with (see docs/adopting.md)
OWN = "own"
EXTEND_SHIPPED = "extend-shipped"
SHIPPED_ONLY = "shipped-only"
HISTORIES = (OWN, EXTEND_SHIPPED, SHIPPED_ONLY)
DEFAULT_FOLDER = "migrations"

_LOCATIONS = {
    OWN: """\
# This project's own history: its revisions, and only those, live in {folder}/.
# The revisions shipped inside alembic_config belong to another monorepo's services;
# they are not part of this history (mindmirror db init --extend-shipped would chain to them).
path_separator = newline
version_locations = %(here)s/{folder}
""",
    EXTEND_SHIPPED: """\
# The history shipped inside alembic_config, continued by this project's own revisions
# in {folder}/ (new revisions are written there, after the shipped head).
path_separator = newline
version_locations =
    alembic_config:versions
    %(here)s/{folder}
""",
    SHIPPED_ONLY: """\
# Only the history shipped inside alembic_config: this folder deploys it and writes no
# revision of its own.
path_separator = os
""",
}

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


def choose_history(*, extend_shipped: bool, shipped_only: bool) -> str:
    """The history named by ``db init``'s flags (``own`` without either; both is an error)."""
    if extend_shipped and shipped_only:
        raise BadInput("--extend-shipped and --shipped-only exclude each other: choose one")
    if extend_shipped:
        return EXTEND_SHIPPED
    return SHIPPED_ONLY if shipped_only else OWN


def init_project(
    folder: Path, *, history: str = OWN, local_versions: str | None = None, force: bool = False
) -> InitResult:
    """Write ``alembic.ini`` and ``.env.example``, and the project's own versions folder.

    ``history``: ``own`` (the default: the project's revisions only, in
    ``local_versions``, ``migrations`` unless named), ``extend-shipped`` (the
    shipped revisions, then the project's own) or ``shipped-only`` (the shipped
    revisions, no folder of the project's own).
    """
    if history not in HISTORIES:
        raise BadInput(f"unknown history {history!r}: use one of {', '.join(HISTORIES)}")
    ini = folder / "alembic.ini"
    example = folder / ".env.example"
    existing = [p for p in (ini, example) if p.exists()]
    if existing and not force:
        names = ", ".join(str(p) for p in existing)
        raise BadInput(f"{names} already exist(s); pass --force to overwrite")
    if history == SHIPPED_ONLY and local_versions is not None:
        raise BadInput("--shipped-only keeps no revisions of its own: leave out --local-versions")
    local = None if history == SHIPPED_ONLY else (local_versions or DEFAULT_FOLDER)
    if local is not None and (Path(local).is_absolute() or ".." in Path(local).parts):
        raise BadInput("--local-versions must be a folder inside the project")
    versions = _LOCATIONS[history].format(folder=local)
    folder.mkdir(parents=True, exist_ok=True)
    ini.write_text(INI_TEMPLATE.format(versions=versions))
    example.write_text(ENV_EXAMPLE)
    written = [str(ini), str(example)]
    if local is not None:
        (folder / local).mkdir(parents=True, exist_ok=True)
        written.append(str(folder / local))
    return InitResult(tuple(written))
