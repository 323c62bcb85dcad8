"""A revision's operations recorded without running them, on a real database for the real run.

The Table that ``op.create_table()`` returns while recording is built only if
the revision uses it, and then serves every use a revision makes of it.
"""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.operations import ops
from alembic_config import EnvironmentOptions
from alembic_config._operations import TableOnDemand, record_revision

from tests.support.databases import BACKENDS, isolated_database
from tests.support.environments import no_services, shipped_env_config

USES_THE_TABLE = """\
accounts = op.create_table(
    "accounts",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(20), nullable=False),
)
op.bulk_insert(accounts, [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
op.execute(accounts.insert().values(id=3, name="c"))
op.execute(sa.insert(accounts).values(id=4, name=accounts.c.name.type.python_type("d")))
op.execute(sa.update(accounts).where(accounts.c.id == 4).values(name="e"))
op.execute(sa.delete(accounts).where(accounts.c.id == 99))
"""

IGNORES_IT = """\
op.create_table("plain", sa.Column("id", sa.Integer, primary_key=True))
op.create_index("ix_plain_id", "plain", ["id"])
"""


def _script(tmp_path: Path, body: str) -> SimpleNamespace:
    path = tmp_path / "0001_r1.py"
    path.write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        'revision = "r1"\ndown_revision = None\n\n\ndef upgrade():\n'
        + textwrap.indent(body, "    ")
        + "\n\ndef downgrade():\n    pass\n"
    )
    spec = importlib.util.spec_from_file_location(f"revision_{tmp_path.name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return SimpleNamespace(module=module, revision="r1", doc="", path=path)


def test_the_returned_table_is_built_only_when_the_revision_uses_it(tmp_path: Path) -> None:
    dialect = sa.create_engine("sqlite://").dialect
    plain = record_revision(_script(tmp_path, IGNORES_IT), dialect)  # type: ignore[arg-type]
    assert plain.complete
    (create, _index) = plain.operations
    assert isinstance(create, ops.CreateTableOp)
    assert all(getattr(c, "table", None) is None for c in create.columns)  # never built

    used = record_revision(_script(tmp_path, USES_THE_TABLE), dialect)  # type: ignore[arg-type]
    assert used.complete, used.error
    kinds = [type(o).__name__ for o in used.operations]
    assert kinds == ["CreateTableOp", "BulkInsertOp", *["ExecuteSQLOp"] * 4]
    bulk = used.operations[1]
    assert isinstance(bulk, ops.BulkInsertOp)
    assert isinstance(bulk.table, TableOnDemand)
    assert bulk.table.name == "accounts"
    assert [c.name for c in bulk.table.c] == ["id", "name"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_revision_using_the_table_it_creates_upgrades_for_real(
    backend: str, tmp_path: Path
) -> None:
    with isolated_database(backend, tmp_path) as database:
        options = EnvironmentOptions(database_url=database.url, catalog=no_services())
        config = shipped_env_config(tmp_path / "versions", options)
        _script(tmp_path / "versions", USES_THE_TABLE)
        command.upgrade(config, "head")
        engine = sa.create_engine(database.url, poolclass=sa.NullPool)
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, name FROM accounts ORDER BY id").all()
        engine.dispose()
        assert [tuple(r) for r in rows] == [(1, "a"), (2, "b"), (3, "c"), (4, "e")]
