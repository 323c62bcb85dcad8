"""Write autogenerate's operations on existing PostgreSQL tables in their lock-friendly forms.

- An index on a table that already exists is built ``CONCURRENTLY``, inside
  ``with op.get_context().autocommit_block():`` (PostgreSQL refuses it in a
  transaction), at the end of the revision;
- a foreign key or CHECK added to an existing table is added ``NOT VALID`` in
  the revision's transaction, then validated in that autocommit block (the
  validation scans under a lock that lets reads and writes go on).

The autocommit block commits what the revision did before it; the runtime
therefore marks such a revision in progress until it is stamped (see
:mod:`alembic_config._partial`). Tables created by the same revision are left
as they are: nothing else can be using them yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from alembic.operations import ops

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from sqlalchemy.engine import Dialect

AUTOCOMMIT_BLOCK = "with op.get_context().autocommit_block():"


class AutocommitBlockOp(ops.MigrateOperation):
    """Operations rendered inside ``op.get_context().autocommit_block()``."""

    def __init__(self, operations: list[Any]) -> None:
        self.ops = operations

    def reverse(self) -> AutocommitBlockOp:  # never reversed: autogenerate builds both sides
        raise NotImplementedError


def _render_block(autogen_context: AutogenContext, block: AutocommitBlockOp) -> list[str]:
    from alembic.autogenerate.render import render_op

    # Alembic's printer indents after a line ending in ':' and dedents at an empty line
    lines = [AUTOCOMMIT_BLOCK]
    for operation in block.ops:
        lines += render_op(autogen_context, operation)
    return [*lines, ""]


_registered = False


def register_renderer() -> None:
    """Teach autogenerate to render :class:`AutocommitBlockOp` (once per process)."""
    global _registered  # noqa: PLW0603 (Alembic's renderer registry is process-wide)
    if not _registered:
        from alembic.autogenerate import renderers

        renderers.dispatch_for(AutocommitBlockOp)(_render_block)
        _registered = True


def _validate(dialect: Dialect, operation: Any, table: str, schema: str | None) -> Any:
    quote = dialect.identifier_preparer.quote
    target = f"{quote(schema)}.{quote(table)}" if schema else quote(table)
    name = quote(str(operation.constraint_name))
    return ops.ExecuteSQLOp(f"ALTER TABLE {target} VALIDATE CONSTRAINT {name}")


def _rewrite(
    operations: list[Any], existing: frozenset[str], dialect: Dialect, block: list[Any]
) -> list[Any]:
    from alembic_config.lint._view import operation_table

    kept: list[Any] = []
    operation: Any
    for operation in operations:
        if isinstance(operation, ops.ModifyTableOps):
            operation.ops[:] = _rewrite(operation.ops, existing, dialect, block)
            kept.append(operation)
            continue
        key = operation_table(operation)
        if key not in existing:
            kept.append(operation)
        elif isinstance(operation, ops.CreateIndexOp):
            operation.kw["postgresql_concurrently"] = True
            block.append(operation)
        elif isinstance(operation, ops.CreateForeignKeyOp | ops.CreateCheckConstraintOp):
            if operation.constraint_name is None:  # VALIDATE needs a name: keep it validated
                kept.append(operation)
                continue
            operation.kw["postgresql_not_valid"] = True
            kept.append(operation)
            table, _, name = key.rpartition(".")
            block.append(_validate(dialect, operation, name, table or None))
        else:
            kept.append(operation)
    return kept


def apply_safe_forms(upgrade_ops: ops.UpgradeOps, dialect: Dialect, existing: Iterable[str]) -> int:
    """Rewrite ``upgrade_ops`` in place for PostgreSQL; returns how many operations moved."""
    if dialect.name != "postgresql":
        return 0
    block: list[Any] = []
    upgrade_ops.ops[:] = _rewrite(upgrade_ops.ops, frozenset(existing), dialect, block)
    upgrade_ops.ops[:] = [
        op for op in upgrade_ops.ops if not isinstance(op, ops.ModifyTableOps) or op.ops
    ]
    if block:
        register_renderer()
        upgrade_ops.ops.append(AutocommitBlockOp(block))
    return len(block)
