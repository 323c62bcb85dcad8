"""The operations a revision would run, recorded without running them.

A revision's ``upgrade()`` (or ``downgrade()``) is called against an offline
migration context whose ``op`` proxy records every operation instead of
executing it. Nothing reaches the database: the context has no connection,
and ``op.get_bind()`` is Alembic's SQL-script stand-in. This inspects what a
revision does, hand-written ones included, from its operations rather than
from its source text.

A revision that needs the live database to decide what to do (it reads rows
through ``op.get_bind()``, say) cannot be fully recorded this way; what it did
before that point is kept and the reason is recorded with it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.operations import ops
    from alembic.operations.ops import MigrateOperation
    from alembic.script import Script
    from sqlalchemy import Table
    from sqlalchemy.engine import Dialect

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordedRevision:
    """The operations of one revision step, in the order the revision issues them."""

    revision: str
    direction: str
    message: str
    operations: tuple[MigrateOperation, ...]
    error: str | None = None
    # the revision runs part of itself in op.get_context().autocommit_block()
    autocommit: bool = False
    # the revision's code may use the connection itself (op.get_bind(), op.get_context())
    reaches_connection: bool = True

    @property
    def complete(self) -> bool:
        """False when the revision raised while being recorded (see ``error``)."""
        return self.error is None

    @property
    def only_operations(self) -> bool:
        """Whether everything the revision sends goes through its recorded operations.

        True when it was recorded completely, never asked for the connection or
        the migration context, and names neither in its code: nothing but
        Alembic's operations can then reach the database while it runs.
        """
        return self.complete and not self.autocommit and not self.reaches_connection


def recording_context(dialect: Dialect) -> Any:
    """An offline migration context for :func:`record_revision` (make one, record many)."""
    from alembic.runtime.migration import MigrationContext

    # an offline context announces itself at INFO ("Generating static SQL"): not news here
    migration_logger = logging.getLogger("alembic.runtime.migration")
    level = migration_logger.level
    migration_logger.setLevel(logging.WARNING)
    try:
        return MigrationContext.configure(
            dialect=dialect,
            opts={"as_sql": True, "output_buffer": io.StringIO(), "literal_binds": True},
        )
    finally:
        migration_logger.setLevel(level)


def record_revision(
    script: Script, dialect: Dialect, *, direction: str = "upgrade", context: Any = None
) -> RecordedRevision:
    """Call the revision's ``upgrade()`` or ``downgrade()`` with a recording ``op``.

    ``context`` (from :func:`recording_context`) saves building one per revision.
    """
    if context is None:
        context = recording_context(dialect)
    recorded: list[MigrateOperation] = []
    blocks: list[bool] = []
    asked: list[str] = []
    error = None
    function = getattr(script.module, direction)
    with _recording(context, recorded, blocks, asked):
        try:
            function()
        except Exception as exc:  # the revision's own code: anything may happen offline
            last = str(exc).strip().splitlines()[-1:] or [""]
            error = f"{type(exc).__name__}: {last[0]}".rstrip(": ")
            logger.debug("revision %s could not be fully recorded: %s", script.revision, error)
    return RecordedRevision(
        revision=script.revision,
        direction=direction,
        message=(script.doc or "").strip(),
        operations=tuple(recorded),
        error=error,
        autocommit=bool(blocks),
        reaches_connection=bool(asked) or _names_connection(function),
    )


# what a revision's code would have to name to reach the connection itself
_CONNECTION_NAMES = frozenset({"get_bind", "get_context", "bind", "connection", "impl"})


def _names_connection(function: Any) -> bool:
    """Whether ``function``'s code (nested functions too) names a way to the connection."""
    code = getattr(function, "__code__", None)
    pending = [code] if code is not None else []
    while pending:
        current = pending.pop()
        if _CONNECTION_NAMES.intersection(current.co_names):
            return True
        pending.extend(c for c in current.co_consts if hasattr(c, "co_names"))
    return code is None


class TableOnDemand:
    """What a recorded ``op.create_table()`` returns: its Table, built when first used.

    Building the Table of every ``create_table`` of a large initial revision
    costs as much again as recording it, and most revisions never look at what
    ``create_table`` returns; one that does (``op.bulk_insert(table, rows)``,
    ``table.insert()``, ``sa.select(table)``) gets the Table then.
    """

    __slots__ = ("_context", "_operation", "_table")
    # SQLAlchemy's constructs then take the table from __clause_element__()
    is_clause_element = False

    def __init__(self, operation: ops.CreateTableOp, context: Any) -> None:
        self._operation = operation
        self._context = context
        self._table: Table | None = None

    def _built(self) -> Table:
        if self._table is None:
            self._table = self._operation.to_table(self._context)
        return self._table

    def __getattr__(self, name: str) -> Any:
        return getattr(self._built(), name)

    def __clause_element__(self) -> Table:  # what SQLAlchemy's constructs accept for a table
        return self._built()

    def __str__(self) -> str:
        return str(self._built())

    def __repr__(self) -> str:
        return repr(self._built())


@contextmanager
def _recording(
    context: Any, sink: list[MigrateOperation], blocks: list[bool], asked: list[str]
) -> Iterator[None]:
    """Install an ``op`` proxy whose operations land in ``sink`` instead of running.

    Each ``autocommit_block()`` the revision enters is noted in ``blocks``, each
    ``op.get_bind()`` or ``op.get_context()`` in ``asked``.
    """
    from alembic.operations import BatchOperations, Operations, ops
    from alembic.operations.batch import BatchOperationsImpl

    operations = Operations(context)

    def invoke(operation: MigrateOperation) -> Any:
        sink.append(operation)
        if isinstance(operation, ops.CreateTableOp):  # revisions may use the returned Table
            return TableOnDemand(operation, context)
        return None

    @contextmanager
    def batch_alter_table(
        table_name: str, schema: str | None = None, **kwargs: Any
    ) -> Iterator[BatchOperations]:
        impl = BatchOperationsImpl(  # type: ignore[no-untyped-call]
            operations,
            table_name,
            schema,
            kwargs.get("recreate", "auto"),
            kwargs.get("copy_from"),
            kwargs.get("table_args", ()),
            kwargs.get("table_kwargs", {}),
            kwargs.get("reflect_args", ()),
            kwargs.get("reflect_kwargs", {}),
            kwargs.get("naming_convention"),
            kwargs.get("partial_reordering"),
        )
        batch = BatchOperations(context, impl=impl)
        batch.invoke = invoke  # type: ignore[method-assign]
        yield batch  # never flushed: the batch's operations are already recorded

    @contextmanager
    def autocommit_block() -> Iterator[None]:
        blocks.append(True)
        yield

    def get_bind() -> Any:
        asked.append("get_bind")
        return context.impl.bind  # what op.get_bind() gives offline: Alembic's SQL writer

    def get_context() -> Any:
        asked.append("get_context")
        return context

    # instance attributes win over the class's methods when the proxy is installed
    operations.invoke = invoke  # type: ignore[method-assign]
    operations.get_bind = get_bind  # type: ignore[method-assign]
    operations.get_context = get_context  # type: ignore[method-assign]
    operations.batch_alter_table = batch_alter_table  # type: ignore[method-assign,assignment]
    context.autocommit_block = autocommit_block
    operations._install_proxy()
    try:
        yield
    finally:
        operations._remove_proxy()
        del context.autocommit_block
