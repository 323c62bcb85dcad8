"""A sentinel password holding ``%``, ``@`` and ``/``: it works, and it is never shown.

Every command runs through the stock ``alembic`` command as a subprocess, with
logging at DEBUG for ``alembic_config`` and ``sqlalchemy`` written to a file;
the sentinel must then appear in no output, no log and no file of the project.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
import sqlalchemy as sa

from tests.support.databases import BOOKKEEPING, MARIADB_ADMIN_URL, TestDatabase, table_names
from tests.support.services import CLEAN, alembic, subprocess_env, write_ini

SENTINEL = "Sentinel%pw@/x9"
ENCODED = quote(SENTINEL, safe="")  # Sentinel%25pw%40%2Fx9
# "Sentinel" itself is in no user name, database name or message used here
FORBIDDEN = ("Sentinel", SENTINEL, ENCODED, quote_plus(SENTINEL))
CLEAN_TABLES = {"users", "orders", "invoices"}


def logging_sections(log: Path) -> str:
    """Logging sections sending DEBUG of ``alembic_config`` and ``sqlalchemy`` to ``log``."""
    loggers = {
        "sqlalchemy": ("DEBUG", "sqlalchemy"),
        "alembic": ("DEBUG", "alembic"),
        "alembic_config": ("DEBUG", "alembic_config"),
    }
    sections = [
        "[loggers]\nkeys = root," + ",".join(loggers),
        "[handlers]\nkeys = console,file",
        "[formatters]\nkeys = generic",
        "[logger_root]\nlevel = WARNING\nhandlers = console\nqualname =",
        *(
            f"[logger_{key}]\nlevel = {level}\nhandlers = file\nqualname = {name}\npropagate = 0"
            for key, (level, name) in loggers.items()
        ),
        "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nlevel = NOTSET\n"
        "formatter = generic",
        f"[handler_file]\nclass = FileHandler\nargs = ({str(log)!r}, 'a')\nlevel = NOTSET\n"
        "formatter = generic",
        "[formatter_generic]\nformat = %(levelname)-5.5s [%(name)s] %(message)s",
    ]
    return "\n" + "\n\n".join(sections) + "\n"


@dataclass
class Project:
    """A throw-away project: an ini with file logging, its revisions, and every output seen."""

    folder: Path
    env: dict[str, str]
    outputs: list[str] = field(default_factory=list)

    @property
    def ini(self) -> Path:
        return self.folder / "alembic.ini"

    @property
    def log(self) -> Path:
        return self.folder / "alembic.log"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = alembic(self.ini, *args, env=self.env)
        self.outputs += [result.stdout, result.stderr]
        return result

    def revisions(self) -> list[Path]:
        return sorted((self.folder / "versions").glob("*.py"))

    def assert_no_secret(self, *, in_ini: bool = False) -> None:
        """The sentinel in no output, and in no file of the project (ini, log, revisions).

        ``in_ini``: the ini file itself holds the URL, so only the other files are read.
        """
        for output in self.outputs:
            assert_no_secret(output)
        files = [path for path in self.folder.rglob("*") if path.is_file()]
        assert self.ini in files
        assert self.log in files
        for path in files:
            if in_ini and path == self.ini:
                continue
            data = path.read_bytes()
            for spelling in FORBIDDEN:
                assert spelling.encode() not in data, f"{spelling!r} in {path}"


def assert_no_secret(text: str) -> None:
    for spelling in FORBIDDEN:
        assert spelling not in text


def make_project(folder: Path, fixture_site: Path, database_url: str, extra: str = "") -> Project:
    folder.mkdir(parents=True, exist_ok=True)
    # ``extra`` goes into [alembic], before the logging sections
    write_ini(folder, extra=extra + logging_sections(folder / "alembic.log"))
    env = subprocess_env(fixture_site, DATABASE_URL=database_url, ALEMBIC_CONFIG_SERVICES=CLEAN)
    return Project(folder, env)


# -- MariaDB users -------------------------------------------------------------------------------


def _mariadb_admin() -> sa.Engine:
    return sa.create_engine(MARIADB_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)


@contextmanager
def mariadb_user(database: TestDatabase, password: str) -> Iterator[str]:
    """A MariaDB user identified by ``password`` with every right on ``database``, then dropped."""
    name = f"u_{uuid.uuid4().hex[:12]}"
    admin = _mariadb_admin()
    try:
        with admin.connect() as conn:
            # PyMySQL quotes both parameters as string literals; '%%' is the host wildcard
            conn.exec_driver_sql("CREATE USER %s@'%%' IDENTIFIED BY %s", (name, password))
            conn.exec_driver_sql(f"GRANT ALL PRIVILEGES ON `{database.name}`.* TO %s@'%%'", (name,))
        yield name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql("DROP USER IF EXISTS %s@'%%'", (name,))
        admin.dispose()


def server_url(database: TestDatabase, scheme: str, user: str) -> str:
    """``scheme://user:<sentinel, URL-encoded>@host:port/database`` for ``database``'s server."""
    parsed = sa.make_url(database.url)
    return f"{scheme}://{user}:{ENCODED}@{parsed.host}:{parsed.port}/{database.name}"


@pytest.fixture
def mariadb_sentinel_url(mariadb_database: TestDatabase) -> Iterator[str]:
    """A URL to a fresh MariaDB database as a user whose password is the sentinel."""
    with mariadb_user(mariadb_database, SENTINEL) as user:
        yield server_url(mariadb_database, "mysql", user)


@pytest.fixture
def mariadb_wrong_password_url(mariadb_database: TestDatabase) -> Iterator[str]:
    """A URL carrying the sentinel for a MariaDB user whose real password is another one."""
    with mariadb_user(mariadb_database, "the-right-password-42") as user:
        yield server_url(mariadb_database, "mysql", user)


# -- the sentinel works --------------------------------------------------------------------------


def run_the_whole_cycle(project: Project, admin_url: str) -> None:
    made = project.run("revision", "--autogenerate", "-m", "initial")
    assert made.returncode == 0, made.stdout + made.stderr
    (revision,) = project.revisions()
    revision_id = revision.name.split("_")[0]

    upgraded = project.run("upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert table_names(admin_url) >= CLEAN_TABLES | BOOKKEEPING

    checked = project.run("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No new upgrade operations detected." in checked.stdout

    current = project.run("current")
    assert current.returncode == 0, current.stdout + current.stderr
    assert f"{revision_id} (head)" in current.stdout

    offline = project.run("upgrade", "head", "--sql")
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert "CREATE TABLE users" in offline.stdout

    downgraded = project.run("downgrade", "base")
    assert downgraded.returncode == 0, downgraded.stdout + downgraded.stderr
    assert not table_names(admin_url) & CLEAN_TABLES


def assert_logged_masked(project: Project, masked_url: str) -> None:
    """The log was really written at DEBUG, and shows the URL masked."""
    log = project.log.read_text()
    assert f"[alembic_config._environment] database {masked_url} (from DATABASE_URL)" in log
    assert "DEBUG [sqlalchemy." in log
    assert "DEBUG [alembic_config." in log


def test_sentinel_password_works_end_to_end_on_mariadb(
    tmp_path: Path,
    fixture_site: Path,
    mariadb_database: TestDatabase,
    mariadb_sentinel_url: str,
) -> None:
    project = make_project(tmp_path / "project", fixture_site, mariadb_sentinel_url)

    run_the_whole_cycle(project, mariadb_database.url)

    user = sa.make_url(mariadb_sentinel_url).username
    masked = f"mysql+pymysql://{user}:***@127.0.0.1:3306/{mariadb_database.name}"
    assert_logged_masked(project, masked)
    project.assert_no_secret()


def test_sentinel_password_works_end_to_end_on_postgresql(
    tmp_path: Path, fixture_site: Path, postgresql_database: TestDatabase
) -> None:
    # the server trusts local connections, so any password is accepted: the URL must still
    # parse into the right user, host and database, and the password must stay unseen
    url = server_url(postgresql_database, "postgresql", "postgres")
    project = make_project(tmp_path / "project", fixture_site, url)

    run_the_whole_cycle(project, postgresql_database.url)

    masked = f"postgresql+psycopg://postgres:***@127.0.0.1:5432/{postgresql_database.name}"
    assert_logged_masked(project, masked)
    project.assert_no_secret()


# -- failures show the URL masked ----------------------------------------------------------------


def assert_fails_cleanly(
    project: Project, message_start: str, reason: str, *, in_ini: bool = False
) -> None:
    """Each command fails with one clear ``FAILED:`` line, no traceback, and no secret."""
    for command in (["upgrade", "head"], ["current"], ["revision", "--autogenerate", "-m", "x"]):
        result = project.run(*command)
        assert result.returncode != 0
        (failed,) = [line for line in result.stdout.splitlines() if line.startswith("FAILED:")]
        assert failed.startswith(message_start), failed
        assert reason in failed
        assert "Traceback" not in result.stdout + result.stderr
    assert project.revisions() == []
    assert message_start.removeprefix("FAILED: ") in project.log.read_text()
    project.assert_no_secret(in_ini=in_ini)


@pytest.mark.parametrize(
    ("scheme", "driver", "reason"),
    [
        ("mysql", "mysql+pymysql", "Connection refused"),
        ("postgresql", "postgresql+psycopg", "Connection refused"),
    ],
)
def test_a_closed_port_fails_with_the_password_masked(
    tmp_path: Path, fixture_site: Path, scheme: str, driver: str, reason: str
) -> None:
    url = f"{scheme}://someone:{ENCODED}@127.0.0.1:1/nowhere"
    project = make_project(tmp_path, fixture_site, url)

    assert_fails_cleanly(
        project, f"FAILED: cannot connect to {driver}://someone:***@127.0.0.1:1/nowhere: ", reason
    )


def test_a_wrong_password_on_mariadb_fails_with_the_password_masked(
    tmp_path: Path,
    fixture_site: Path,
    mariadb_database: TestDatabase,
    mariadb_wrong_password_url: str,
) -> None:
    project = make_project(tmp_path, fixture_site, mariadb_wrong_password_url)
    user = sa.make_url(mariadb_wrong_password_url).username

    assert_fails_cleanly(
        project,
        f"FAILED: cannot connect to mysql+pymysql://{user}:***@127.0.0.1:3306/"
        f"{mariadb_database.name}: (1045, ",
        f"Access denied for user '{user}'@",
    )


def test_an_unencoded_sentinel_is_refused_before_connecting(
    tmp_path: Path, fixture_site: Path
) -> None:
    project = make_project(
        tmp_path, fixture_site, f"postgresql://someone:{SENTINEL}@127.0.0.1:5432/nowhere"
    )

    assert_fails_cleanly(
        project,
        "FAILED: malformed database URL postgresql://someone:***@127.0.0.1:5432/nowhere: "
        "the password contains an '@' that is not URL-encoded",
        "(%40 for @, %2F for /, %25 for %)",
    )
    for output in project.outputs:
        assert "x9" not in output  # not even the tail of the password


def test_the_sentinel_in_the_ini_url_fails_with_a_clear_message(
    tmp_path: Path, fixture_site: Path, postgresql_database: TestDatabase
) -> None:
    url = server_url(postgresql_database, "postgresql", "postgres")
    project = make_project(tmp_path, fixture_site, "", extra=f"sqlalchemy.url = {url}\n")
    project.env.pop("DATABASE_URL")

    assert_fails_cleanly(
        project,
        f"FAILED: sqlalchemy.url in {project.ini} contains a '%' that the ini format cannot "
        "read; write it as '%%', or set DATABASE_URL instead",
        "set DATABASE_URL instead",
        in_ini=True,
    )
