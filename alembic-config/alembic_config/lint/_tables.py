"""Rules about whole tables, and the ownership gate's cross-service findings."""

from __future__ import annotations

from collections.abc import Iterator

from alembic_config.lint._model import Hit
from alembic_config.lint._view import RevisionView, operation_table


def drop_table(view: RevisionView) -> Iterator[Hit]:
    """Dropping a table breaks every running version of code that still reads it."""
    from alembic.operations import ops

    for operation in view.operations:
        if isinstance(operation, ops.DropTableOp):
            key = operation_table(operation)
            yield Hit(operation, key, f"drops {key}: its rows and its readers go with it")


def rename_table(view: RevisionView) -> Iterator[Hit]:
    """Renaming a table breaks every running version of code that uses the old name."""
    from alembic.operations import ops

    for operation in view.operations:
        if isinstance(operation, ops.RenameTableOp):
            key = operation_table(operation)
            yield Hit(
                operation,
                key,
                f"renames {key} to {operation.new_table_name}: code deployed now still uses "
                "the old name",
            )


def breaks_other_service(view: RevisionView) -> Iterator[Hit]:
    """The ownership gate's findings: what a loaded service still maps or refers to."""
    yield from view.gate_hits
