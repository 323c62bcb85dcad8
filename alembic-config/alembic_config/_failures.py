"""A Python error raised by a revision's own code, named by revision and file.

SQL errors keep their own report (the statement, the database's message), and
alembic-config's and Alembic's own errors theirs; any other exception raised
while a revision runs (a ``NameError``, an ``AttributeError`` in a data
migration...) becomes a :class:`~alembic_config._errors.MigrationScriptError`
for the step that was running.
"""

from __future__ import annotations

from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError

from alembic_config._errors import AlembicConfigError, MigrationScriptError
from alembic_config._planning import PlannedStep


def last_line(exc: BaseException) -> str:
    """``Type: the last line of its message``."""
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[-1].strip()}" if lines else type(exc).__name__


def script_failure(exc: BaseException, running: PlannedStep | None) -> MigrationScriptError | None:
    """The error to report for ``exc`` raised by the step running; ``None`` for other errors."""
    if running is None or isinstance(exc, AlembicConfigError | SQLAlchemyError | CommandError):
        return None
    path = getattr(running.script, "path", None)
    return MigrationScriptError(
        revision=running.revision,
        direction=running.direction,
        error=last_line(exc),
        location=str(path) if path else "revision file unknown",
    )
