"""The database URL: normalised, masked, resolved in order, and read from ``.env`` files.

Nothing here connects: the URLs are parsed, resolved and turned into engines only.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from alembic.config import Config
from alembic_config import (
    DatabaseUrlError,
    EnvironmentFileError,
    EnvironmentOptions,
    MigrationEnvironment,
    MissingDriverError,
    ResolvedUrl,
    load_dotenv_files,
    loaded_dotenv_files,
    mask_url,
    normalize_url,
    resolve_database_url,
    with_options,
)
from sqlalchemy.engine import URL

from tests.support.services import write_ini

SENTINEL = "Sentinel%pw@/x9"
ENCODED = quote(SENTINEL, safe="")  # Sentinel%25pw%40%2Fx9
URL_SHAPE = "dialect[+driver]://user:password@host:port/database"
UNPARSED = (
    f"it could not be parsed; expected {URL_SHAPE}, with special characters in the password "
    "URL-encoded (e.g. %40 for @)"
)


def spellings(password: str) -> set[str]:
    """Every way a password may be written into a text: raw, URL-quoted, form-quoted."""
    return {password, quote(password, safe=""), quote_plus(password)}


def assert_no_password(text: str, password: str = SENTINEL) -> None:
    for spelling in spellings(password):
        assert spelling not in text


@pytest.fixture(autouse=True)
def restored_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No DATABASE_URL to start with; whatever ``load_dotenv_files`` sets is undone afterwards."""
    saved = dict(os.environ)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    yield
    os.environ.clear()
    os.environ.update(saved)


# -- normalize_url -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://u:pw@db.example:5432/app", "postgresql+psycopg://u:pw@db.example:5432/app"),
        ("postgresql://u:pw@db.example/app", "postgresql+psycopg://u:pw@db.example/app"),
        ("postgresql+psycopg://u:pw@db.example/app", "postgresql+psycopg://u:pw@db.example/app"),
        ("postgresql+asyncpg://u:pw@db.example/app", "postgresql+psycopg://u:pw@db.example/app"),
        ("postgresql+psycopg_async://u:pw@h/app", "postgresql+psycopg://u:pw@h/app"),
        ("postgres+asyncpg://u:pw@h/app", "postgresql+psycopg://u:pw@h/app"),
        ("mysql://u:pw@db.example:3306/app", "mysql+pymysql://u:pw@db.example:3306/app"),
        ("mysql+aiomysql://u:pw@h/app", "mysql+pymysql://u:pw@h/app"),
        ("mysql+asyncmy://u:pw@h/app", "mysql+pymysql://u:pw@h/app"),
        ("mariadb://u:pw@h/app", "mariadb+pymysql://u:pw@h/app"),
        ("sqlite:///relative.db", "sqlite:///relative.db"),
        ("sqlite+aiosqlite:///relative.db", "sqlite:///relative.db"),
        ("sqlite:////abs/olute.db", "sqlite:////abs/olute.db"),
        ("sqlite://", "sqlite://"),
        ("  postgresql://u:pw@h/app\n", "postgresql+psycopg://u:pw@h/app"),
        ("postgresql://user@server:pw@h/app", "postgresql+psycopg://user%40server:pw@h/app"),
    ],
)
def test_normalize_url(raw: str, expected: str) -> None:
    assert normalize_url(raw).render_as_string(hide_password=False) == expected


def test_plain_urls_use_the_installed_drivers() -> None:
    # the table above expects psycopg 3 and PyMySQL, the drivers the extras install
    assert importlib.util.find_spec("psycopg") is not None
    assert importlib.util.find_spec("pymysql") is not None
    assert importlib.util.find_spec("psycopg2") is None
    assert importlib.util.find_spec("MySQLdb") is None


def test_relative_sqlite_path_is_kept_relative() -> None:
    assert normalize_url("sqlite:///relative.db").database == "relative.db"


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "mysql", "mariadb"])
def test_url_encoded_password_round_trips(scheme: str) -> None:
    raw = f"{scheme}://someone:{ENCODED}@db.example:1234/app"

    url = normalize_url(raw)

    assert url.password == SENTINEL
    assert url.username == "someone"
    assert url.host == "db.example"
    assert url.port == 1234
    assert url.database == "app"
    assert normalize_url(url.render_as_string(hide_password=False)).password == SENTINEL


def test_a_url_built_by_sqlalchemy_round_trips() -> None:
    built = URL.create("postgresql", "someone", SENTINEL, "db.example", 5432, "app")

    assert normalize_url(built.render_as_string(hide_password=False)).password == SENTINEL
    assert normalize_url(built).password == SENTINEL


# -- mask_url ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"postgresql://someone:{ENCODED}@h:5432/app", "postgresql://someone:***@h:5432/app"),
        (f"mysql+pymysql://someone:{ENCODED}@h/app", "mysql+pymysql://someone:***@h/app"),
        (
            f"postgresql://someone:{ENCODED}@h:notaport/app",
            "postgresql://someone:***@h:notaport/app",
        ),
        (f"postgresql://someone:{SENTINEL}@h:5432/app", "postgresql://someone:***@h:5432/app"),
        ("postgresql://someone@h/app", "postgresql://someone@h/app"),
        ("sqlite:///relative.db", "sqlite:///relative.db"),
        ("not a url", "not a url"),
        ("", ""),
    ],
    ids=["postgresql", "mysql", "bad-port", "unencoded", "no-password", "sqlite", "text", "empty"],
)
def test_mask_url(raw: str, expected: str) -> None:
    assert mask_url(raw) == expected


def test_mask_url_takes_a_url_object() -> None:
    url = URL.create("postgresql+psycopg", "someone", SENTINEL, "h", 5432, "app")

    assert mask_url(url) == "postgresql+psycopg://someone:***@h:5432/app"


def test_resolved_url_shows_only_the_masked_url() -> None:
    resolved = ResolvedUrl(normalize_url(f"postgresql://u:{ENCODED}@h/app"), source="test")

    for text in (str(resolved), repr(resolved), resolved.masked):
        assert "***" in text
        assert_no_password(text)
    assert resolved.redact(f"raw {SENTINEL}, quoted {ENCODED}") == "raw ***, quoted ***"


# -- malformed URLs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not a url", f"malformed database URL not a url: {UNPARSED}"),
        (
            f"postgresql://u:{ENCODED}@host:notaport/db",
            f"malformed database URL postgresql://u:***@host:notaport/db: {UNPARSED}",
        ),
        (
            "postgresql://u:p@host:notaport/db",
            f"malformed database URL postgresql://u:***@host:notaport/db: {UNPARSED}",
        ),
        ("", f"the database URL is empty; expected {URL_SHAPE}"),
        ("   ", f"the database URL is empty; expected {URL_SHAPE}"),
        ("foo://x", "unknown database dialect or driver 'foo' in foo://x"),
        (
            f"foo://u:{ENCODED}@h/db",
            "unknown database dialect or driver 'foo' in foo://u:***@h/db",
        ),
        (
            f"postgresql+nosuchdriver://u:{ENCODED}@h/db",
            "unknown database dialect or driver 'postgresql+nosuchdriver' in "
            "postgresql+nosuchdriver://u:***@h/db",
        ),
        (
            f"postgresql://u:{SENTINEL}@127.0.0.1:5432/db",
            "malformed database URL postgresql://u:***@127.0.0.1:5432/db: the password contains "
            "an '@' that is not URL-encoded; write special characters in the password "
            "URL-encoded (%40 for @, %2F for /, %25 for %)",
        ),
    ],
    ids=[
        "text",
        "bad-port-sentinel",
        "bad-port",
        "empty",
        "blank",
        "unknown-dialect",
        "unknown-dialect-sentinel",
        "unknown-driver",
        "unencoded-password",
    ],
)
def test_malformed_urls_are_a_clear_error_without_the_password(raw: str, message: str) -> None:
    with pytest.raises(DatabaseUrlError) as caught:
        normalize_url(raw)

    assert str(caught.value) == message
    assert caught.value.__suppress_context__ or caught.value.__context__ is None
    assert_no_password(str(caught.value))
    assert_no_password(caught.value.masked_url)
    assert "x9" not in str(caught.value)  # not even the tail of an unencoded password


@pytest.mark.parametrize(
    ("url", "backend", "extra"),
    [
        (f"mysql+mysqldb://u:{ENCODED}@127.0.0.1/db", "mysql", "mysql"),
        (f"mariadb+mysqldb://u:{ENCODED}@127.0.0.1/db", "mariadb", "mysql"),
        (f"postgresql+psycopg2://u:{ENCODED}@127.0.0.1/db", "postgresql", "postgresql"),
    ],
)
def test_an_explicit_driver_not_installed_names_the_extra(
    tmp_path: Path, url: str, backend: str, extra: str
) -> None:
    config = Config(str(write_ini(tmp_path)))
    with_options(config, EnvironmentOptions(database_url=url))

    with pytest.raises(MissingDriverError) as caught:
        MigrationEnvironment(config).create_engine()

    masked = mask_url(url)
    driver = url.split("+")[1].split(":", maxsplit=1)[0]
    assert str(caught.value) == (
        f"the {driver} driver named in {masked} is not installed; install it, or drop "
        f"'+{driver}' from the URL to use the driver alembic-config installs "
        f"(pip install 'alembic-config[{extra}]')"
    )
    assert caught.value.backend == backend
    assert (caught.value.backend, caught.value.extra) == (backend, extra)
    assert_no_password(str(caught.value))


def test_a_missing_explicit_driver_does_not_claim_that_no_driver_is_installed(
    tmp_path: Path,
) -> None:
    config = Config(str(write_ini(tmp_path)))
    with_options(config, EnvironmentOptions(database_url="postgresql+psycopg2://u:pw@127.0.0.1/db"))

    with pytest.raises(MissingDriverError) as caught:
        MigrationEnvironment(config).create_engine()

    assert str(caught.value) == (
        "the psycopg2 driver named in postgresql+psycopg2://u:***@127.0.0.1/db is not "
        "installed; install it, or drop '+psycopg2' from the URL to use the driver "
        "alembic-config installs (pip install 'alembic-config[postgresql]')"
    )


# -- resolution order ----------------------------------------------------------------------------


def url_for(source: str) -> str:
    """A URL whose database name says where it came from."""
    return f"postgresql://someone:{ENCODED}@db.example/{source}"


def environment(
    folder: Path, *, attribute: bool = False, ini: bool = False
) -> MigrationEnvironment:
    """A migration environment over a real ini file in ``folder``, as ``env.py`` builds it."""
    extra = f"sqlalchemy.url = {url_for('ini').replace('%', '%%')}\n" if ini else ""
    config = Config(str(write_ini(folder, extra=extra)))
    if attribute:
        with_options(config, EnvironmentOptions(database_url=url_for("attribute")))
    return MigrationEnvironment(config)


@pytest.mark.parametrize(
    ("attribute", "variable", "ini", "expected", "source"),
    [
        (True, True, True, "attribute", "config.attributes"),
        (False, True, True, "variable", "DATABASE_URL"),
        (False, False, True, "ini", "sqlalchemy.url"),
        (True, False, False, "attribute", "config.attributes"),
        (False, True, False, "variable", "DATABASE_URL"),
    ],
)
def test_resolution_order(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    attribute: bool,
    variable: bool,
    ini: bool,
    expected: str,
    source: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("")  # stops the search for a .env above tmp_path
    if variable:
        monkeypatch.setenv("DATABASE_URL", url_for("variable"))

    resolved = environment(tmp_path, attribute=attribute, ini=ini).url

    assert resolved.url.database == expected
    assert resolved.source == source
    assert resolved.url.password == SENTINEL
    assert resolved.masked == f"postgresql+psycopg://someone:***@db.example/{expected}"


def test_the_default_is_a_sqlite_file_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("")

    resolved = environment(tmp_path).url

    assert resolved.source == "default"
    assert resolved.url.render_as_string() == f"sqlite:///{tmp_path}/mindmirror.db"


@pytest.mark.parametrize("value", ["", "   "])
def test_a_blank_database_url_variable_is_refused_not_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("")
    monkeypatch.setenv("DATABASE_URL", value)

    with pytest.raises(DatabaseUrlError) as raised:
        _ = environment(tmp_path, ini=True).url

    assert str(raised.value) == (
        "DATABASE_URL is set but empty; set it to a database URL "
        "(dialect[+driver]://user:password@host:port/database), or unset it to use "
        "sqlalchemy.url or the default SQLite file"
    )


@pytest.mark.parametrize("where", [".", "parent", "grandparent"])
def test_a_dotenv_found_from_the_working_directory_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    levels = {".": 0, "parent": 1, "grandparent": 2}[where]
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    dotenv = [work, work.parent, work.parent.parent][levels] / ".env"
    dotenv.write_text(f"DATABASE_URL='{url_for('dotenv')}'\nACFG_TEST_EXTRA=loaded\n")
    monkeypatch.chdir(work)

    resolved = environment(work, ini=True).url

    assert (resolved.url.database, resolved.source) == ("dotenv", "DATABASE_URL")
    assert resolved.url.password == SENTINEL
    assert os.environ["ACFG_TEST_EXTRA"] == "loaded"
    assert dotenv.resolve() in loaded_dotenv_files()


def test_a_dotenv_never_overrides_a_variable_already_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        f"DATABASE_URL={url_for('dotenv')}\nACFG_TEST_SET=from-dotenv\nACFG_TEST_NEW=from-dotenv\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url_for("variable"))
    monkeypatch.setenv("ACFG_TEST_SET", "from-environment")

    resolved = environment(tmp_path).url

    assert resolved.url.database == "variable"
    assert os.environ["DATABASE_URL"] == url_for("variable")
    assert os.environ["ACFG_TEST_SET"] == "from-environment"
    assert os.environ["ACFG_TEST_NEW"] == "from-dotenv"


def test_resolve_with_an_explicit_environ_reads_no_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"DATABASE_URL={url_for('dotenv')}\nACFG_TEST_UNREAD=x\n")

    resolved = resolve_database_url(ini_url=url_for("ini"), environ={}, cwd=tmp_path)

    assert (resolved.url.database, resolved.source) == ("ini", "sqlalchemy.url")
    assert "ACFG_TEST_UNREAD" not in os.environ


def test_resolve_database_url_takes_its_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("")

    resolved = resolve_database_url(cwd=tmp_path)

    assert resolved.source == "default"
    assert resolved.url.database == str(tmp_path / "mindmirror.db")


# -- named environment files ---------------------------------------------------------------------


def test_a_named_environment_file_is_loaded_over_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("ACFG_TEST_A=base\nACFG_TEST_B=base\nACFG_TEST_C=base\n")
    (tmp_path / ".env.staging").write_text("ACFG_TEST_A=staging\nACFG_TEST_C=staging\n")
    monkeypatch.setenv("ACFG_TEST_C", "environment")
    monkeypatch.chdir(tmp_path)

    loaded = load_dotenv_files("staging")

    assert loaded == (tmp_path.resolve() / ".env.staging", tmp_path.resolve() / ".env")
    assert os.environ["ACFG_TEST_A"] == "staging"
    assert os.environ["ACFG_TEST_B"] == "base"
    assert os.environ["ACFG_TEST_C"] == "environment"


def test_load_dotenv_files_can_fill_another_mapping(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ACFG_TEST_A=base\n")
    target = {"ACFG_TEST_KEEP": "kept"}

    load_dotenv_files(cwd=tmp_path, environ=target)

    assert target == {"ACFG_TEST_KEEP": "kept", "ACFG_TEST_A": "base"}
    assert "ACFG_TEST_A" not in os.environ


def test_a_missing_named_environment_file_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("ACFG_TEST_A=base\n")
    monkeypatch.chdir(tmp_path)

    with pytest.raises(EnvironmentFileError) as caught:
        load_dotenv_files("staging")

    start = tmp_path.resolve()
    assert str(caught.value) == f"no .env.staging found in {start} or any folder above it"
    assert (caught.value.name, caught.value.searched_from) == ("staging", str(start))
    assert "ACFG_TEST_A" not in os.environ


# -- the ini file --------------------------------------------------------------------------------


def test_a_doubled_percent_in_the_ini_url_is_read_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("")

    resolved = environment(tmp_path, ini=True).url

    assert resolved.url.password == SENTINEL


def test_a_percent_in_the_ini_url_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("")
    ini = write_ini(tmp_path, extra=f"sqlalchemy.url = {url_for('ini')}\n")

    with pytest.raises(DatabaseUrlError) as caught:
        _ = MigrationEnvironment(Config(str(ini))).url

    assert str(caught.value) == (
        f"sqlalchemy.url in {ini} contains a '%' that the ini format cannot read; "
        "write it as '%%', or set DATABASE_URL instead"
    )
