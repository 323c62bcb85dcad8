"""D. Bad input: each case exits with its exact code and message, within 5 s, no traceback.

Every case runs in a project of its own (the three revisions, a fresh SQLite
database) and must leave its versions folder as it found it.
"""

from __future__ import annotations

import ast
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from tests.safety.conftest import ProjectFactory
from tests.safety.harness import HEAD, REVISIONS, connect, table_names, write_revision
from tests.support.databases import MARIADB_ADMIN_URL, TestDatabase, require_server

CASE_TIMEOUT = 5

URL_SHAPE = (
    "it could not be parsed; expected dialect[+driver]://user:password@host:port/database, "
    "with special characters in the password URL-encoded (e.g. %40 for @)"
)
BAD_ID = (
    "invalid revision id {!r}: use 1 to 32 letters, digits or underscores, starting with a "
    "letter or digit"
)
BAD_NAME = "invalid {} {!r}: use 1 to 63 letters, digits or underscores, not starting with a digit"
PG_REFUSED = (
    'connection failed: connection to server at "127.0.0.1", port 1 failed: Connection refused '
    "Is the server running on that host and accepting TCP/IP connections?"
)
PRODUCTION = (
    "error: refusing to {}: this environment is marked production (MINDMIRROR_ENVIRONMENT); "
    "pass --allow-production as well as --yes to proceed"
)
STAMPED = "stamped"  # the database is stamped at head before the command runs


@dataclass(frozen=True)
class Bad:
    """A bad input, the exit code and the exact message line it must produce."""

    args: tuple[str, ...]
    code: int
    message: str
    env: dict[str, str] = field(default_factory=dict)
    tool: str = "mindmirror"
    ini: str = ""
    setup: str = ""
    needs: str = ""  # a database server that must run (the case talks to it)
    #: files written into the project before the command ({folder}: the project's folder)
    files: dict[str, str | bytes] = field(default_factory=dict)


def _revision_source(revision: str, down: str, body: str) -> str:
    """A revision file whose ``upgrade`` runs ``body`` (on line 35 of the file)."""
    header = f'"""{revision}\n\nRevision ID: {revision}\n"""\n'
    padding = "\n" * (36 - header.count("\n") - 12)
    return (
        f"{header}{padding}import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = {revision!r}\ndown_revision = {down!r}\nbranch_labels = None\n"
        f"depends_on = None\n\n\ndef upgrade() -> None:\n    {body}\n\n\n"
        "def downgrade() -> None:\n    pass\n"
    )


def url(value: str, code: int, message: str, *, needs: str = "") -> Bad:
    return Bad(("--database-url", value, "db", "status"), code, message, needs=needs)


def rev_id(value: str, *, tool: str = "mindmirror") -> Bad:
    said = BAD_ID.format(value)
    if tool == "alembic":
        return Bad(("revision", "-m", "x", "--rev-id", value), 255, f"FAILED: {said}", tool=tool)
    return Bad(("db", "revision", "-m", "x", "--rev-id", value), 2, f"error: {said}")


def message(value: str, said: str) -> Bad:
    return Bad(("db", "revision", "-m", value), 2, f"error: {said}")


def ini_name(line: str, what: str, value: str, *, tool: str = "mindmirror") -> Bad:
    said = BAD_NAME.format(what, value)
    if tool == "alembic":
        return Bad(("upgrade", "head"), 255, f"FAILED: {said}", tool=tool, ini=line)
    return Bad(("db", "upgrade", "head"), 2, f"error: {said}", ini=line)


MALFORMED_SEPARATOR = (
    "malformed database URL {}: the dialect must be followed by '://' (found {!r}); expected "
    "dialect[+driver]://user:password@host:port/database"
)
BLANK_VARIABLE = (
    "DATABASE_URL is set but empty; set it to a database URL "
    "(dialect[+driver]://user:password@host:port/database), or unset it to use sqlalchemy.url or "
    "the default SQLite file"
)
ORPHAN = (
    "revision s4_orphan ({folder}/versions/s4_orphan.py) names 'f00dcafe0404' as its "
    "down_revision, and no revision file defines 'f00dcafe0404': restore that revision file, or "
    "correct down_revision"
)
BROKEN = (
    "cannot load the revision file {folder}/versions/s4_broken.py, line 35: SyntaxError: '(' "
    "was never closed; fix that file (or move it out of the versions folder) and run the "
    "command again"
)
UNTERMINATED = (
    "{folder}/.env, line 2: cannot parse this line (an unterminated quote?); write NAME=value, "
    "quoting a value with ' or \" on both sides"
)
EXISTING_ID = "revision id 's1_counter' already exists; choose another --rev-id (or leave it out)"
CONTROL = "the revision message contains control characters"
NOT_SPLIT_INI = (
    "[alembic]\nscript_location = alembic_config:\npath_separator = os\n"
    "version_locations = {folder}/versions {folder}/more\n"
)
NOT_SPLIT = (
    "version_locations = {folder}/versions {folder}/more is read as one folder "
    "'{folder}/versions {folder}/more' (path_separator = os), which does not exist, so Alembic "
    "would silently find no revision there. Set 'path_separator = space' in the [alembic] "
    "section (or 'newline', with one location per line, when a path contains spaces)."
)
ORPHAN_FILE = _revision_source("s4_orphan", "f00dcafe0404", "pass")
BROKEN_FILE = _revision_source("s4_broken", HEAD, 'op.execute("SELECT 1"')


def separator(value: str, masked: str, found: str, *, tool: str = "mindmirror") -> Bad:
    said = MALFORMED_SEPARATOR.format(masked, found)
    if tool == "alembic":
        return Bad(
            ("upgrade", "head"), 255, f"FAILED: {said}", env={"DATABASE_URL": value}, tool=tool
        )
    return url(value, 2, f"error: {said}")


def both(
    name: str, case: Bad, alembic_args: tuple[str, ...], alembic_message: str
) -> dict[str, Bad]:
    """The case under mindmirror, and under stock alembic (``FAILED: ...``, exit 255)."""
    stock = Bad(
        alembic_args,
        255,
        f"FAILED: {alembic_message}",
        case.env,
        "alembic",
        case.ini,
        case.setup,
        case.needs,
        case.files,
    )
    return {name: case, f"alembic-{name}": stock}


CASES: dict[str, Bad] = {
    # -- database URLs --------------------------------------------------------------------------
    "url-not-a-url": url("not a url", 2, f"error: malformed database URL not a url: {URL_SHAPE}"),
    "url-scheme-only": url("://x", 2, f"error: malformed database URL ://x: {URL_SHAPE}"),
    "url-port-not-a-number": url(
        "postgresql://postgres@127.0.0.1:notaport/db",
        2,
        f"error: malformed database URL postgresql://postgres@127.0.0.1:notaport/db: {URL_SHAPE}",
    ),
    "url-unencoded-at-in-password": url(
        "postgresql://u:p@ss@127.0.0.1/db",
        2,
        "error: malformed database URL postgresql://u:***@127.0.0.1/db: the password contains an "
        "'@' that is not URL-encoded; write special characters in the password URL-encoded "
        "(%40 for @, %2F for /, %25 for %)",
    ),
    "url-unencoded-at-in-DATABASE_URL": Bad(
        ("db", "status"),
        2,
        "error: malformed database URL mysql://u:***@127.0.0.1/db: the password contains an '@' "
        "that is not URL-encoded; write special characters in the password URL-encoded "
        "(%40 for @, %2F for /, %25 for %)",
        env={"DATABASE_URL": "mysql://u:p@ss@127.0.0.1/db"},
    ),
    # the user's real password holds '%41'; unencoded, it reaches the server as 'A'
    "url-unencoded-percent-in-password": url(
        "mysql://{user}:{password}@127.0.0.1:3306/test",
        4,
        "error: cannot connect to mysql+pymysql://{user}:***@127.0.0.1:3306/test: (1045, "
        "\"Access denied for user '{user}'@'127.0.0.1' (using password: YES)\")",
        needs="mariadb",
    ),
    "url-wrong-password": url(
        "mysql://{user}:wrong@127.0.0.1:3306/test",
        4,
        "error: cannot connect to mysql+pymysql://{user}:***@127.0.0.1:3306/test: (1045, "
        "\"Access denied for user '{user}'@'127.0.0.1' (using password: YES)\")",
        needs="mariadb",
    ),
    "url-closed-port-postgresql": url(
        "postgresql://postgres@127.0.0.1:1/db",
        4,
        f"error: cannot connect to postgresql+psycopg://postgres@127.0.0.1:1/db: {PG_REFUSED}",
    ),
    "url-closed-port-mariadb": url(
        "mysql://root:secret@127.0.0.1:1/db",
        4,
        "error: cannot connect to mysql+pymysql://root:***@127.0.0.1:1/db: (2003, \"Can't "
        "connect to MySQL server on '127.0.0.1' ([Errno 111] Connection refused)\")",
    ),
    "url-unknown-host-postgresql": url(
        "postgresql://postgres@nonexistent.invalid/db",
        4,
        "error: cannot connect to postgresql+psycopg://postgres@nonexistent.invalid/db: failed "
        "to resolve host 'nonexistent.invalid': [Errno -2] Name or service not known",
    ),
    "url-unknown-host-mariadb": url(
        "mysql://root@nonexistent.invalid/db",
        4,
        "error: cannot connect to mysql+pymysql://root@nonexistent.invalid/db: (2003, \"Can't "
        "connect to MySQL server on 'nonexistent.invalid' ([Errno -2] Name or service not "
        'known)")',
    ),
    "url-missing-database-postgresql": url(
        "postgresql://postgres@127.0.0.1:5432/safety_no_such_db",
        4,
        "error: cannot connect to postgresql+psycopg://postgres@127.0.0.1:5432/safety_no_such_db: "
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
        'database "safety_no_such_db" does not exist',
        needs="postgresql",
    ),
    "url-missing-database-mariadb": url(
        "mysql://root@127.0.0.1:3306/safety_no_such_db",
        4,
        "error: cannot connect to mysql+pymysql://root@127.0.0.1:3306/safety_no_such_db: (1049, "
        "\"Unknown database 'safety_no_such_db'\")",
        needs="mariadb",
    ),
    "url-missing-sqlite-folder": url(
        "sqlite:////nonexistent/folder/x.db",
        4,
        "error: cannot connect to sqlite:////nonexistent/folder/x.db: unable to open database file",
    ),
    "url-unknown-driver": url(
        "postgresql+nosuchdriver://postgres@127.0.0.1/db",
        2,
        "error: unknown database dialect or driver 'postgresql+nosuchdriver' in "
        "postgresql+nosuchdriver://postgres@127.0.0.1/db",
    ),
    "url-unknown-dialect": url(
        "nosuchdialect://u:secret@h/db",
        2,
        "error: unknown database dialect or driver 'nosuchdialect' in nosuchdialect://u:***@h/db",
    ),
    # -- passwords in query parameters: masked everywhere -------------------------------------
    "url-query-password-postgresql": url(
        "postgresql://postgres@127.0.0.1:1/db?password=Sekr3tQ",
        4,
        "error: cannot connect to postgresql+psycopg://postgres@127.0.0.1:1/db?password=***: "
        + PG_REFUSED,
    ),
    "url-query-passwd-mariadb": url(
        "mysql://root@127.0.0.1:1/db?passwd=Sekr3tQ",
        4,
        "error: cannot connect to mysql+pymysql://root@127.0.0.1:1/db?passwd=***: (2003, \"Can't "
        "connect to MySQL server on '127.0.0.1' ([Errno 111] Connection refused)\")",
    ),
    "alembic-url-query-password-postgresql": Bad(
        ("upgrade", "head"),
        255,
        "FAILED: cannot connect to postgresql+psycopg://postgres@127.0.0.1:1/db?password=***: "
        + PG_REFUSED,
        env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/db?password=Sekr3tQ"},
        tool="alembic",
    ),
    # -- a mistyped '://' (case 2) ------------------------------------------------------------
    "url-separator-double-slash": separator(
        "postgresql//u:Sekr3tQ@h/d", "postgresql//u:***@h/d", "//"
    ),
    "url-separator-colon-slash": separator(
        "postgresql:/u:Sekr3tQ@h/d", "postgresql:/u:***@h/d", ":/"
    ),
    "url-separator-colon": separator("postgresql:u:Sekr3tQ@h/d", "postgresql:u:***@h/d", ":"),
    "url-separator-driver": separator(
        "postgresql+psycopg//u:Sekr3tQ@h/d", "postgresql+psycopg//u:***@h/d", "//"
    ),
    "alembic-url-separator-double-slash": separator(
        "postgresql//u:Sekr3tQ@h/d", "postgresql//u:***@h/d", "//", tool="alembic"
    ),
    "alembic-url-separator-colon": separator(
        "postgresql:u:Sekr3tQ@h/d", "postgresql:u:***@h/d", ":", tool="alembic"
    ),
    # -- a blank URL, a broken .env (cases 3, 4) ----------------------------------------------
    "url-option-empty": url(
        "",
        2,
        "error: the database URL is empty; expected "
        "dialect[+driver]://user:password@host:port/database",
    ),
    **both(
        "url-variable-empty",
        Bad(("db", "upgrade"), 2, f"error: {BLANK_VARIABLE}", env={"DATABASE_URL": ""}),
        ("upgrade", "head"),
        BLANK_VARIABLE,
    ),
    **both(
        "url-variable-blank",
        Bad(("db", "upgrade"), 2, f"error: {BLANK_VARIABLE}", env={"DATABASE_URL": "   "}),
        ("upgrade", "head"),
        BLANK_VARIABLE,
    ),
    **both(
        "dotenv-folder",
        Bad(
            ("db", "upgrade"),
            2,
            "error: {folder}/.env is not a file; remove it or make it a file of NAME=value lines",
            files={".env/": ""},
        ),
        ("upgrade", "head"),
        "{folder}/.env is not a file; remove it or make it a file of NAME=value lines",
    ),
    **both(
        "dotenv-unterminated-quote",
        Bad(("db", "upgrade"), 2, f"error: {UNTERMINATED}", files={".env": "A=1\nB='open\n"}),
        ("upgrade", "head"),
        UNTERMINATED,
    ),
    **both(
        "dotenv-binary",
        Bad(
            ("db", "upgrade"),
            2,
            "error: {folder}/.env is not UTF-8 text (byte 1); write it as NAME=value lines",
            files={".env": b"A\xff\xfe=1\n"},
        ),
        ("upgrade", "head"),
        "{folder}/.env is not UTF-8 text (byte 1); write it as NAME=value lines",
    ),
    "env-name-empty": Bad(
        ("--env", "", "db", "upgrade"),
        2,
        "error: the environment name is empty; name the environment whose .env.NAME to load",
    ),
    # -- revision files (cases 5, 6) ----------------------------------------------------------
    **both(
        "down-revision-missing-upgrade",
        Bad(("db", "upgrade"), 7, f"error: {ORPHAN}", files={"versions/s4_orphan.py": ORPHAN_FILE}),
        ("upgrade", "head"),
        ORPHAN,
    ),
    **both(
        "down-revision-missing-history",
        Bad(("db", "history"), 7, f"error: {ORPHAN}", files={"versions/s4_orphan.py": ORPHAN_FILE}),
        ("history",),
        ORPHAN,
    ),
    "down-revision-missing-status": Bad(
        ("db", "status"), 7, f"error: {ORPHAN}", files={"versions/s4_orphan.py": ORPHAN_FILE}
    ),
    **both(
        "revision-syntax-error",
        Bad(("db", "upgrade"), 7, f"error: {BROKEN}", files={"versions/s4_broken.py": BROKEN_FILE}),
        ("upgrade", "head"),
        BROKEN,
    ),
    # -- a file named in the URL, the ini (cases 7, 8) ----------------------------------------
    "url-ssl-ca-missing": url(
        "mysql://root@127.0.0.1:3306/test?ssl_ca=/nonexistent",
        2,
        "error: cannot connect to mysql+pymysql://root@127.0.0.1:3306/test?ssl_ca=%2Fnonexistent: "
        "No such file or directory: a file named in the URL (ssl_ca) cannot be read; correct its "
        "path",
        needs="mariadb",
    ),
    "ini-script-location-missing-package": Bad(
        ("db", "upgrade"),
        3,
        "error: script_location = no_such_pkg: in {folder}/alembic.ini names the package "
        "'no_such_pkg', which is not installed; use 'script_location = alembic_config:' or "
        "install it",
        files={"alembic.ini": "[alembic]\nscript_location = no_such_pkg:\n"},
    ),
    "ini-binary": Bad(
        ("db", "upgrade"),
        3,
        "error: {folder}/alembic.ini is not UTF-8 text (byte 9); write it as an Alembic ini file",
        files={"alembic.ini": b"[alembic]\xff\xfe\n"},
    ),
    **both(
        "ini-folders-not-split",
        Bad(
            ("db", "status"),
            3,
            f"error: {NOT_SPLIT}",
            files={"alembic.ini": NOT_SPLIT_INI, "more/": ""},
        ),
        ("upgrade", "head"),
        NOT_SPLIT,
    ),
    # -- an id that exists, a message on several lines (cases 10, 11) -------------------------
    "rev-id-exists": Bad(
        ("db", "revision", "-m", "x", "--rev-id", "s1_counter"),
        2,
        "error: revision id 's1_counter' already exists",
    ),
    "alembic-rev-id-exists": Bad(
        ("revision", "-m", "x", "--rev-id", "s1_counter"),
        255,
        f"FAILED: {EXISTING_ID}",
        tool="alembic",
    ),
    "message-newline": message("two\nlines", CONTROL),
    "message-tab": message("a\ttab", CONTROL),
    "alembic-message-newline": Bad(
        ("revision", "-m", "two\nlines"), 255, f"FAILED: {CONTROL}", tool="alembic"
    ),
    "alembic-message-tab": Bad(
        ("revision", "-m", "a\ttab"), 255, f"FAILED: {CONTROL}", tool="alembic"
    ),
    # -- a port out of range (case 12) --------------------------------------------------------
    "url-port-out-of-range": url(
        "postgresql://postgres:Sekr3tQ@127.0.0.1:99999/db",
        2,
        "error: malformed database URL postgresql://postgres:***@127.0.0.1:99999/db: port 99999 "
        "is not between 1 and 65535",
    ),
    # -- revision ids: the CLI, and stock alembic through the shipped env.py --------------------
    "rev-id-quote": rev_id("a'b"),
    "rev-id-slash": rev_id("a/b"),
    "rev-id-backslash": rev_id("a\\b"),
    "rev-id-too-long": rev_id("a" * 33),
    "rev-id-empty": rev_id(""),
    "rev-id-space": rev_id("a b"),
    "rev-id-unicode": rev_id("révision"),
    "rev-id-leading-underscore": rev_id("_abc"),
    "rev-id-dash": rev_id("abc-def"),
    "rev-id-sql": rev_id("x'); DROP TABLE alembic_version; --"),
    "alembic-rev-id-quote": rev_id("a'b", tool="alembic"),
    "alembic-rev-id-slash": rev_id("a/b", tool="alembic"),
    "alembic-rev-id-backslash": rev_id("a\\b", tool="alembic"),
    "alembic-rev-id-too-long": rev_id("a" * 33, tool="alembic"),
    "alembic-rev-id-space": rev_id("a b", tool="alembic"),
    "alembic-rev-id-unicode": rev_id("révision", tool="alembic"),
    # -- revision messages --------------------------------------------------------------------
    "message-empty": message(
        "", "the revision message is empty: say what the revision does with -m"
    ),
    "message-blank": message(
        "   ", "the revision message is empty: say what the revision does with -m"
    ),
    "message-escape-sequence": message(
        "red \x1b[31m", "the revision message contains control characters"
    ),
    "message-carriage-return": message("a\rb", "the revision message contains control characters"),
    "message-too-long": message(
        "x" * 201, "the revision message is 201 characters long; keep it to 200 or fewer"
    ),
    # -- names in the ini ---------------------------------------------------------------------
    "ini-version-table-injection": ini_name(
        "version_table = x;drop\n", "version table name", "x;drop"
    ),
    "ini-version-table-digit": ini_name(
        "version_table = 1versions\n", "version table name", "1versions"
    ),
    "ini-version-schema": ini_name(
        "version_table_schema = public; drop\n", "version table schema", "public; drop"
    ),
    "alembic-ini-version-table": ini_name(
        "version_table = x;drop\n", "version table name", "x;drop", tool="alembic"
    ),
    # -- targets ------------------------------------------------------------------------------
    "target-unknown-upgrade": Bad(
        ("db", "upgrade", "nosuchrev"),
        7,
        "error: No such revision or branch 'nosuchrev'",
        setup=STAMPED,
    ),
    "target-unknown-downgrade": Bad(
        ("db", "downgrade", "nosuchrev", "--yes"),
        7,
        "error: No such revision or branch 'nosuchrev'",
        setup=STAMPED,
    ),
    "target-below-base": Bad(
        ("db", "downgrade", "-9", "--yes"),
        2,
        "error: Relative revision -9 didn't produce 9 migrations",
        setup=STAMPED,
    ),
    "target-above-head": Bad(
        ("db", "upgrade", "+9"),
        2,
        "error: Relative revision +9 didn't produce 9 migrations",
        setup=STAMPED,
    ),
    "target-range-without-sql": Bad(
        ("db", "upgrade", f"{REVISIONS[0]}:{HEAD}"),
        2,
        "error: a range FROM:TO is only allowed with --sql; give one target revision",
    ),
    # -- the lock timeout ---------------------------------------------------------------------
    "lock-timeout-negative": Bad(
        ("--lock-timeout", "-1", "db", "upgrade"),
        2,
        "Error: Invalid value for '--lock-timeout': -1.0 is not in the range 0<=x<=86400.",
    ),
    "lock-timeout-text": Bad(
        ("--lock-timeout", "soon", "db", "upgrade"),
        2,
        "Error: Invalid value for '--lock-timeout': 'soon' is not a valid float range.",
    ),
    "lock-timeout-nan": Bad(
        ("--lock-timeout", "nan", "db", "upgrade"),
        2,
        "Error: Invalid value for '--lock-timeout': not a number of seconds",
    ),
    "lock-timeout-env-text": Bad(
        ("db", "upgrade"),
        2,
        "Error: Invalid value for '--lock-timeout': 'soon' is not a valid float range.",
        env={"ALEMBIC_CONFIG_LOCK_TIMEOUT": "soon"},
    ),
    "alembic-lock-timeout-negative": Bad(
        ("upgrade", "head"),
        255,
        "FAILED: lock timeout must not be negative, not '-3'",
        env={"ALEMBIC_CONFIG_LOCK_TIMEOUT": "-3"},
        tool="alembic",
    ),
    # -- destructive commands -----------------------------------------------------------------
    "production-downgrade": Bad(
        ("db", "downgrade", "-1", "--yes"),
        2,
        PRODUCTION.format("downgrade to -1"),
        env={"MINDMIRROR_ENVIRONMENT": "production"},
        setup=STAMPED,
    ),
    "production-stamp": Bad(
        ("db", "stamp", "base", "--yes"),
        2,
        PRODUCTION.format("stamp base"),
        env={"MINDMIRROR_ENVIRONMENT": "production"},
        setup=STAMPED,
    ),
    "stamp-without-yes": Bad(
        ("db", "stamp", "base"),
        2,
        "error: refusing to stamp base without confirmation: pass --yes (no terminal to ask)",
        setup=STAMPED,
    ),
}


@pytest.fixture(scope="module")
def mariadb_user() -> Iterator[dict[str, str]]:
    """A MariaDB user whose real password holds ``%41``: ``{user}`` and ``{password}``."""
    require_server("mariadb")
    name = f"safety_{secrets.token_hex(4)}"
    password = f"pa%41ss{secrets.token_hex(4)}"
    admin = sa.create_engine(MARIADB_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE USER '{name}'@'%' IDENTIFIED BY :pw"), {"pw": password})
        yield {"user": name, "password": password}
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP USER IF EXISTS '{name}'@'%'"))
    finally:
        admin.dispose()


def stamp_head(database: TestDatabase) -> None:
    """Record head in a fresh version table, without running the revisions (cheaper)."""
    with connect(database.url) as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": HEAD})
        conn.commit()


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_exits_with_its_code_and_message(
    case: str,
    make_project: ProjectFactory,
    sqlite_database: TestDatabase,
    request: pytest.FixtureRequest,
) -> None:
    bad = CASES[case]
    if bad.needs:
        require_server(bad.needs)
    needs_user = any("{user}" in arg for arg in bad.args)
    fill = request.getfixturevalue("mariadb_user") if needs_user else {}
    project = make_project(sqlite_database, ini_extra=bad.ini)
    fill = {**fill, "folder": str(project.folder)}
    if bad.setup == STAMPED:
        stamp_head(sqlite_database)
    for name, content in bad.files.items():
        target = project.folder / name
        if name.endswith("/"):
            target.mkdir()
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content.replace("{folder}", str(project.folder)))
    args = tuple(arg.format(**fill) for arg in bad.args)
    files = sorted(project.versions.iterdir())

    result = project.run(*args, env=bad.env, timeout=CASE_TIMEOUT, tool=bad.tool)

    assert result.returncode == bad.code, result.describe()
    assert bad.message.format(**fill) in result.lines, result.describe()
    assert "Traceback" not in result.output
    assert "Sekr3tQ" not in result.output
    assert sorted(project.versions.iterdir()) == files


def test_there_are_at_least_30_cases() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("tool", ["mindmirror", "alembic"])
def test_triple_quotes_in_a_message_are_escaped_not_code(
    tool: str, make_project: ProjectFactory, sqlite_database: TestDatabase
) -> None:
    text = 'say """hi""" then \\ and "; import os'
    project = make_project(sqlite_database)
    args = ("db", "revision", "-m", text) if tool == "mindmirror" else ("revision", "-m", text)

    result = project.run(*args, timeout=CASE_TIMEOUT, tool=tool)

    assert result.returncode == 0, result.describe()
    (written,) = set(project.versions.iterdir()) - {project.versions / f"{r}.py" for r in REVISIONS}
    module = ast.parse(written.read_text())
    docstring = ast.get_docstring(module)
    assert docstring is not None
    assert docstring.splitlines()[0] == text
    assert [type(node).__name__ for node in module.body[:2]] == ["Expr", "ImportFrom"]


FAILING_BODY = """

def upgrade() -> None:
    op.create_table("half", sa.Column("id", sa.Integer, primary_key=True))
    op.execute(sa.text("SELECT * FROM safety_no_such_table"))


def downgrade() -> None:
    op.drop_table("half")
"""


def test_the_run_that_fails_mid_revision_on_mariadb_says_it_left_a_partial_state(
    make_project: ProjectFactory, mariadb_database: TestDatabase
) -> None:
    project = make_project(mariadb_database)
    write_revision(project.versions, "s4_fails", HEAD, FAILING_BODY, "fails half-way")

    result = project.run("db", "upgrade", timeout=60)

    assert result.returncode == 8, result.describe()
    assert (
        "the database is now in a partial state: revision s4_fails (upgrade) was started and "
        "never stamped; MySQL and MariaDB cannot roll DDL back, so part of it may be applied. "
        "Inspect the schema, finish or undo that revision by hand, then clear the marker: "
        "'mindmirror db repair --yes' (with '--stamp REVISION' to record the revision the schema "
        "now matches)"
    ) in result.lines, result.describe()
    assert "Traceback" not in result.output
    assert "half" in table_names(mariadb_database.url)
