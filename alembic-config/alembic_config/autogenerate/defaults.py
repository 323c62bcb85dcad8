"""Server default comparison for what a database stores in its own way.

- MySQL and MariaDB have no identity columns: an ``Identity()`` becomes
  ``AUTO_INCREMENT``, which reflects as no default at all.
- The current time is spelled ``now()`` in a model and stored as
  ``current_timestamp()`` by MariaDB (and the other way round).
- A boolean default is stored as ``0``/``1`` where booleans are integers; the
  model's ``false()``/``true()`` (or ``'0'``, ``'false'``...) is the same value.
Every other pair is left to Alembic.
"""

from __future__ import annotations

from typing import Any

from alembic.operations import ops
from sqlalchemy import Identity, Table, types as sqltypes
from sqlalchemy.engine import Connection

from alembic_config.autogenerate.ops import upgrade_operations

_BOOLEANS = {"0": "0", "false": "0", "'0'": "0", "1": "1", "true": "1", "'1'": "1"}


def _boolean_value(text: str | None) -> str | None:
    if text is None:
        return None
    return _BOOLEANS.get(text.strip().strip("()").lower())


_NOW = frozenset({"now()", "current_timestamp", "current_timestamp()", "localtimestamp"})


def _normalized(text: str | None) -> str | None:
    if text is None:
        return None
    value = text.strip().lower()
    while value.startswith("(") and value.endswith(")"):
        value = value[1:-1].strip()
    return "now()" if value in _NOW else value


def _equivalent(dialect: Any, operation: ops.AlterColumnOp, column: Any) -> bool:
    wanted = operation.modify_server_default
    existing = operation.existing_server_default
    if isinstance(wanted, Identity) and not getattr(dialect, "supports_identity_columns", True):
        return existing is None
    stored_text, wanted_text = _text(existing, dialect), _text(wanted, dialect)
    if stored_text is not None and _normalized(stored_text) == _normalized(wanted_text) == "now()":
        return True
    if column is not None and isinstance(column.type, sqltypes.Boolean):
        stored = _boolean_value(_text(existing, dialect))
        return stored is not None and stored == _boolean_value(_text(wanted, dialect))
    return False


def _text(default: Any, dialect: Any) -> str | None:
    arg = getattr(default, "arg", None)
    if arg is None:
        return None
    if isinstance(arg, str):
        return arg
    text = getattr(arg, "text", None)
    if isinstance(text, str):
        return text
    return str(arg.compile(dialect=dialect))


def _only_default_changes(operation: ops.AlterColumnOp) -> bool:
    return (
        operation.modify_type is None
        and operation.modify_nullable is None
        and operation.modify_comment is False
        and operation.modify_name is None
    )


def drop_equivalent_default_changes(
    conn: Connection, tables: list[Table], script: ops.MigrationScript
) -> None:
    """Remove server default changes the database stores as the model says (see above)."""
    by_name = {(t.schema, t.name): t for t in tables}
    kept: list[Any] = []
    for container in upgrade_operations(script):
        if isinstance(container, ops.ModifyTableOps):
            table = by_name.get((container.schema, container.table_name))
            operations = []
            for operation in container.ops:
                if (
                    isinstance(operation, ops.AlterColumnOp)
                    and operation.modify_server_default is not False
                    and _equivalent(
                        conn.dialect,
                        operation,
                        table.c.get(operation.column_name) if table is not None else None,
                    )
                ):
                    operation.modify_server_default = False
                    if _only_default_changes(operation):
                        continue
                operations.append(operation)
            container.ops[:] = operations
            if not operations:
                continue
        kept.append(container)
    upgrade_operations(script)[:] = kept
