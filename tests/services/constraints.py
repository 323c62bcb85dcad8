"""Asserting that the database itself refused a row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

#: MariaDB's error for a failed CHECK constraint, which PyMySQL raises as an OperationalError.
MARIADB_CHECK_FAILED = 4025


@contextmanager
def rejected_by_database() -> Iterator[None]:
    """Expect the block to fail on a constraint: unique, foreign key, not null or check."""
    with pytest.raises((IntegrityError, OperationalError)) as raised:
        yield
    if isinstance(raised.value, OperationalError):
        assert raised.value.orig is not None
        assert raised.value.orig.args[0] == MARIADB_CHECK_FAILED, raised.value
