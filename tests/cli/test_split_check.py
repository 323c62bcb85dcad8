"""``db check`` split over two processes gives exactly what one process gives.

The split is forced here (``SPLIT_FROM_TABLES = 1``); by name, ``orders`` falls
in the first share and ``users`` and ``invoices`` in the second, which the
forked process compares. Every test runs on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from alembic_config._scope import in_share
from mindmirror_cli.actions import drift, two_processes

from tests.cli.conftest import MakeCli
from tests.cli.support import Mindmirror, execute, expect
from tests.support.databases import BACKENDS, TestDatabase

ON_EVERY_BACKEND = pytest.mark.parametrize("backend_database", BACKENDS, indirect=True)

FIRST, SECOND = "orders", "users"


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Split every check, and count the forks."""
    made: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        made.append(1)
        return real_fork()

    monkeypatch.setattr(two_processes.os, "fork", fork)
    monkeypatch.setattr(drift, "SPLIT_FROM_TABLES", 1)
    return made


def _at_head(mm: Mindmirror) -> None:
    expect(mm("db", "revision", "--autogenerate", "-m", "tables", "--rev-id", "r1"))
    expect(mm("db", "upgrade"))


def _in_one_process(
    mm: Mindmirror, monkeypatch: pytest.MonkeyPatch, code: int, *options: str
) -> Any:
    """``db check --json`` with the split turned off (``options`` come before ``db``)."""
    with monkeypatch.context() as patch:
        patch.setattr(drift, "SPLIT_FROM_TABLES", 10**9)
        return expect(mm(*options, "db", "check", "--json"), code).json()


def test_the_shares_are_the_ones_the_tests_assume() -> None:
    assert in_share(FIRST, (0, 2))
    assert not in_share(FIRST, (1, 2))
    assert in_share(SECOND, (1, 2))
    assert in_share("invoices", (1, 2))
    names = [f"t{n}" for n in range(200)]
    for count in (1, 2, 3):
        owners = [[i for i in range(count) if in_share(name, (i, count))] for name in names]
        assert all(len(found) == 1 for found in owners)


@ON_EVERY_BACKEND
def test_a_clean_database_with_an_orphan_and_a_table_left_alone(
    backend_database: TestDatabase,
    make_cli: MakeCli,
    forks: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    _at_head(mm)
    execute(backend_database.url, "CREATE TABLE handmade (id INTEGER PRIMARY KEY)")
    forks.clear()
    split = expect(mm("--exclude", "factory", "db", "check", "--json")).json()
    assert forks == [1]
    whole = _in_one_process(mm, monkeypatch, 0, "--exclude", "factory")
    assert forks == [1]
    assert split == whole
    assert split["clean"] is True
    assert split["orphans"] == [{"table": "handmade", "last_owner": None}]
    assert split["left_alone"] == [{"table": "invoices", "services": ["factory"]}]


@ON_EVERY_BACKEND
@pytest.mark.parametrize("table", [FIRST, SECOND])
def test_a_drift_in_either_share_is_reported_as_one_process_reports_it(
    backend_database: TestDatabase,
    make_cli: MakeCli,
    forks: list[int],
    monkeypatch: pytest.MonkeyPatch,
    table: str,
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    _at_head(mm)
    execute(backend_database.url, f"ALTER TABLE {table} ADD COLUMN extra INTEGER")
    compare = drift._compare
    seen: list[tuple[Any, bool]] = []  # in this process: (share, clean)

    def recorded(app: Any, services: Any, share: Any) -> Any:
        result = compare(app, services, share)
        seen.append((share, result.clean))
        return result

    monkeypatch.setattr(drift, "_compare", recorded)
    forks.clear()
    split = expect(mm("db", "check", "--json"), 1).json()
    assert forks == [1]
    # this process's share sees the drift only where the table falls; then one process decides
    assert seen == [((0, 2), table != FIRST), (None, False)]
    assert split == _in_one_process(mm, monkeypatch, 1)
    assert split["clean"] is False
    assert any(table in diff and "extra" in diff for diff in split["diffs"]), split["diffs"]
    assert "drop_column" in split["upgrade_code"]
    assert "'extra'" in split["upgrade_code"]


@ON_EVERY_BACKEND
def test_a_failing_second_process_is_compared_again_in_one(
    backend_database: TestDatabase,
    make_cli: MakeCli,
    forks: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    _at_head(mm)
    compare = drift._compare
    shares: list[Any] = []

    def failing_second_share(app: Any, services: Any, share: Any) -> Any:
        if share == (1, 2):
            raise RuntimeError("the second process fails")
        shares.append(share)
        return compare(app, services, share)

    monkeypatch.setattr(drift, "_compare", failing_second_share)
    forks.clear()
    report = expect(mm("db", "check", "--json")).json()
    assert forks == [1]
    assert shares == [(0, 2), None]
    assert report["clean"] is True
