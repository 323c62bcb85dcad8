"""New tables reversed and rendered from the model: what stock Alembic gives, without copies."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from alembic_config.autogenerate import configure_options
from alembic_config.autogenerate.new_tables import PLUGIN, CreateTableOpFromModel, plugin_names

from tests.support.databases import isolated_database

HAS_PLUGINS = importlib.util.find_spec("alembic.runtime.plugins") is not None


def _metadata() -> sa.MetaData:
    metadata = sa.MetaData(naming_convention={"ix": "ix_%(column_0_label)s"})
    sa.Table("parents", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "children",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.ForeignKey("parents.id", ondelete="CASCADE"), index=True),
        sa.Column("code", sa.String(20), unique=True, comment="the code"),
        sa.Column("state", sa.Enum("new", "done", name="child_state")),
        sa.CheckConstraint("length(code) > 1", name="ck_children_code"),
        comment="every child",
        info={"owner": "tests"},
        postgresql_with_oids=False,
    )
    return metadata


def _migrations(url: str, plugins: list[str] | None) -> ops.MigrationScript:
    metadata = _metadata()
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    options = {**configure_options(), "target_metadata": metadata}
    options.pop("autogenerate_plugins", None)
    if plugins is not None:
        options["autogenerate_plugins"] = plugins
    try:
        with engine.connect() as conn:
            return produce_migrations(MigrationContext.configure(conn, opts=options), metadata)
    finally:
        engine.dispose()


def test_plugin_names_are_given_only_where_alembic_has_plugins() -> None:
    names = plugin_names()
    if HAS_PLUGINS:
        from alembic_config.autogenerate.new_tables import _set_up

        assert names == ["alembic.autogenerate.*", PLUGIN]
        assert _set_up == [PLUGIN]  # by Alembic, from the entry point, once
    else:
        assert names is None


@pytest.mark.skipif(not HAS_PLUGINS, reason="Alembic before 1.18 has no autogenerate plugins")
def test_the_downgrade_drops_what_alembic_would_drop(tmp_path: Path) -> None:
    with isolated_database("postgresql", tmp_path) as db:
        script = _migrations(db.url, plugin_names())
        stock = _migrations(db.url, None)
    created = [op for op in script.upgrade_ops.ops if isinstance(op, ops.CreateTableOp)]
    assert [type(op) for op in created] == [CreateTableOpFromModel] * 2
    drops = [op for op in script.downgrade_ops.ops if isinstance(op, ops.DropTableOp)]
    assert {id(op._reverse) for op in drops} == {id(op) for op in created}
    stock_drops = [op for op in stock.downgrade_ops.ops if isinstance(op, ops.DropTableOp)]
    stock_created = [op for op in stock.upgrade_ops.ops if isinstance(op, ops.CreateTableOp)]
    assert [type(op) for op in stock_created] == [ops.CreateTableOp] * 2

    def described(drop: ops.DropTableOp) -> tuple[object, ...]:
        table = drop.to_table()
        return (
            drop.table_name,
            drop.schema,
            drop.if_exists,
            drop.comment,
            drop.info,
            drop.prefixes,
            drop.table_kw,
            [repr(column) for column in table.c],
            sorted(
                (type(constraint).__name__, str(constraint.name), tuple(constraint.columns.keys()))
                for constraint in table.constraints
            ),
        )

    assert [described(op) for op in drops] == [described(op) for op in stock_drops]
    assert render_python_code(script.downgrade_ops) == render_python_code(stock.downgrade_ops)
    assert render_python_code(script.upgrade_ops) == render_python_code(stock.upgrade_ops)
    # reversing twice gives the created table back
    assert [op.reverse().to_table().c.keys() for op in reversed(drops)] == [
        op.to_table().c.keys() for op in created
    ]


@pytest.mark.skipif(not HAS_PLUGINS, reason="Alembic before 1.18 has no autogenerate plugins")
def test_a_subclass_of_create_table_keeps_its_own_reverse(tmp_path: Path) -> None:
    from alembic.util import PriorityDispatchResult
    from alembic_config.autogenerate.new_tables import from_model

    class Custom(ops.CreateTableOp):
        pass

    upgrade = ops.UpgradeOps(
        ops=[Custom("a", [sa.Column("id", sa.Integer)]), ops.CreateTableOp("b", [])]
    )
    assert from_model(None, upgrade) is PriorityDispatchResult.CONTINUE  # type: ignore[arg-type]
    assert [type(op) for op in upgrade.ops] == [Custom, CreateTableOpFromModel]


def _rendered(operation: ops.CreateTableOp) -> str:
    return render_python_code(ops.UpgradeOps(ops=[operation]))


@pytest.mark.skipif(not HAS_PLUGINS, reason="Alembic before 1.18 has no autogenerate plugins")
def test_rendering_reads_the_model_table_while_the_operation_describes_it() -> None:
    from alembic_config.autogenerate.new_tables import from_model

    table = _metadata().tables["children"]
    stock = ops.CreateTableOp.from_table(table)
    operation = ops.CreateTableOp.from_table(table)
    from_model(None, ops.UpgradeOps(ops=[operation]))  # type: ignore[arg-type]
    copies: list[sa.Table] = []

    def attached(table: sa.Table, _metadata: sa.MetaData) -> None:
        if table.name == "children":
            copies.append(table)

    sa.event.listen(sa.Table, "after_parent_attach", attached)
    try:
        assert _rendered(operation) == _rendered(stock)
        assert [t.name for t in copies] == ["children"]  # the stock operation's copy only
        # what a hook changes on the operation is rendered, as from a copy
        for changed in (stock, operation):
            changed.info = {"owner": "hooks"}
            changed.comment = "changed"
            changed.prefixes = ["TEMPORARY"]
        assert _rendered(operation) == _rendered(stock)
        assert "info={'owner': 'hooks'}" in _rendered(operation)
        # a hook that replaces a column (as the enum hook does) gets a copy with that column
        copies.clear()
        for changed in (stock, operation):
            items = list(changed.columns)
            items[1] = items[1]._copy()
            changed.columns = items
        assert _rendered(operation) == _rendered(stock)
        assert [t.name for t in copies] == ["children", "children"]
    finally:
        sa.event.remove(sa.Table, "after_parent_attach", attached)
    # outside rendering, to_table() is Alembic's: a new table
    assert operation.to_table() is not table
