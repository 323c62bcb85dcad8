"""The whole ``db`` workflow end to end, on SQLite, PostgreSQL and MariaDB, in-process and as a
subprocess of the installed console script."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.cli.conftest import MakeCli
from tests.cli.support import (
    MODES,
    SECONDS,
    Mindmirror,
    execute,
    expect,
    masked,
    matches,
    revisions,
)
from tests.support.databases import BACKENDS, BOOKKEEPING, TestDatabase, table_names

CLEAN_TABLES = {"users", "orders", "invoices"}
# the code autogenerate writes for the index dropped by hand: plain, or in batch mode (SQLite)
CREATE_INDEX = {
    False: ["op.create_index(op.f('ix_users_name'), 'users', ['name'], unique=False)"],
    True: [
        "with op.batch_alter_table('users', schema=None) as batch_op:",
        "    batch_op.create_index(batch_op.f('ix_users_name'), ['name'], unique=False)",
        "",
    ],
}

# the subprocess runs on the server databases are the slow part of the battery
MATRIX = [
    pytest.param(
        backend,
        mode,
        id=f"{backend}-{mode}",
        marks=[pytest.mark.slow] if mode == "subprocess" and backend != "sqlite" else [],
    )
    for backend in BACKENDS
    for mode in MODES
]


@pytest.mark.parametrize(("backend_database", "mode"), MATRIX, indirect=["backend_database"])
def test_workflow(backend_database: TestDatabase, mode: str, make_cli: MakeCli) -> None:
    db = backend_database
    mm = make_cli(mode, db.plain_url)
    shown = masked(db.plain_url)

    first = _create_revisions(mm)
    _offline_sql(mm, db)
    _upgrade(mm, shown)
    assert table_names(db.url) == CLEAN_TABLES | BOOKKEEPING
    _drift_and_service_revision(mm, db, first)
    _status_and_history(mm, shown)
    _reports(mm, shown)
    _downgrade_and_stamp(mm, db)


def _create_revisions(mm: Mindmirror) -> Path:
    made = expect(
        mm("db", "revision", "--autogenerate", "-m", "create tables", "--rev-id", "r0001")
    )
    path = mm.project / "versions" / "r0001_create_tables.py"
    assert made.out_lines == [f"wrote {path}"]
    source = path.read_text()
    for table in CLEAN_TABLES:
        assert f"op.create_table('{table}'" in source
    # of alembic-config's markers only the owners are rendered: applying records them
    assert "info={'alembic_config.owners': ['users', 'users_copy']}" in source
    assert "alembic_config.service" not in source

    empty = expect(mm("db", "revision", "-m", "empty step", "--rev-id", "r0002", "--json"))
    written = mm.project / "versions" / "r0002_empty_step.py"
    assert empty.json() == {"written": True, "revision": "r0002", "path": str(written)}
    tree = ast.parse(written.read_text())
    bodies = {f.name: f.body for f in tree.body if isinstance(f, ast.FunctionDef)}
    assert [type(s) for s in bodies["upgrade"]] == [ast.Expr, ast.Pass]  # docstring, pass

    free = expect(mm("db", "revision", "-m", "free id"))
    (extra,) = set(revisions(mm.project)) - {path, written}
    assert free.out_lines == [f"wrote {extra}"]
    assert re.fullmatch(r"[0-9a-f]{12}_free_id\.py", extra.name)
    extra.unlink()
    return path


def _offline_sql(mm: Mindmirror, db: TestDatabase) -> None:
    sql = expect(mm("db", "upgrade", "--sql"))
    assert re.search(r"CREATE TABLE `?users`?", sql.stdout)
    assert "INSERT INTO alembic_version (version_num) VALUES ('r0001')" in sql.stdout
    assert "UPDATE alembic_version SET version_num='r0002'" in sql.stdout
    # nothing ran (autogenerate creates the version table where DDL commits at once: MariaDB)
    assert table_names(db.url) <= BOOKKEEPING


def _upgrade(mm: Mindmirror, shown: str) -> None:
    behind = expect(mm("db", "status", "--check"), 1)
    assert behind.error == "error: database is not at head: at base, 2 pending revision(s)"

    up = expect(mm("db", "upgrade"))
    assert up.stdout == ""
    assert matches(
        [
            re.escape(f"upgrading {shown} to head"),
            rf"  applied r0001 \(create tables\) in {SECONDS}",
            rf"  applied r0002 \(empty step\) in {SECONDS}",
            rf"upgraded 2 revision\(s\) in {SECONDS}; now at r0002",
        ],
        up.err_lines,
    ), str(up)

    again = expect(mm("db", "upgrade"))
    assert again.err_lines == [f"upgrading {shown} to head", "already at head; nothing to do"]

    nothing = expect(mm("db", "revision", "--autogenerate", "-m", "nothing new"))
    assert nothing.stdout == ""
    assert "No changes in schema detected; nothing written." in nothing.err_lines
    assert len(revisions(mm.project)) == 2


def _drift_and_service_revision(mm: Mindmirror, db: TestDatabase, first: Path) -> None:
    clean = expect(mm("db", "check"))
    assert clean.err_lines == ["no drift: the database matches the models"]

    on_table = " ON users" if db.backend == "mariadb" else ""
    execute(db.url, f"DROP INDEX ix_users_name{on_table}")
    drift = expect(mm("db", "check"), 1)
    assert drift.out_lines == [
        "# the database differs from the models; autogenerate would write:",
        "# ### commands auto generated by Alembic - please adjust! ###",
        *CREATE_INDEX[db.backend == "sqlite"],
        "# ### end Alembic commands ###",
    ]
    assert drift.error == "error: drift detected: 1 difference(s)"

    other = expect(mm("db", "revision", "--autogenerate", "--service", "factory", "-m", "f"))
    assert "No changes in schema detected; nothing written." in other.err_lines
    restore = expect(
        mm(
            "db", "revision", "--autogenerate", "--service", "users",
            "-m", "restore index", "--rev-id", "r0003",
        )
    )  # fmt: skip
    path = mm.project / "versions" / "r0003_restore_index.py"
    assert restore.out_lines == [f"wrote {path}"]
    source = path.read_text()
    written = CREATE_INDEX[db.backend == "sqlite"]
    if db.backend == "postgresql":  # an index on an existing table is built CONCURRENTLY
        written = [
            "with op.get_context().autocommit_block():",
            "    op.create_index(op.f('ix_users_name'), 'users', ['name'], unique=False, "
            "postgresql_concurrently=True)",
        ]
    assert all(line.strip() in source for line in written)

    up = expect(mm("db", "upgrade"))
    assert matches(
        [
            r"upgrading .* to head",
            rf"  applied r0003 \(restore index\) in {SECONDS}",
            rf"upgraded 1 revision\(s\) in {SECONDS}; now at r0003",
        ],
        up.err_lines,
    ), str(up)
    expect(mm("db", "check"))
    assert first.exists()


def _status_and_history(mm: Mindmirror, shown: str) -> None:
    status = expect(mm("db", "status", "--check"))
    assert status.out_lines[:5] == [
        f"database:  {shown}",
        "current:   r0003",
        "heads:     r0003",
        "at head:   yes",
        "services:",
    ]
    # the names padded to one column, nothing after the last
    assert "  users       (alembic-config-fixtures 1.0.0)" in status.out_lines
    assert not [line for line in status.stdout.splitlines() if line != line.rstrip()]

    by_service = expect(mm("db", "status", "--by-service"))
    assert by_service.out_lines[4:] == [
        "services:",
        "  factory     (alembic-config-fixtures 1.0.0)  1 table: invoices",
        "  orders      (alembic-config-fixtures 1.0.0)  1 table: orders",
        "  users       (alembic-config-fixtures 1.0.0)  1 table: users",
        "  users_copy  (alembic-config-fixtures 1.0.0)  1 table: users",
    ]

    history = expect(mm("db", "history"))
    assert history.out_lines == [
        "r0002 -> r0003 (head, current): restore index",
        "r0001 -> r0002: empty step",
        "<base> -> r0001: create tables",
    ]
    mermaid = expect(mm("db", "history", "--graph", "mermaid"))
    assert mermaid.out_lines[0] == "flowchart TD"
    for line in ("    r_r0001 --> r_r0002", "    r_r0002 --> r_r0003", "    class r_r0003 head"):
        assert line in mermaid.out_lines
    assert "    class r_r0003 current" in mermaid.out_lines
    dot = expect(mm("db", "history", "--graph", "dot"))
    assert dot.out_lines[0] == "digraph revisions {"
    assert '    "r0002" -> "r0003";' in dot.out_lines
    assert dot.out_lines[-1] == "}"


def _reports(mm: Mindmirror, shown: str) -> None:
    health = expect(mm("db", "health"))
    assert health.out_lines[0] == f"database: {shown}"
    names = [re.sub(r":.*", "", line) for line in health.out_lines[1:]]
    assert names == [
        "  ok   database reachable",
        "  ok   version table present",
        "  ok   no partial migration",
        "  ok   applied revisions unchanged",
        "  ok   single head",
        "  ok   at head",
        "  ok   every service loaded",
        "  ok   no conflicts",
    ]
    report = expect(mm("db", "health", "--json")).json()
    assert report["healthy"] is True
    assert report["exit_code"] == 0

    doctor = expect(mm("doctor", "--json")).json()
    assert doctor["database_url"] == shown
    assert doctor["database_url_source"] == "DATABASE_URL"
    assert doctor["ini_file"] == str(mm.project / "alembic.ini")
    assert doctor["version_locations"] == [str(mm.project / "versions")]


def _downgrade_and_stamp(mm: Mindmirror, db: TestDatabase) -> None:
    refused = expect(mm("db", "downgrade", "r0001"), 2)
    assert refused.error == (
        "error: refusing to downgrade to r0001 without confirmation: "
        "pass --yes (no terminal to ask)"
    )
    down = expect(mm("db", "downgrade", "r0001", "--yes"))
    assert matches(
        [
            re.escape(f"downgrading {masked(db.plain_url)} to r0001"),
            rf"  reverted r0003 \(restore index\) in {SECONDS}",
            rf"  reverted r0002 \(empty step\) in {SECONDS}",
            rf"reverted 2 revision\(s\) in {SECONDS}; now at r0001",
        ],
        down.err_lines,
    ), str(down)
    assert table_names(db.url) == CLEAN_TABLES | BOOKKEEPING

    stamped = expect(mm("db", "stamp", "r0002", "--yes"))
    assert stamped.err_lines == ["stamped r0002"]
    assert expect(mm("db", "status", "--json")).json()["current"] == ["r0002"]

    expect(mm("db", "downgrade", "base", "--yes"))
    assert table_names(db.url) <= BOOKKEEPING
    assert expect(mm("db", "status", "--json")).json()["current"] == []
