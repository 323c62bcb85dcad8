"""A. Concurrent upgrades are serialised by the migration lock; a waiter gives up in time.

Each test runs the real ``mindmirror`` as subprocesses against its own database,
on SQLite, PostgreSQL and MariaDB in turn.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from alembic_config._locking import (
    _lock_name,
    _pg_keys,
    holder_description,
    sqlite_lock_path,
)

from tests.safety.harness import (
    COUNTED,
    HEAD,
    REVISIONS,
    Project,
    connect,
    counted,
    table_names,
    versions_of,
)

CONCURRENCY = int(os.environ.get("SAFETY_CONCURRENCY", "8"))
STRESS_CONCURRENCY = int(os.environ.get("SAFETY_STRESS_CONCURRENCY", "32"))
LOCK_TIMEOUT = 2
STATUS_SECONDS = 2.0


def concurrent_upgrades(project: Project, count: int) -> None:
    """``count`` upgrades at once: all succeed, one applies everything, each revision once."""
    started = [project.spawn("db", "upgrade", "head") for _ in range(count)]
    results = [spawned.finish(timeout=180) for spawned in started]

    for result in results:
        assert result.returncode == 0, result.describe()
        assert "Traceback" not in result.output
    url = project.database.url
    assert versions_of(url) == [HEAD]
    # one row per revision application: each ran exactly once, the data-only one too
    assert counted(url) == COUNTED
    summaries = sorted(result.stderr.splitlines()[-1] for result in results)
    upgraded = [line for line in summaries if line.startswith("upgraded ")]
    assert len(upgraded) == 1, summaries
    assert re.fullmatch(rf"upgraded 3 revision\(s\) in [\d.]+ s; now at {HEAD}", upgraded[0])
    assert summaries.count("already at head; nothing to do") == count - 1


def test_concurrent_upgrades_apply_each_revision_once(project: Project) -> None:
    concurrent_upgrades(project, CONCURRENCY)


@pytest.mark.stress
@pytest.mark.slow
def test_many_concurrent_upgrades_apply_each_revision_once(project: Project) -> None:
    concurrent_upgrades(project, STRESS_CONCURRENCY)


# -- a waiter against a lock held from the test, the way the product holds it ----------------
@dataclass(frozen=True)
class HeldLock:
    """Who holds the lock, as the waiter must name it (a regular expression)."""

    holder: str
    where: str


@contextmanager
def hold_migration_lock(url: str, backend: str) -> Iterator[HeldLock]:
    """Take the product's migration lock from this process, with the product's names and keys."""
    with connect(url) as conn:
        database = conn.engine.url.database
        if backend == "postgresql":
            key1, key2 = _pg_keys(_lock_name(conn, "alembic_version"))
            keys = {"k1": key1, "k2": key2}
            conn.execute(sa.text("SELECT pg_advisory_lock(:k1, :k2)"), keys)
            pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
            conn.commit()
            yield HeldLock(
                re.escape(f"PostgreSQL backend pid {pid} from 127.0.0.1"), f"database {database}"
            )
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k1, :k2)"), keys)
        elif backend == "mariadb":
            name = {"name": _lock_name(conn, "alembic_version")}
            assert conn.execute(sa.text("SELECT GET_LOCK(:name, 0)"), name).scalar() == 1
            connection_id = conn.execute(sa.text("SELECT CONNECTION_ID()")).scalar()
            conn.commit()
            yield HeldLock(
                rf"connection {connection_id} \(root@127\.0\.0\.1:\d+, for \d+ s\)",
                f"database {database}",
            )
            conn.execute(sa.text("SELECT RELEASE_LOCK(:name)"), name)
        else:
            path = sqlite_lock_path(conn)
            assert path is not None
            with path.open("a+") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                handle.write(holder_description())
                handle.flush()
                yield HeldLock(re.escape(holder_description()), str(database))
                handle.truncate(0)
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def test_waiter_gives_up_after_its_timeout_naming_the_holder(project: Project) -> None:
    url = project.database.url
    with hold_migration_lock(url, project.database.backend) as held:
        result = project.run_watched("--lock-timeout", str(LOCK_TIMEOUT), "db", "upgrade", "head")
        # read-only commands take no lock: status answers while the lock is held
        status = project.run("db", "status", timeout=10)

    assert result.returncode == 5, result.describe()
    waiting = (
        r"WARNING \[alembic_config\._locking\] waiting up to 2 s for the migration lock on "
        rf"{re.escape(held.where)}, held by {held.holder}"
    )
    error = (
        rf"error: migration lock on {re.escape(held.where)} not acquired within 2 s: held by "
        rf"{held.holder}; nothing was changed\. Wait for that migration to finish, or raise the "
        r"timeout \(--lock-timeout, or ALEMBIC_CONFIG_LOCK_TIMEOUT\)"
    )
    lines = result.lines
    assert any(re.fullmatch(waiting, line) for line in lines), result.describe()
    assert re.fullmatch(error, lines[-1]), result.describe()
    # the wait itself, from the moment the waiter said it waits until it exited
    said_waiting = next(at for at, line in result.stamps if line.startswith("WARNING"))
    waited = result.seconds - said_waiting
    assert LOCK_TIMEOUT - 0.1 <= waited <= LOCK_TIMEOUT + 1, (waited, result.seconds)
    assert "Traceback" not in result.output
    # nothing changed, not even a version table; the read-only status created nothing either
    assert status.returncode == 0, status.describe()
    assert table_names(url) == set()


def test_status_answers_during_a_long_upgrade(project: Project) -> None:
    idle = project.run("db", "status", timeout=10)
    # the data-only revision sleeps 5 s on the server (in Python on SQLite), holding the lock
    upgrade = project.spawn("db", "upgrade", "head", env=project.pause(REVISIONS[1], "server", 5))
    project.wait_for_pause(upgrade)

    status = project.run("db", "status", timeout=10)

    assert upgrade.process.poll() is None, "the upgrade ended before status answered"
    assert status.returncode == 0, status.describe()
    # within 2 s; on a machine so loaded that an idle status is slower, within 1.5 times that
    assert status.seconds < max(STATUS_SECONDS, 1.5 * idle.seconds), (status.seconds, idle.seconds)
    assert f"current:   {REVISIONS[0]}" in status.lines
    finished = upgrade.finish()
    assert finished.returncode == 0, finished.describe()
    assert versions_of(project.database.url) == [HEAD]
