"""Type comparison that knows what each database stores, and so what it cannot tell apart.

MySQL and MariaDB keep ``FLOAT(p)`` as ``FLOAT`` for p up to 24 and as
``DOUBLE`` above; a reflected ``DOUBLE`` is the model's ``Float(precision=53)``
(or ``Float(25)``, or ``Double``). PostgreSQL does the same with ``REAL`` and
``DOUBLE PRECISION``. ``asdecimal`` only changes what Python receives. Every
other pair is left to Alembic's own comparison.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import types as sqltypes

# the largest binary precision a single-precision float holds, on every database
SINGLE_PRECISION = 24
MAX_PRECISION = 53
# where a float's declared precision is lost: SQLite keeps the declared type's name as written
STORAGE_DIALECTS = frozenset({"mysql", "mariadb", "postgresql"})


def float_storage(type_: Any, dialect_name: str) -> str | None:
    """``single`` or ``double``: the storage a float type gets; ``None`` when not a float.

    A ``FLOAT`` without precision is double precision on PostgreSQL, single on MySQL.
    """
    if isinstance(type_, sqltypes.TypeDecorator):
        type_ = type_.impl_instance
    if isinstance(type_, sqltypes.Double):
        return "double"
    if isinstance(type_, sqltypes.REAL):
        return "single"
    if not isinstance(type_, sqltypes.Float):
        return None
    precision = type_.precision
    if precision is None:
        return "double" if dialect_name == "postgresql" else "single"
    if precision <= SINGLE_PRECISION:
        return "single"
    return "double" if precision <= MAX_PRECISION else None


def compare_type(
    context: Any,
    inspected_column: Any,
    metadata_column: Any,
    inspected_type: Any,
    metadata_type: Any,
) -> bool | None:
    """Alembic's ``compare_type`` hook: ``False`` for floats the database stores alike.

    Returns ``None`` (Alembic decides) for every other pair.
    """
    dialect = context.dialect
    if dialect.name not in STORAGE_DIALECTS:
        return None
    # the reflected type first: it is a float for few columns, and the model's
    # dialect_impl() is the costly half
    stored = float_storage(inspected_type, dialect.name)
    if stored is None:
        return None
    expected = float_storage(metadata_type.dialect_impl(dialect), dialect.name)
    if expected is None:
        return None
    return expected != stored
