"""Autogenerate on PostgreSQL writes lock-friendly forms for tables that already exist.

An index the models have and the database lacks is created CONCURRENTLY in an
autocommit block; a foreign key is added NOT VALID and validated afterwards.
The revision applies under the migration lock with its checksum recorded, and
the models match the database afterwards. A revision whose autocommit block
fails leaves a partial-state marker, as MySQL and MariaDB runs do.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.cli.conftest import MakeCli
from tests.cli.support import Mindmirror, execute, expect, revisions
from tests.support.databases import TestDatabase, scalar, table_names

pytestmark = pytest.mark.parametrize("backend_database", ["postgresql"], indirect=True)


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine of this process sends while the test runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def _at_r1(mm: Mindmirror) -> None:
    expect(mm("db", "revision", "--autogenerate", "-m", "tables", "--rev-id", "r1"))
    expect(mm("db", "upgrade"))


def test_an_index_and_a_foreign_key_on_existing_tables_are_written_safe(
    backend_database: TestDatabase, make_cli: MakeCli, statements: list[str]
) -> None:
    url = backend_database.url
    mm = make_cli("runner", backend_database.plain_url)
    _at_r1(mm)
    execute(
        url,
        "INSERT INTO users (id, email, name) VALUES (1, 'a@example.org', 'a')",
        "INSERT INTO orders (id, user_id, status) VALUES (1, 1, 'new')",
        "DROP INDEX ix_users_name",
        "ALTER TABLE orders DROP CONSTRAINT fk_orders_user_id_users",
    )
    wrote = expect(mm("db", "revision", "--autogenerate", "-m", "restore", "--rev-id", "r2"))
    assert not [line for line in wrote.err_lines if line.startswith("error ")], wrote.stderr
    source = revisions(mm.project)[-1].read_text()
    assert "op.create_foreign_key(op.f('fk_orders_user_id_users'), 'orders', 'users', " in source
    assert "postgresql_not_valid=True)" in source
    block = source[source.index("with op.get_context().autocommit_block():") :]
    assert "op.create_index(op.f('ix_users_name'), 'users', ['name'], unique=False, " in block
    assert "postgresql_concurrently=True)" in block
    assert (
        "    with op.get_context().autocommit_block():\n"
        "        op.execute('ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_user_id_users')\n"
        in source
    )

    linted = expect(mm("db", "lint", "--json")).json()
    assert linted["errors"] == 0  # no lock rule fires on the safe forms
    # the index is the users service's, the foreign key the orders service's: one warning
    assert [f["rule"] for f in linted["findings"]] == ["ddl-several-services"]

    statements.clear()
    expect(mm("db", "upgrade"))
    assert "CREATE INDEX CONCURRENTLY ix_users_name ON users (name)" in statements
    added = next(s for s in statements if "ADD CONSTRAINT fk_orders_user_id_users" in s)
    assert added.endswith("NOT VALID")
    assert "ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_user_id_users" in statements
    assert scalar(
        url, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_users_name'::regclass"
    )
    assert scalar(
        url,
        "SELECT convalidated FROM pg_constraint WHERE conname = 'fk_orders_user_id_users'",
    )
    assert scalar(url, "SELECT version_num FROM alembic_version") == "r2"
    assert scalar(url, "SELECT count(*) FROM alembic_version_checksums WHERE revision = 'r2'") == 1
    assert "alembic_version_in_progress" not in table_names(url)
    expect(mm("db", "check"))  # the models and the database agree afterwards
    expect(mm("db", "status", "--check"))


FAILING_BLOCK = '''"""Add users.nickname, then an index that cannot be built (hand-written)."""

import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))
    with op.get_context().autocommit_block():
        op.create_index("ix_users_missing", "users", ["missing"], postgresql_concurrently=True)


def downgrade() -> None:
    pass
'''


def test_a_failed_autocommit_block_leaves_a_partial_state_marker(
    backend_database: TestDatabase, make_cli: MakeCli
) -> None:
    url = backend_database.url
    mm = make_cli("runner", backend_database.plain_url)
    _at_r1(mm)
    (mm.project / "versions" / "r2.py").write_text(FAILING_BLOCK)
    failed = expect(mm("db", "upgrade"), 8)
    assert "the database is now in a partial state: revision r2 (upgrade)" in failed.stderr
    assert "its autocommit block committed what ran before it" in failed.stderr
    assert scalar(url, "SELECT version_num FROM alembic_version") == "r1"
    refused = expect(mm("db", "upgrade"), 6)
    assert "the database is in a partial state: revision r2 was started" in refused.error
    expect(mm("db", "health"), 6)
