"""D. A sentinel password holding ``%``, ``@`` and ``/`` is never shown, written or logged.

A MariaDB user gets the sentinel as its real password; every command, those
that work and those that fail, runs with it (URL-encoded in the URL). The
sentinel must then appear in no stdout, no stderr (logs at -vvv included), no
log file, no ``--sql`` output, no ini file and nothing in the versions folder.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
import sqlalchemy as sa

from tests.safety.conftest import ProjectFactory
from tests.safety.harness import HEAD, Project, Result, connect
from tests.support.databases import MARIADB_ADMIN_URL, TestDatabase

TOKEN = secrets.token_hex(4)
SENTINEL = f"Sntl%{TOKEN}@pw/{TOKEN}"
ENCODED = quote(SENTINEL, safe="")
SPELLINGS = sorted({SENTINEL, ENCODED, quote_plus(SENTINEL), SENTINEL.replace("%", "%%")})

FILE_LOGGING = """
[loggers]
keys = root,alembic,alembic_config,sqlalchemy

[handlers]
keys = file

[formatters]
keys = generic

[logger_root]
level = DEBUG
handlers = file
qualname =

[logger_alembic]
level = DEBUG
handlers = file
qualname = alembic
propagate = 0

[logger_alembic_config]
level = DEBUG
handlers = file
qualname = alembic_config
propagate = 0

[logger_sqlalchemy]
level = INFO
handlers = file
qualname = sqlalchemy
propagate = 0

[handler_file]
class = FileHandler
args = ({log!r}, "a")
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)s [%(name)s] %(message)s
"""


@pytest.fixture
def sentinel_url(mariadb_database: TestDatabase) -> Iterator[str]:
    """The test database's URL for a user whose real password is the sentinel."""
    user = f"safety_{TOKEN}"
    admin = sa.create_engine(MARIADB_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE USER '{user}'@'%' IDENTIFIED BY :pw"), {"pw": SENTINEL})
            conn.execute(sa.text(f"GRANT ALL ON {mariadb_database.name}.* TO '{user}'@'%'"))
        yield f"mysql://{user}:{ENCODED}@127.0.0.1:3306/{mariadb_database.name}"
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP USER IF EXISTS '{user}'@'%'"))
    finally:
        admin.dispose()


def sentinel_project(make_project: ProjectFactory, database: TestDatabase, url: str) -> Project:
    project = make_project(database)
    log = project.folder / "alembic.log"
    project.ini.write_text(project.ini.read_text() + FILE_LOGGING.format(log=str(log)))
    project.env["DATABASE_URL"] = url
    return project


def runs(project: Project, url: str) -> list[tuple[Result, int]]:
    """Every command, with the exit code it must have."""
    unreachable = url.replace("127.0.0.1:3306", "127.0.0.1:1")
    unencoded = url.replace(ENCODED, SENTINEL)
    wrong_user = url.replace(f"safety_{TOKEN}:", "safety_nobody:")
    unknown_host = url.replace("127.0.0.1:3306", "nonexistent.invalid:3306")
    mm = project.run
    return [
        (mm("-vvv", "db", "upgrade", "head"), 0),
        (mm("-vvv", "db", "status"), 0),
        (mm("-vvv", "db", "status", "--json"), 0),
        (mm("-vvv", "db", "health"), 0),
        (mm("-vvv", "db", "history"), 0),
        (mm("-vvv", "doctor"), 0),
        (mm("-vvv", "db", "upgrade", "head", "--sql"), 0),
        (mm("-vvv", "db", "downgrade", f"{HEAD}:base", "--sql"), 0),
        (mm("-vvv", "db", "revision", "-m", "sentinel check", "--rev-id", "s4_sentinel"), 0),
        (mm("-vvv", "db", "downgrade", "-1", "--yes"), 0),
        (mm("-vvv", "--database-url", unreachable, "db", "upgrade", "head"), 4),
        (mm("-vvv", "--database-url", unencoded, "db", "status"), 2),
        (mm("-vvv", "--database-url", wrong_user, "db", "health"), 4),
        (mm("-vvv", "--database-url", unknown_host, "db", "status"), 4),
        (mm("-vvv", "db", "init", str(project.folder / "init")), 0),
        (project.run("upgrade", "head", tool="alembic"), 0),
        (project.run("current", "--verbose", tool="alembic"), 0),
        (project.run("history", "--verbose", tool="alembic"), 0),
        (project.run("upgrade", "head", "--sql", tool="alembic"), 0),
        (project.run("downgrade", "base", tool="alembic"), 0),
        (project.run("upgrade", "head", env={"DATABASE_URL": unreachable}, tool="alembic"), 255),
    ]


def occurrences(text: str) -> int:
    return sum(text.count(spelling) for spelling in SPELLINGS)


def test_the_sentinel_password_is_never_shown(
    make_project: ProjectFactory, mariadb_database: TestDatabase, sentinel_url: str
) -> None:
    project = sentinel_project(make_project, mariadb_database, sentinel_url)
    with connect(sentinel_url.replace("mysql://", "mysql+pymysql://")) as conn:
        assert conn.execute(sa.text("SELECT CURRENT_USER()")).scalar() == f"safety_{TOKEN}@%"

    results = runs(project, sentinel_url)
    for result, code in results:
        assert result.returncode == code, result.describe()
        assert "Traceback" not in result.output, result.describe()
        assert occurrences(result.output) == 0, result.describe()
    # shown, masked: the URL is there, the password is not
    masked = f"mysql+pymysql://safety_{TOKEN}:***@127.0.0.1:3306/{mariadb_database.name}"
    assert f"database:  {masked}" in results[1][0].lines
    assert "INFO [alembic_config._environment] database" in read(project.folder / "alembic.log")
    files = [path for path in project.folder.rglob("*") if path.is_file()]
    written = {path.relative_to(project.folder).as_posix() for path in files}
    assert {"alembic.ini", "alembic.log", "init/alembic.ini", "init/.env.example"} <= written
    assert list(project.versions.glob("s4_sentinel*.py")), written
    leaks = {str(path): occurrences(read(path)) for path in files if occurrences(read(path))}
    assert leaks == {}


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")
