"""B. A migration killed half-way, and revisions that go up, down and up again.

PostgreSQL and SQLite roll the killed revision back with its version stamp;
MariaDB cannot roll DDL back, so its partial-state marker makes every command
refuse (exit 6) until the operator repairs the schema and clears the marker.
"""

from __future__ import annotations

import re
import socket

import pytest
import sqlalchemy as sa

from tests.safety.harness import (
    COUNTED,
    HEAD,
    REVISIONS,
    Project,
    Result,
    connect,
    counted,
    schema_of,
    table_names,
    versions_of,
)
from tests.support.databases import BOOKKEEPING

KILLED = REVISIONS[2]  # DDL (a column, a table, an index), then a row, then the pause
BEFORE = REVISIONS[1]


def kill_during(project: Project, revision: str) -> int:
    """Start ``upgrade head``, ``kill -9`` it once ``revision`` did its work; its PID."""
    upgrade = project.spawn("db", "upgrade", "head", env=project.pause(revision, "client", 120))
    project.wait_for_pause(upgrade)
    assert project.processes.kill(upgrade.process) == -9
    return upgrade.process.pid


def partial_state(pid: int) -> str:
    """The partial-state sentence naming the killed revision (a regular expression)."""
    return (
        rf"revision {KILLED} was started \(upgrade, by pid {pid} on "
        rf"{re.escape(socket.gethostname())}, at \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC\) and "
        "never stamped"
    )


def assert_line(result: Result, pattern: str) -> None:
    assert any(re.fullmatch(pattern, line) for line in result.lines), result.describe()
    assert "Traceback" not in result.output


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_killed_revision_leaves_nothing_and_no_lock(project: Project) -> None:
    url = project.database.url
    kill_during(project, KILLED)

    assert versions_of(url) == [BEFORE]
    assert table_names(url) == {"counter"} | BOOKKEEPING
    with connect(url) as conn:
        columns = [c["name"] for c in sa.inspect(conn).get_columns("counter")]
    assert columns == ["id", "note"]
    assert counted(url) == COUNTED[:2]
    status = project.run("db", "status")
    assert status.returncode == 0, status.describe()
    assert f"current:   {BEFORE}" in status.lines

    # no lock is left: an upgrade that may not wait at all acquires it and reaches head
    rerun = project.run("--lock-timeout", "0", "db", "upgrade", "head")
    assert rerun.returncode == 0, rerun.describe()
    assert versions_of(url) == [HEAD]
    assert counted(url) == COUNTED


@pytest.mark.parametrize("database", ["mariadb"], indirect=True)
def test_killed_revision_on_mariadb_is_a_partial_state_until_repaired(project: Project) -> None:
    url = project.database.url
    pid = kill_during(project, KILLED)

    # DDL cannot roll back: the table is there, the row (after the DDL) is not, nor the stamp
    assert versions_of(url) == [BEFORE]
    assert "extra" in table_names(url)
    assert counted(url) == COUNTED[:2]
    sentence = partial_state(pid)
    refusal = (
        f"error: the database is in a partial state: {sentence}; MySQL and MariaDB cannot roll "
        "DDL back, so part of it may be applied. Inspect the schema, finish or undo that "
        "revision by hand, then clear the marker: 'mindmirror db repair --yes' \\(with "
        "'--stamp REVISION' to record the revision the schema now matches\\)"
    )
    for command in (["db", "status"], ["db", "upgrade", "head"]):
        refused = project.run(*command)
        assert refused.returncode == 6, refused.describe()
        assert_line(refused, refusal)
    health = project.run("db", "health")
    assert health.returncode == 6, health.describe()
    assert_line(health, f"  FAIL no partial migration: {sentence}")
    stock = project.run("current", tool="alembic")
    assert stock.returncode == 255, stock.describe()
    assert_line(stock, "FAILED: " + refusal.removeprefix("error: "))
    assert versions_of(url) == [BEFORE]

    # the operator undoes the half-applied revision by hand, then clears the marker
    with connect(url) as conn:
        conn.execute(sa.text("DROP TABLE extra"))
        conn.execute(sa.text("ALTER TABLE counter DROP COLUMN label"))
    repaired = project.run("db", "repair", "--yes")
    assert repaired.returncode == 0, repaired.describe()
    assert_line(repaired, f"warning: the database is in a partial state: {sentence}")
    assert_line(repaired, f"marker of revision {KILLED} cleared")

    rerun = project.run("db", "upgrade", "head")
    assert rerun.returncode == 0, rerun.describe()
    assert versions_of(url) == [HEAD]
    assert counted(url) == COUNTED
    assert "alembic_version_in_progress" not in table_names(url)


@pytest.mark.slow
def test_up_down_up_of_every_revision_leaves_no_difference(project: Project) -> None:
    url = project.database.url
    previous: dict[str, object] | None = None
    for index, revision in enumerate(REVISIONS):
        step(project, "upgrade", "+1")
        applied = schema_of(url)
        assert counted(url) == COUNTED[: index + 1]

        step(project, "downgrade", "-1", "--yes")
        if previous is None:
            assert set(schema_of(url)) <= BOOKKEEPING
        else:
            assert schema_of(url) == previous, f"down from {revision} differs"
        assert counted(url) == COUNTED[:index]

        step(project, "upgrade", "+1")
        assert schema_of(url) == applied, f"up to {revision} again differs"
        assert versions_of(url) == [revision]
        assert counted(url) == COUNTED[: index + 1]
        previous = applied


def step(project: Project, *args: str) -> None:
    result = project.run("db", *args)
    assert result.returncode == 0, result.describe()
