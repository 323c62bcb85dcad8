"""Validation of the names that end up in file names and SQL: revision ids, tables, schemas."""

from __future__ import annotations

import re

from alembic_config._errors import InvalidNameError

# alembic_version.version_num is VARCHAR(32); an id becomes a file name and a SQL literal
REVISION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{0,31}")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


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
