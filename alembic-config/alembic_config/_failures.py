"""A Python error raised by a revision's own code, named by revision, file and line.

SQL errors keep their own report (the statement, the database's message); any
other exception raised while a revision runs (a ``NameError``, an
``AttributeError`` in a data migration...) becomes a
:class:`~alembic_config._errors.MigrationScriptError`.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError

from alembic_config._errors import AlembicConfigError, MigrationScriptError

DIRECTIONS = frozenset({"upgrade", "downgrade"})


def _revision_files(script: ScriptDirectory) -> dict[str, str]:
    files: dict[str, str] = {}
    for revision in script.walk_revisions():
        if revision.path:
            files[str(Path(revision.path).resolve())] = revision.revision
    return files


def last_line(exc: BaseException) -> str:
    """``Type: the last line of its message``."""
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[-1].strip()}" if lines else type(exc).__name__


def script_failure(
    exc: BaseException, script: ScriptDirectory | None
) -> MigrationScriptError | None:
    """The error to report for ``exc`` raised inside a revision; ``None`` for other errors."""
    if script is None or isinstance(exc, AlembicConfigError | SQLAlchemyError | CommandError):
        return None
    frames = traceback.extract_tb(exc.__traceback__)
    files = _revision_files(script)
    inside = [f for f in frames if str(Path(f.filename).resolve()) in files]
    if not inside:
        return None
    frame = inside[-1]
    entry = next((f for f in inside if f.name in DIRECTIONS), frame)
    return MigrationScriptError(
        revision=files[str(Path(frame.filename).resolve())],
        direction=entry.name if entry.name in DIRECTIONS else "upgrade",
        error=last_line(exc),
        location=f"{frame.filename}, line {frame.lineno}",
    )
