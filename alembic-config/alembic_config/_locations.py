"""Where revisions are read from and written to.

Where new revisions go is decided in :mod:`alembic_config._history` (whose
history a folder is); this module lists the folders and checks the ini's separator.

The ini pitfall of ``version_locations``: a separator that splits ``alembic_config:versions``.

A deployment that installs alembic-config as a wheel keeps its own revisions next
to the shipped ones::

    path_separator = space
    version_locations = alembic_config:versions %(here)s/migrations

With ``path_separator = os`` (or ``:``) on a POSIX system, Alembic splits that
value at every ``:``, into ``alembic_config`` and ``versions .../migrations``:
two folders that do not exist, which Alembic skips without a word. ``upgrade``
then finds no revision at all and reports success. This check turns that into
an error that says which separator to use.
"""

from __future__ import annotations

import os
import re
from importlib.util import find_spec
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import coerce_resource_to_filename

from alembic_config._errors import RevisionLocationError

# "package:folder", as Alembic resolves a resource location (not "/a/b:/c", "C:\\" nor "file://")
_RESOURCE = re.compile(r"(?<![\w./\\-])([A-Za-z_][\w.]*):(?![\\/])")


def check_version_locations(config: Config) -> None:
    """Refuse a ``version_locations`` whose ``pkg:folder`` entries the separator broke apart."""
    raw = config.get_main_option("version_locations")
    separator = (config.get_main_option("path_separator") or "").strip()
    splits_on_colon = separator == ":" or (separator == "os" and os.pathsep == ":")
    if raw:
        _refuse_spaces_not_split(raw, separator)
    if not raw or not splits_on_colon:
        return
    broken = [name for name in _RESOURCE.findall(raw) if _is_package(name)]
    if not broken:
        return
    raise RevisionLocationError(
        f"version_locations = {raw} is split at ':' (path_separator = {separator}), which "
        f"breaks '{broken[0]}:...' apart, so Alembic would silently find no revision there. "
        "Set 'path_separator = space' in the [alembic] section (or 'newline', with one location "
        "per line, when a path contains spaces).",
        path=raw,
    )


def _is_package(name: str) -> bool:
    """True when ``name`` is an importable package (located, not imported)."""
    try:
        return find_spec(name.split(".", maxsplit=1)[0]) is not None
    except (ImportError, ValueError):
        return False


_SEPARATORS = {"os": os.pathsep, ":": ":", ";": ";", "newline": "\n"}


def _refuse_spaces_not_split(raw: str, separator: str) -> None:
    """Refuse folders listed with spaces under a separator that is not a space.

    ``version_locations = a/versions b/versions`` under ``path_separator = os``
    is one folder named ``a/versions b/versions``, which does not exist;
    Alembic skips it without a word and finds no revision.
    """
    split_on = _SEPARATORS.get(separator)
    if split_on is None:
        return
    for location in (part.strip() for part in raw.split(split_on)):
        pieces = location.split()
        if len(pieces) < 2 or os.path.isdir(location):
            continue
        if all(os.path.isdir(piece) or _RESOURCE.match(piece) for piece in pieces):
            raise RevisionLocationError(
                f"version_locations = {raw} is read as one folder {location!r} "
                f"(path_separator = {separator}), which does not exist, so Alembic would "
                "silently find no revision there. Set 'path_separator = space' in the "
                "[alembic] section (or 'newline', with one location per line, when a path "
                "contains spaces).",
                path=raw,
            )


def version_locations(script: ScriptDirectory) -> list[Path]:
    """The folders Alembic reads revisions from, as absolute paths."""
    if script.version_locations:
        return [
            coerce_resource_to_filename(str(loc)).absolute() for loc in script.version_locations
        ]
    return [Path(script.dir, "versions").absolute()]
