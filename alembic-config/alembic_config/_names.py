"""Validation of the names that end up in file names and SQL: revision ids, tables, schemas."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from alembic_config._errors import InvalidNameError

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

# alembic_version.version_num is VARCHAR(32); an id becomes a file name and a SQL literal
REVISION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{0,31}")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
# the message is the docstring's first line and part of the file name: one line, no tab
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def validate_revision_id(rev_id: str) -> str:
    """Refuse an id that could not be a file name, a SQL literal or a ``version_num`` value."""
    if not REVISION_ID.fullmatch(rev_id):
        raise InvalidNameError(
            f"invalid revision id {rev_id!r}: use 1 to 32 letters, digits or underscores, "
            "starting with a letter or digit",
            value=rev_id,
        )
    return rev_id


def validate_identifier(value: str, what: str) -> str:
    """Refuse a table or schema name that is not a plain SQL identifier (letters, digits, _)."""
    if not IDENTIFIER.fullmatch(value):
        raise InvalidNameError(
            f"invalid {what} {value!r}: use 1 to 63 letters, digits or underscores, "
            "not starting with a digit",
            value=value,
        )
    return value


def refuse_existing_revision_id(script: ScriptDirectory, rev_id: str) -> None:
    """Refuse an id a revision file already has: the new file would make the graph a loop."""
    existing = {revision.revision for revision in script.walk_revisions()}
    if rev_id in existing:
        raise InvalidNameError(
            f"revision id {rev_id!r} already exists; choose another --rev-id (or leave it out)",
            value=rev_id,
        )


def validate_message(message: str | None) -> str | None:
    """Refuse a revision message holding control characters (a newline or a tab included)."""
    if message is not None and CONTROL.search(message):
        raise InvalidNameError("the revision message contains control characters", value=message)
    return message
