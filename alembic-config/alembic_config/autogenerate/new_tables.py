"""New tables in autogenerate: reversed and rendered without building them again.

For every table a revision creates, stock Alembic copies all its columns and
constraints into a new ``Table`` twice: once in ``CreateTableOp.reverse()``,
only to read its name, schema and keywords back for ``op.drop_table()``, and
once in ``to_table()`` when rendering ``op.create_table()``. At 2000 tables
those copies are a third of ``revision --autogenerate``.
:class:`CreateTableOpFromModel` reverses from the operation itself and, while it
still holds exactly the columns and constraints of the model's table, is
rendered from that table (after a hook replaced a column, from a copy, as
before).

Alembic 1.18 and later let a comparator run after its own within one
comparison. This module is that plugin, :data:`PLUGIN`, published under the
``alembic.plugins`` entry point; :func:`plugin_names` gives the plugin list for
``context.configure()``. On older Alembic it returns None and autogenerate
works as it always did.
"""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Any, cast

from alembic.operations import ops
from sqlalchemy import Column, Table

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from alembic.runtime.migration import MigrationContext
    from alembic.runtime.plugins import Plugin
    from alembic.util import PriorityDispatchResult

PLUGIN = "alembic_config.autogenerate.new_tables"
"""The plugin's name in Alembic's registry."""

_ALEMBIC_COMPARISONS = "alembic.autogenerate.*"


class CreateTableOpFromModel(ops.CreateTableOp):
    """A ``CreateTableOp`` made from a model's table, which it reads instead of copying."""

    _rendering = False

    def reverse(self) -> ops.DropTableOp:
        """The ``DropTableOp`` that ``DropTableOp.from_table(self.to_table())`` would give."""
        return ops.DropTableOp(
            self.table_name,
            schema=self.schema,
            table_kw={
                "comment": self.comment,
                "info": dict(self.info or {}),
                "prefixes": list(self.prefixes or []),
                **self.kw,
            },
            _reverse=self,
        )

    def to_table(self, migration_context: MigrationContext | None = None) -> Table:
        """A new table built from the operation, as Alembic builds it.

        While Alembic renders the operation, and it still holds exactly the
        columns and constraints of the model's table, that table is read
        instead, under the operation's comment, info and prefixes.
        """
        source = self._unchanged_source() if self._rendering and migration_context is None else None
        if source is None:
            return super().to_table(migration_context)
        return cast(Table, _TableAsCreated(source, self))

    def _unchanged_source(self) -> Table | None:
        columns = [item for item in self.columns if isinstance(item, Column)]
        if not columns or not isinstance(columns[0].table, Table):
            return None
        source = columns[0].table
        others = [item for item in self.columns if not isinstance(item, Column)]
        unchanged = (
            source.name == self.table_name
            and source.schema == self.schema
            and self._constraints_included
            and len(columns) == len(source.columns)
            and all(a is b for a, b in zip(columns, source.columns, strict=True))
            and len(others) == len(source.constraints)
            and {id(item) for item in others} == {id(c) for c in source.constraints}
            and dict(source.kwargs) == dict(self.kw)
        )
        return source if unchanged else None


class _TableAsCreated:
    """A model's table as ``CreateTableOp.to_table()`` would build it, for reading only.

    The columns and constraints are the model's; the comment, info and prefixes
    are the operation's (hooks may have changed them since it was made).
    """

    def __init__(self, source: Table, operation: ops.CreateTableOp) -> None:
        self._source = source
        self.comment = operation.comment
        self.info = operation.info.copy() if operation.info else {}
        self._prefixes = list(operation.prefixes) if operation.prefixes else []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)


def render_create_table(autogen_context: AutogenContext, operation: CreateTableOpFromModel) -> Any:
    """Render as Alembic renders any ``CreateTableOp``, reading the model's table."""
    from alembic.autogenerate import renderers

    stock = renderers.dispatch(ops.CreateTableOp)
    operation._rendering = True
    try:
        return stock(autogen_context, operation)
    finally:
        operation._rendering = False


def from_model(
    autogen_context: AutogenContext, upgrade_ops: ops.UpgradeOps
) -> PriorityDispatchResult:
    """Make each table this comparison creates a :class:`CreateTableOpFromModel`."""
    from alembic.util import PriorityDispatchResult

    _register_renderer()
    for operation in upgrade_ops.ops:
        # only Alembic's own class: a subclass may reverse in its own way
        if type(operation) is ops.CreateTableOp:
            operation.__class__ = CreateTableOpFromModel
    return PriorityDispatchResult.CONTINUE


@functools.cache
def _register_renderer() -> None:
    # not in setup(): Alembic sets plugins up while alembic.autogenerate is still importing
    from alembic.autogenerate import renderers

    renderers.dispatch_for(CreateTableOpFromModel)(render_create_table)


_set_up: list[str] = []
"""The names this module was set up under as a plugin (by Alembic, through the entry point)."""


def setup(plugin: Plugin) -> None:
    """Alembic's plugin entry: run after every built-in comparison."""
    from alembic.util import DispatchPriority

    plugin.add_autogenerate_comparator(from_model, "autogenerate", priority=DispatchPriority.LAST)
    _set_up.append(plugin.name)


def plugin_names() -> list[str] | None:
    """``autogenerate_plugins`` for ``context.configure()``: Alembic's own and this one.

    None before Alembic 1.18, which has no plugins.
    """
    try:
        from alembic.runtime.plugins import Plugin  # sets up the entry points' plugins
    except ImportError:
        return None
    if PLUGIN not in _set_up:  # installed without its entry points: set up here
        Plugin.setup_plugin_from_module(sys.modules[__name__], PLUGIN)
    return [_ALEMBIC_COMPARISONS, PLUGIN]
