"""Bookkeeping statements that leave the connection as they found it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Connection

T = TypeVar("T")


def commit_unless(conn: Connection, was_in_transaction: bool) -> None:
    """Commit what the last statements began, unless a transaction was open before them.

    Alembic begins its own transactions on the connection afterwards and must
    find none left open by the bookkeeping run before it.
    """
    if not was_in_transaction:
        conn.commit()


def committed(conn: Connection, action: Callable[[], T]) -> T:
    """Run ``action`` and :func:`commit_unless` a transaction was already open."""
    was_in_transaction = conn.in_transaction()
    result = action()
    commit_unless(conn, was_in_transaction)
    return result
