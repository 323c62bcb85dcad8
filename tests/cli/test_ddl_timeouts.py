"""DDL lock timeouts with retries: a blocked revision gives up within its printed bound, naming
the session that blocks it, with nothing applied; released in time, the upgrade goes through.

The retry timings are kept small through the ini's ``[mindmirror]`` section and the command line.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tests.cli.conftest import MakeCli
from tests.cli.support import Mindmirror, expect
from tests.support.databases import TestDatabase, table_names

NICKNAME = '''"""Add users.nickname (hand-written)."""

import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "nickname")
'''
# a table created first: on PostgreSQL the blockers are still named (the new table is not
# there yet); on MariaDB that CREATE has committed, so the blocked revision is not retried
TABLE_FIRST = NICKNAME.replace(
    "def upgrade() -> None:\n",
    'def upgrade() -> None:\n    op.create_table("nicknames", sa.Column("id", sa.Integer(), '
    "primary_key=True))\n",
)
FAST_RETRIES = "\n[mindmirror]\nddl_retry_pause = 0.05\nddl_retry_growth = 2\n"


def _at_r1_with_r2(mm: Mindmirror, revision: str = NICKNAME) -> None:
    expect(mm("db", "revision", "--autogenerate", "-m", "tables", "--rev-id", "r1"))
    expect(mm("db", "upgrade"))
    (mm.project / "versions" / "r2.py").write_text(revision)
    ini = mm.project / "alembic.ini"
    ini.write_text(ini.read_text() + FAST_RETRIES)


@contextmanager
def holding_users(url: str, backend: str) -> Iterator[tuple[sa.Connection, int]]:
    """A second session holding a lock on ``users`` until the block ends (or it is released)."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    conn = engine.connect()
    try:
        if backend == "postgresql":
            conn.exec_driver_sql("SET application_name = 'report-job'")
            conn.commit()
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            conn.exec_driver_sql("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        else:
            pid = conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar_one()
            conn.exec_driver_sql("SELECT count(*) FROM users")  # holds a metadata lock
        yield conn, int(pid)
    finally:
        if conn.in_transaction():
            conn.rollback()
        conn.close()
        engine.dispose()


def _columns(url: str) -> set[str]:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return {c["name"] for c in sa.inspect(conn).get_columns("users")}
    finally:
        engine.dispose()


def _version(url: str) -> list[str]:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    finally:
        engine.dispose()


# (first lock timeout, attempts, the bound they give with a 0.05 s pause doubling each time)
TIMINGS = {"postgresql": ("0.2", "3", 0.2 + 0.4 + 0.8 + 0.05 + 0.1), "mariadb": ("1", "2", 3.05)}


@pytest.mark.parametrize("backend_database", ["postgresql", "mariadb"], indirect=True)
def test_a_revision_blocked_longer_than_every_retry_gives_up_naming_the_blocker(
    backend_database: TestDatabase, make_cli: MakeCli
) -> None:
    url, backend = backend_database.url, backend_database.backend
    mm = make_cli("runner", backend_database.plain_url)
    _at_r1_with_r2(mm, TABLE_FIRST if backend == "postgresql" else NICKNAME)
    first, attempts, bound = TIMINGS[backend]
    with holding_users(url, backend) as (_blocker, pid):
        started = time.monotonic()
        refused = expect(
            mm("db", "upgrade", "--ddl-lock-timeout", first, "--ddl-attempts", attempts), 5
        )
        elapsed = time.monotonic() - started
    message = refused.error
    assert message.startswith(
        f"error: revision r2 could not get its locks in {attempts} attempt(s) ("
    ), message
    assert f"bound {bound:g} s); nothing of it was applied and the version is unchanged" in message
    waited = float(re.search(r"\(([\d.]+) s of waiting", message).group(1))  # type: ignore[union-attr]
    assert waited <= bound
    assert elapsed < bound + 15  # the bound, plus starting the command and planning
    if backend == "postgresql":
        assert f"  pid {pid} (report-job, idle in transaction, query started " in message
        assert "LOCK TABLE users IN ACCESS EXCLUSIVE MODE; holds AccessExclusiveLock)" in message
    else:
        assert f"  connection {pid} (" in message
        assert "transaction open since" in message
    retries = [line for line in refused.err_lines if "could not get its locks within" in line]
    assert len(retries) == int(attempts) - 1
    assert f"at most {bound:g} s of lock waiting in all" in retries[0]
    assert _version(url) == ["r1"]
    assert "nickname" not in _columns(url)
    assert "nicknames" not in table_names(url)
    expect(mm("db", "status", "--check"), 1)  # pending, not partial: exit 1, not 6
    expect(mm("db", "upgrade"))  # nobody blocks any more
    assert _version(url) == ["r2"]


@pytest.mark.parametrize("backend_database", ["postgresql"], indirect=True)
def test_a_blocker_released_during_the_retries_lets_the_upgrade_through(
    backend_database: TestDatabase, make_cli: MakeCli
) -> None:
    url = backend_database.url
    mm = make_cli("runner", backend_database.plain_url)
    _at_r1_with_r2(mm)
    with holding_users(url, "postgresql") as (blocker, _pid):
        release = threading.Timer(0.6, blocker.rollback)
        release.start()
        try:
            done = expect(mm("db", "upgrade", "--ddl-lock-timeout", "0.2", "--ddl-attempts", "6"))
        finally:
            release.join()
    assert any("could not get its locks within 0.2 s" in line for line in done.err_lines)
    assert _version(url) == ["r2"]
    assert "nickname" in _columns(url)


@pytest.mark.parametrize("backend_database", ["postgresql"], indirect=True)
def test_doctor_shows_the_timeouts_from_the_ini(
    backend_database: TestDatabase, make_cli: MakeCli
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    ini = mm.project / "alembic.ini"
    ini.write_text(ini.read_text() + "\n[mindmirror]\nddl_lock_timeout = 1.5\nddl_attempts = 2\n")
    shown = expect(mm("doctor", "--json")).json()
    assert shown["ddl_timeouts"]["lock_timeout"] == 1.5
    assert shown["ddl_timeouts"]["attempts"] == 2
    assert shown["migration_lock_timeout"] == 60
    text = expect(mm("doctor"))
    assert (
        "ddl timeouts:       lock_timeout 1.5 s (then 3 s), 2 attempt(s), statement_timeout "
        "off; at most 5 s of lock waiting per blocked revision" in text.out_lines
    )
    ini.write_text(ini.read_text() + "ddl_retry_growth = fast\n")
    expect(mm("doctor"), 2)


SLOW = '''"""A slow data fix (hand-written)."""

from alembic import op

revision = "r2"
down_revision = "r1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE users SET name = name WHERE pg_sleep(3) IS NOT NULL")


def downgrade() -> None:
    pass
'''


@pytest.mark.parametrize("backend_database", ["postgresql"], indirect=True)
def test_a_statement_timeout_cancels_a_long_statement_and_is_not_retried(
    backend_database: TestDatabase, make_cli: MakeCli
) -> None:
    url = backend_database.url
    mm = make_cli("runner", backend_database.plain_url)
    _at_r1_with_r2(mm)
    (mm.project / "versions" / "r2.py").write_text(SLOW)
    from tests.cli.support import execute

    execute(url, "INSERT INTO users (id, email, name) VALUES (1, 'a@example.org', 'a')")
    started = time.monotonic()
    failed = expect(mm("db", "upgrade", "--ddl-statement-timeout", "0.5"), 8)
    assert time.monotonic() - started < 3  # cancelled, not waited out
    assert "canceling statement due to statement timeout" in failed.stderr
    assert not [line for line in failed.err_lines if "could not get its locks" in line]
    assert _version(url) == ["r1"]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("ddl_attempts = 0", "ddl_attempts must be a whole number >= 1, not 0.0"),
        ("ddl_lock_timeout = -1", "ddl_lock_timeout must be a finite number >= 0, not '-1'"),
        ("ddl_retry_growth = 0.5", "ddl_retry_growth must be >= 1, not 0.5"),
    ],
)
@pytest.mark.parametrize("backend_database", ["postgresql"], indirect=True)
def test_bad_timeout_settings_are_refused_before_anything_runs(
    backend_database: TestDatabase, make_cli: MakeCli, setting: str, message: str
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    ini = mm.project / "alembic.ini"
    ini.write_text(ini.read_text() + f"\n[mindmirror]\n{setting}\n")
    refused = expect(mm("doctor"), 2)
    assert message in refused.error
    expect(mm("db", "upgrade"), 2)
    assert "alembic_version" not in table_names(backend_database.url)


@pytest.mark.parametrize("backend_database", ["mariadb"], indirect=True)
def test_on_mariadb_a_revision_blocked_after_its_first_ddl_is_not_retried(
    backend_database: TestDatabase, make_cli: MakeCli
) -> None:
    url = backend_database.url
    mm = make_cli("runner", backend_database.plain_url)
    _at_r1_with_r2(mm, TABLE_FIRST)
    with holding_users(url, "mariadb"):
        failed = expect(mm("db", "upgrade", "--ddl-lock-timeout", "1", "--ddl-attempts", "3"), 8)
    assert not [line for line in failed.err_lines if "could not get its locks" in line]
    assert "the database is now in a partial state: revision r2 (upgrade)" in failed.stderr
    assert "nicknames" in table_names(url)  # the CREATE committed on its own
    expect(mm("db", "upgrade"), 6)
