"""A revision's DDL pipelined on PostgreSQL through psycopg 3, on a real server.

The DDL of a revision made of Alembic's operations only goes out without
waiting for each answer; the stamp and the commit still see every statement
before them done, and a failing statement is reported as itself, with the
revision rolled back. A revision that uses the connection itself (reads rows,
copies through the driver, commits early in an ``autocommit_block()``) runs
statement by statement, as before.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic_config import EnvironmentOptions
from alembic_config._pipelined_ddl import PipelinedDdl

from tests.support.databases import TestDatabase, isolated_database, scalar, table_names
from tests.support.environments import no_services, shipped_env_config

HEADER = '''\
"""{doc}"""
import sqlalchemy as sa
from alembic import op

revision = "{rev}"
down_revision = {down!r}
branch_labels = None
depends_on = None


def downgrade():
    pass


def upgrade():
'''


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[TestDatabase]:
    with isolated_database("postgresql", tmp_path) as database:
        yield database


@pytest.fixture
def pipelines(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements sent in pipeline mode, so a test sees whether DDL really was pipelined.

    (psycopg's own ``executemany`` may use a pipeline too: only the DDL pipeline counts.)
    """
    sent: list[str] = []
    original = PipelinedDdl._before_execute

    def counted(self: PipelinedDdl, *args: Any) -> tuple[str, Any]:
        result = original(self, *args)
        if self._pipeline is not None:
            sent.append(args[2])
        return result

    monkeypatch.setattr(PipelinedDdl, "_before_execute", counted)
    return sent


def _project(tmp_path: Path, url: str, revisions: list[tuple[str, str]]) -> Config:
    versions = tmp_path / "versions"
    versions.mkdir()
    down = None
    for number, (rev, body) in enumerate(revisions):
        text = HEADER.format(doc=f"step {number}", rev=rev, down=down)
        (versions / f"{number:02d}_{rev}.py").write_text(text + textwrap.indent(body, "    "))
        down = rev
    return shipped_env_config(versions, EnvironmentOptions(database_url=url, catalog=no_services()))


TABLES = """\
for name in ("a1", "a2", "a3"):
    op.create_table(name, sa.Column("id", sa.Integer, primary_key=True), sa.Column("n", sa.Integer))
    op.create_index(f"ix_{name}_n", name, ["n"])
"""


def test_a_revision_of_operations_only_is_pipelined_and_complete(
    postgres: TestDatabase, tmp_path: Path, pipelines: list[str]
) -> None:
    body = TABLES + textwrap.dedent(
        """\
        op.execute("INSERT INTO a2 (n) VALUES (1), (2)")
        op.create_table("b", sa.Column("id", sa.Integer, primary_key=True))
        op.execute(sa.DDL("CREATE TABLE m1 (id int); CREATE TABLE m2 (id int)"))
        op.create_table("last", sa.Column("id", sa.Integer, primary_key=True))
        """
    )
    config = _project(tmp_path, postgres.url, [("r1", body)])
    command.upgrade(config, "head")
    assert {"a1", "a2", "a3", "b", "m1", "m2", "last"} <= table_names(postgres.url)
    assert scalar(postgres.url, "SELECT count(*) FROM a2") == 2
    assert scalar(postgres.url, "SELECT version_num FROM alembic_version") == "r1"
    assert pipelines, "the revision's DDL was not pipelined"


def test_a_failing_pipelined_statement_is_reported_as_itself_and_rolls_back(
    postgres: TestDatabase, tmp_path: Path, pipelines: list[str]
) -> None:
    first = 'op.create_table("taken", sa.Column("id", sa.Integer, primary_key=True))\n'
    second = TABLES + textwrap.dedent(
        """\
        op.create_table("taken", sa.Column("id", sa.Integer, primary_key=True))
        op.create_table("after", sa.Column("id", sa.Integer, primary_key=True))
        """
    )
    config = _project(tmp_path, postgres.url, [("r1", first), ("r2", second)])
    with pytest.raises(sa.exc.ProgrammingError) as raised:
        command.upgrade(config, "head")
    assert isinstance(raised.value.orig, psycopg.errors.DuplicateTable)
    assert raised.value.statement is not None
    assert "CREATE TABLE taken" in raised.value.statement
    tables = table_names(postgres.url)
    assert "taken" in tables
    assert not {"a1", "a2", "a3", "after"} & tables  # the failing revision left nothing
    assert scalar(postgres.url, "SELECT version_num FROM alembic_version") == "r1"
    assert pipelines


READS = TABLES + textwrap.dedent(
    """\
    op.execute("INSERT INTO a2 (n) VALUES (1), (2)")
    count = op.get_bind().execute(sa.text("SELECT count(*) FROM a2")).scalar()
    op.create_table(f"b_{count}", sa.Column("id", sa.Integer, primary_key=True))
    """
)

COPIES = textwrap.dedent(
    """\
    op.create_table("copied", sa.Column("n", sa.Integer))
    driver = op.get_bind().connection.dbapi_connection
    with driver.cursor().copy("COPY copied (n) FROM STDIN") as copy:
        for n in range(3):
            copy.write_row((n,))
    """
)

BLOCKS = TABLES + textwrap.dedent(
    """\
    with op.get_context().autocommit_block():
        op.create_index("ix_a1_id_n", "a1", ["id", "n"], postgresql_concurrently=True)
        op.create_index("ix_a2_id_n", "a2", ["id", "n"], postgresql_concurrently=True)
    op.create_table("last", sa.Column("id", sa.Integer, primary_key=True))
    """
)


@pytest.mark.parametrize(
    ("body", "query", "expected"),
    [
        (READS, "SELECT count(*) FROM b_2", 0),
        (COPIES, "SELECT sum(n) FROM copied", 3),
        (BLOCKS, "SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'ix_a_\\_id\\_n'", 2),
    ],
    ids=["reads-rows", "copies-through-the-driver", "autocommit-block"],
)
def test_a_revision_using_the_connection_itself_runs_statement_by_statement(
    postgres: TestDatabase,
    tmp_path: Path,
    pipelines: list[str],
    body: str,
    query: str,
    expected: object,
) -> None:
    config = _project(tmp_path, postgres.url, [("r1", body)])
    command.upgrade(config, "head")
    assert scalar(postgres.url, query) == expected
    assert scalar(postgres.url, "SELECT version_num FROM alembic_version") == "r1"
    assert not pipelines
