"""Every failure class exits with its code from DESIGN.md §5, an exact message, no traceback."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.cli.conftest import MakeCli
from tests.cli.support import MODE_PARAMS, MODES, execute, expect, revision_file
from tests.support.databases import (
    BACKENDS,
    MARIADB_ADMIN_URL,
    TestDatabase,
    require_server,
)
from tests.support.services import CLEAN, SEED_004

BROKEN = "users,broken"
BROKEN_MESSAGE = (
    "error: refusing to {action}: the merged metadata is incomplete or contradictory.\n"
    "  service broken (alembic-config-fixtures 1.0.0, acfix.broken:Base) failed: "
    "ImportError: cannot import name 'Base' from 'acfix.missing_module'\n"
    "Fix the failing service, or exclude it explicitly: ALEMBIC_CONFIG_EXCLUDE=broken "
    "(the CLI: --exclude broken); an excluded service's tables are left alone, "
    "never dropped."
)
CONFLICT_MESSAGE = """\
error: refusing to {action}: the merged metadata is incomplete or contradictory.
  table conflict: conversations is defined differently by chat_api, chat_database
    column created_at: chat_api=DateTime() NULL, chat_database=missing
    column persona_id: chat_api=Integer() NULL, chat_database=missing
    column personality_id: chat_api=missing, chat_database=Integer() NOT NULL REFERENCES \
personalities.id
    column started_at: chat_api=missing, chat_database=DateTime() NULL
    column title: chat_api=String(length=200) NULL, chat_database=missing
    column updated_at: chat_api=DateTime() NULL, chat_database=missing
    default conversation_data: chat_api=missing, chat_database=builtins.dict()
    foreign key personality_id: chat_api=missing, chat_database=-> personalities.id
    index ix_conversations_id: chat_api=(id), chat_database=missing
  table conflict: messages is defined differently by chat_api, chat_database
    column file_attachments: chat_api=JSON() NULL, chat_database=missing
    column role: chat_api=String(length=20) NULL, chat_database=missing
    nullable content: chat_api=NULL, chat_database=NOT NULL
    nullable conversation_id: chat_api=NULL, chat_database=NOT NULL
    index ix_messages_id: chat_api=(id), chat_database=missing
Resolve each conflict in the services' models: one table, one definition."""
BAD_ID = (
    "error: invalid revision id {!r}: use 1 to 32 letters, digits or underscores, "
    "starting with a letter or digit"
)
PG_REFUSED = (
    "error: cannot connect to postgresql+psycopg://u:***@127.0.0.1:1/db: connection failed: "
    'connection to server at "127.0.0.1", port 1 failed: Connection refused Is the server '
    "running on that host and accepting TCP/IP connections?"
)
MYSQL_REFUSED = (
    "error: cannot connect to mysql+pymysql://u:***@127.0.0.1:1/db: (2003, \"Can't connect to "
    "MySQL server on '127.0.0.1' ([Errno 111] Connection refused)\")"
)
MALFORMED = (
    "error: malformed database URL postgresql://u:***@h:notaport/db: it could not be parsed; "
    "expected dialect[+driver]://user:password@host:port/database, with special characters in "
    "the password URL-encoded (e.g. %40 for @)"
)


# -- arrangements: what the project and its database hold before the command runs ------------
@dataclass(frozen=True)
class Arranged:
    """The test's project folder and (SQLite) database."""

    project: Path
    url: str


def one_revision(at: Arranged) -> None:
    revision_file(at.project, "r1", None, "first")


def at_head_without_tables(at: Arranged) -> None:
    one_revision(at)
    stamp(at, "r1")


def two_heads(at: Arranged) -> None:
    one_revision(at)
    revision_file(at.project, "h1", "r1", "one way")
    revision_file(at.project, "h2", "r1", "the other way")


def stamped_unknown(at: Arranged) -> None:
    one_revision(at)
    stamp(at, "deadbeef")


FAILING_UPGRADE = """\
def upgrade() -> None:
    from alembic import op

    op.execute("SELECT x FROM no_such_table")
"""


def failing_revision(at: Arranged) -> None:
    path = revision_file(at.project, "r1", None, "fails")
    path.write_text(path.read_text().replace("def upgrade() -> None:\n    pass\n", FAILING_UPGRADE))


def ini_without_script_location(at: Arranged) -> None:
    (at.project / "alembic.ini").write_text("[alembic]\npath_separator = os\n")


def stamp(at: Arranged, revision: str) -> None:
    execute(
        at.url,
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
        f"INSERT INTO alembic_version (version_num) VALUES ('{revision}')",
    )


def installed() -> str:
    """Every service installed here (the fixture services and the repository's own)."""
    group = entry_points(group="alembic_config.metadata")
    return ", ".join(sorted({entry_point.name for entry_point in group}))


@dataclass(frozen=True)
class Failing:
    """A command that must fail: its arrangement, arguments, exit code and whole message."""

    id: str
    args: tuple[str, ...]
    code: int
    message: str
    services: str = CLEAN
    arrange: Callable[[Arranged], None] | None = None


MISSING = (
    "error: the database is at revision deadbeef, which no revision script defines "
    "(looked in {project}/versions): restore the missing revision file, or add its folder to "
    "version_locations"
)
NOT_UP_TO_DATE = (
    "error: the database is not at head: run 'mindmirror db upgrade' first; autogenerate and "
    "check compare the models with a database at head"
)
CASES = [
    # 1: a check failed
    Failing("drift", ("db", "check"), 1, "error: drift detected: 5 difference(s)",
            arrange=at_head_without_tables),
    Failing("not-at-head", ("db", "status", "--check"), 1,
            "error: database is not at head: at base, 1 pending revision(s)", arrange=one_revision),
    Failing("check-not-at-head", ("db", "check"), 1, NOT_UP_TO_DATE, arrange=one_revision),
    Failing("autogenerate-not-at-head", ("db", "revision", "--autogenerate", "-m", "x"), 1,
            NOT_UP_TO_DATE, arrange=one_revision),
    # 2: usage
    Failing("rev-id-quote", ("db", "revision", "-m", "x", "--rev-id", "a'b"), 2,
            BAD_ID.format("a'b")),
    Failing("rev-id-slash", ("db", "revision", "-m", "x", "--rev-id", "a/b"), 2,
            BAD_ID.format("a/b")),
    Failing("rev-id-33", ("db", "revision", "-m", "x", "--rev-id", "a" * 33), 2,
            BAD_ID.format("a" * 33)),
    Failing("empty-message", ("db", "revision", "-m", ""), 2,
            "error: the revision message is empty: say what the revision does with -m"),
    Failing("malformed-url",
            ("--database-url", "postgresql://u:secret@h:notaport/db", "db", "status"), 2,
            MALFORMED),
    Failing("downgrade-no-terminal", ("db", "downgrade", "base"), 2,
            "error: refusing to downgrade to base without confirmation: pass --yes "
            "(no terminal to ask)", arrange=one_revision),
    Failing("stamp-no-terminal", ("db", "stamp", "head"), 2,
            "error: refusing to stamp head without confirmation: pass --yes (no terminal to ask)",
            arrange=one_revision),
    Failing("downgrade-sql-no-range", ("db", "downgrade", "base", "--sql"), 2,
            "error: downgrade --sql reads no database, so it needs FROM:TO as its target "
            "(e.g. head:base)", arrange=one_revision),
    Failing("unknown-service", ("db", "revision", "--autogenerate", "--service", "nosuch",
                                "-m", "x"), 2,
            "error: unknown service(s): nosuch; installed services: {installed}"),
    Failing("check-unknown-service", ("db", "check", "--service", "nosuch"), 2,
            "error: unknown service(s): nosuch; installed services: {installed}"),
    Failing("check-service-not-selected", ("db", "check", "--service", "factory"), 2,
            "error: service factory is installed but not selected (ALEMBIC_CONFIG_SERVICES, "
            "ALEMBIC_CONFIG_EXCLUDE or --exclude leave it out); selected: orders, users",
            services="users,orders"),
    Failing("unknown-env", ("--env", "nosuch", "db", "status"), 2,
            "error: no .env.nosuch found in {project} or any folder above it"),
    # 3: configuration and discovery
    Failing("broken-check", ("db", "check"), 3, BROKEN_MESSAGE.format(action="check for drift"),
            services=BROKEN),
    Failing("broken-autogenerate", ("db", "revision", "--autogenerate", "-m", "x"), 3,
            BROKEN_MESSAGE.format(action="autogenerate a revision"), services=BROKEN),
    Failing("conflicts-check", ("db", "check"), 3,
            CONFLICT_MESSAGE.format(action="check for drift"), services=SEED_004),
    Failing("conflicts-autogenerate", ("db", "revision", "--autogenerate", "-m", "x"), 3,
            CONFLICT_MESSAGE.format(action="autogenerate a revision"), services=SEED_004),
    Failing("conflicts-models", ("models", "conflicts"), 3,
            "error: 2 conflict(s) between services", services=SEED_004),
    Failing("dangling-foreign-key", ("db", "check"), 3,
            "error: refusing to check for drift: the merged metadata is incomplete or "
            "contradictory.\n"
            "  unresolved foreign key: orders.user_id of orders refers to a table no selected "
            "service defines\n"
            "    foreign key user_id: orders=-> users.id\n"
            "Select the services that define the referenced tables too "
            "(ALEMBIC_CONFIG_SERVICES, ALEMBIC_CONFIG_EXCLUDE).",
            services="orders"),
    Failing("ini-without-script-location", ("db", "status"), 3,
            "error: No 'script_location' key found in configuration.",
            arrange=ini_without_script_location),
    # 4: unreachable
    Failing("postgresql-refused",
            ("--database-url", "postgresql://u:secret@127.0.0.1:1/db", "db", "status"), 4,
            PG_REFUSED),
    Failing("mysql-refused",
            ("--database-url", "mysql://u:secret@127.0.0.1:1/db", "db", "upgrade"), 4,
            MYSQL_REFUSED),
    # 7: revision graph
    Failing("unknown-target", ("db", "upgrade", "nosuch"), 7,
            "error: No such revision or branch 'nosuch'", arrange=one_revision),
    Failing("two-heads-upgrade", ("db", "upgrade", "head"), 7,
            "error: Multiple heads are present for given argument 'head'; h1, h2: merge them "
            "with 'mindmirror db merge', then run the command again", arrange=two_heads),
    Failing("two-heads-status-check", ("db", "status", "--check"), 7,
            "error: 2 heads (h1, h2): the database cannot be at head until they are merged "
            "(mindmirror db merge)", arrange=two_heads),
    Failing("unknown-current-status", ("db", "status"), 7, MISSING, arrange=stamped_unknown),
    Failing("unknown-current-upgrade", ("db", "upgrade"), 7, MISSING, arrange=stamped_unknown),
    # 8: a migration failed
    Failing("migration-failed", ("db", "upgrade"), 8,
            "error: migration failed: OperationalError: no such table: no_such_table\n"
            "  while running: SELECT x FROM no_such_table", arrange=failing_revision),
]  # fmt: skip

MATRIX = [
    pytest.param(
        case,
        mode,
        id=f"{case.id}-{mode}",
        marks=[pytest.mark.slow] if mode == "subprocess" else [],
    )
    for case in CASES
    for mode in MODES
]


@pytest.mark.parametrize(("case", "mode"), MATRIX)
def test_failure_exit_code_and_message(
    case: Failing, mode: str, sqlite_database: TestDatabase, make_cli: MakeCli
) -> None:
    mm = make_cli(mode, sqlite_database.plain_url, services=case.services)
    if case.arrange is not None:
        case.arrange(Arranged(mm.project, sqlite_database.url))

    failed = expect(mm(*case.args), case.code)

    assert failed.error == case.message.format(project=mm.project, installed=installed())
    assert "Traceback" not in failed.stderr
    assert "secret" not in failed.stdout + failed.stderr


def test_every_exit_code_of_the_design_is_covered() -> None:
    # 5 (lock timeout) and 6 (partial state) belong to the migration-lock tests
    assert {case.code for case in CASES} == {1, 2, 3, 4, 7, 8}


# -- the same failures on the server databases ---------------------------------------------------
SERVER_CASES = [pytest.param(backend, id=backend) for backend in BACKENDS]


@pytest.mark.parametrize("backend_database", SERVER_CASES, indirect=True)
def test_graph_failures_on_each_backend(backend_database: TestDatabase, make_cli: MakeCli) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    at = Arranged(mm.project, backend_database.url)

    stamped_unknown(at)
    assert expect(mm("db", "status"), 7).error == MISSING.format(project=mm.project)
    assert expect(mm("db", "upgrade"), 7).error == MISSING.format(project=mm.project)
    execute(backend_database.url, "DELETE FROM alembic_version")

    assert expect(mm("db", "status", "--check"), 1).error == (
        "error: database is not at head: at base, 1 pending revision(s)"
    )
    assert expect(mm("db", "upgrade", "nosuch"), 7).error == (
        "error: No such revision or branch 'nosuch'"
    )
    expect(mm("db", "upgrade"))
    assert expect(mm("db", "check"), 1).error == "error: drift detected: 5 difference(s)"

    revision_file(mm.project, "h1", "r1", "one way")
    revision_file(mm.project, "h2", "r1", "the other way")
    assert expect(mm("db", "upgrade", "head"), 7).error == (
        "error: Multiple heads are present for given argument 'head'; h1, h2: merge them with "
        "'mindmirror db merge', then run the command again"
    )


# -- authentication ------------------------------------------------------------------------------
@pytest.fixture
def mariadb_user(mariadb_database: TestDatabase) -> Iterator[tuple[str, str]]:
    """A MariaDB user with a real password, allowed on the test's database."""
    require_server("mariadb")
    name = f"mm_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(MARIADB_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with admin.connect() as conn:
            for host in ("%%", "localhost"):  # '%%': the driver formats the statement
                conn.exec_driver_sql(f"CREATE USER '{name}'@'{host}' IDENTIFIED BY 'right-pass'")
                conn.exec_driver_sql(f"GRANT ALL ON {mariadb_database.name}.* TO '{name}'@'{host}'")
        yield name, mariadb_database.name
    finally:
        with admin.connect() as conn:
            for host in ("%%", "localhost"):  # '%%': the driver formats the statement
                conn.exec_driver_sql(f"DROP USER IF EXISTS '{name}'@'{host}'")
        admin.dispose()


@pytest.mark.parametrize("mode", MODE_PARAMS)
def test_wrong_password_exits_4(
    mode: str, mariadb_user: tuple[str, str], make_cli: MakeCli
) -> None:
    user, database = mariadb_user
    good = f"mysql://{user}:right-pass@127.0.0.1:3306/{database}"
    mm = make_cli(mode, good)
    assert expect(mm("db", "status", "--json")).json()["current"] == []

    wrong = f"mysql://{user}:wrong%40pass@127.0.0.1:3306/{database}"
    for command in (("db", "status"), ("db", "upgrade"), ("db", "check")):
        refused = expect(mm("--database-url", wrong, *command), 4)
        assert refused.error == (
            f"error: cannot connect to mysql+pymysql://{user}:***@127.0.0.1:3306/{database}: "
            f"(1045, \"Access denied for user '{user}'@'127.0.0.1' (using password: YES)\")"
        )
        assert "wrong" not in refused.stdout + refused.stderr


# -- the way on: excluding the broken service ----------------------------------------------------
@pytest.mark.parametrize("mode", MODE_PARAMS)
def test_exclude_broken_lets_autogenerate_and_check_run(
    mode: str, sqlite_database: TestDatabase, make_cli: MakeCli
) -> None:
    mm = make_cli(mode, sqlite_database.plain_url, services=BROKEN)
    expect(mm("db", "check"), 3)

    made = expect(mm("--exclude", "broken", "db", "revision", "--autogenerate", "-m", "users"))
    assert made.out_lines[0].startswith("wrote ")
    expect(mm("--exclude", "broken", "db", "upgrade"))
    clean = expect(mm("--exclude", "broken", "db", "check"))
    assert clean.err_lines == ["no drift: the database matches the models"]
    expect(mm("db", "check", env={"ALEMBIC_CONFIG_EXCLUDE": "broken"}))
