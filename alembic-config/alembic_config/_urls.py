"""Where the database URL comes from, how it is normalised, and how it is shown (masked).

Resolution order: ``DATABASE_URL`` (after loading a ``.env`` found from the
working directory, which never overrides the environment), then
``sqlalchemy.url`` from the ini file, then the embedded default: a SQLite file
in the working directory. A connection handed to Alembic through
``config.attributes["connection"]`` bypasses all of this (see ``env.py``).

The URL is never written into Alembic's ``Config`` (whose ConfigParser would
interpolate a ``%`` in a password) and is only ever shown masked.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from alembic_config._errors import DatabaseUrlError, EnvironmentFileError, MissingDriverError

logger = logging.getLogger(__name__)

DATABASE_URL_ENV = "DATABASE_URL"
DEFAULT_SQLITE_FILE = "mindmirror.db"
MASK = "***"

# backend -> (extra that installs a driver, drivers in order of preference as (driver, module))
_DRIVERS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "postgresql": ("postgresql", (("psycopg2", "psycopg2"), ("psycopg", "psycopg"))),
    "mysql": ("mysql", (("mysqldb", "MySQLdb"), ("pymysql", "pymysql"))),
    "mariadb": ("mysql", (("mysqldb", "MySQLdb"), ("pymysql", "pymysql"))),
}
# asynchronous drivers an application may use; migrations run synchronously
_ASYNC_DRIVERS = {"asyncpg", "psycopg_async", "aiomysql", "asyncmy", "aiosqlite"}
_UNPARSED_PASSWORD = re.compile(r"(?P<head>://[^:/@?#]*:).*(?P<tail>@[^@]*)$", re.DOTALL)
# what SQLAlchemy's parser reads as host, port and database once a password has ended at the
# first '@': another '@' there means the password itself holds an '@' that was not URL-encoded
_AFTER_PASSWORD = re.compile(r"^[\w+]+://[^:/]*:[^@]*@(?P<rest>[^?]*)", re.DOTALL)
_URL_SHAPE = "dialect[+driver]://user:password@host:port/database"

_loaded_dotenv: list[Path] = []


@dataclass(frozen=True)
class ResolvedUrl:
    """A normalised database URL and where it came from. Its text form is always masked."""

    url: URL
    source: str

    @property
    def masked(self) -> str:
        """The URL with its password replaced by ``***``."""
        return self.url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        """The dialect name: ``postgresql``, ``mysql``, ``mariadb``, ``sqlite``..."""
        return self.url.get_backend_name()

    def redact(self, text: str) -> str:
        """``text`` with every spelling of this URL's password replaced by ``***``."""
        return redact_password(text, self.url.password)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"ResolvedUrl({self.masked!r}, source={self.source!r})"


def redact_password(text: str, password: str | None) -> str:
    """Replace ``password`` (raw, URL-quoted and form-quoted) in ``text`` by ``***``."""
    if not password:
        return text
    for spelling in sorted({password, quote(password, safe=""), quote_plus(password)}, key=len)[
        ::-1
    ]:
        text = text.replace(spelling, MASK)
    return text


def mask_url(raw: str | URL) -> str:
    """A URL safe to show: the password replaced by ``***``, even when the URL does not parse."""
    if isinstance(raw, URL):
        return raw.render_as_string(hide_password=True)
    if _unencoded_at_in_password(raw):
        # parsed, the password would end at its own '@' and the rest of it show as the host
        return _mask_unparsed(raw)
    try:
        return make_url(raw).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        return _mask_unparsed(raw)


def _mask_unparsed(raw: str) -> str:
    """Mask everything between the user name and the last ``@``."""
    return _UNPARSED_PASSWORD.sub(lambda m: f"{m['head']}{MASK}{m['tail']}", raw)


def _unencoded_at_in_password(raw: str) -> bool:
    """Whether ``raw`` has a password followed by a second ``@`` before its query."""
    match = _AFTER_PASSWORD.match(raw.strip())
    return match is not None and "@" in match["rest"]


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def normalize_url(raw: str | URL) -> URL:
    """Parse and normalise a URL: ``postgres://`` accepted, a driver chosen for plain URLs.

    Plain ``postgresql://`` and ``mysql://`` get an installed driver; asynchronous
    drivers are swapped for a synchronous one (migrations run synchronously).
    """
    masked = mask_url(raw)
    if isinstance(raw, str) and not raw.strip():
        raise DatabaseUrlError(
            f"the database URL is empty; expected {_URL_SHAPE}", masked_url=masked
        )
    if isinstance(raw, str) and _unencoded_at_in_password(raw):
        raise DatabaseUrlError(
            f"malformed database URL {masked}: the password contains an '@' that is not "
            "URL-encoded; write special characters in the password URL-encoded "
            "(%40 for @, %2F for /, %25 for %)",
            masked_url=masked,
        )
    try:
        url = raw if isinstance(raw, URL) else make_url(raw.strip())
    except (ArgumentError, ValueError):
        # the parser's own message may quote the URL, password included: never show it
        raise DatabaseUrlError(
            f"malformed database URL {masked}: it could not be parsed; expected "
            f"{_URL_SHAPE}, with special characters "
            "in the password URL-encoded (e.g. %40 for @)",
            masked_url=masked,
        ) from None
    if url.drivername.split("+")[0] == "postgres":
        url = url.set(drivername="postgresql" + url.drivername[len("postgres") :])
    backend, _, driver = url.drivername.partition("+")
    if driver in _ASYNC_DRIVERS:
        logger.info("using a synchronous driver instead of %s for migrations", driver)
        driver = ""
        url = url.set(drivername=backend)
    if not driver and backend in _DRIVERS:
        extra, candidates = _DRIVERS[backend]
        chosen = next((name for name, module in candidates if _installed(module)), None)
        if chosen is None:
            raise MissingDriverError(masked_url=masked, backend=backend, extra=extra)
        url = url.set(drivername=f"{backend}+{chosen}")
    try:
        url.get_dialect()
    except NoSuchModuleError:
        raise DatabaseUrlError(
            f"unknown database dialect or driver {url.drivername!r} in {masked}",
            masked_url=masked,
        ) from None
    return url


def default_url(cwd: Path | None = None) -> URL:
    """The embedded default: a SQLite file named ``mindmirror.db`` in the working directory."""
    path = (cwd or Path.cwd()) / DEFAULT_SQLITE_FILE
    return URL.create("sqlite", database=str(path))


def resolve_database_url(
    *,
    ini_url: str | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ResolvedUrl:
    """Resolve the database URL: ``DATABASE_URL``, then ``ini_url``, then the SQLite default.

    With ``environ`` left out, a ``.env`` found from ``cwd`` (default: the working
    directory) is loaded into ``os.environ`` first, never overriding a variable
    that is already set.
    """
    if environ is None:
        load_dotenv_files(cwd=cwd)
        environ = os.environ
    raw = environ.get(DATABASE_URL_ENV, "").strip()
    if raw:
        return ResolvedUrl(normalize_url(raw), source=DATABASE_URL_ENV)
    if ini_url and ini_url.strip():
        return ResolvedUrl(normalize_url(ini_url), source="sqlalchemy.url")
    return ResolvedUrl(default_url(cwd), source="default")


def _find_upwards(name: str, start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def load_dotenv_files(
    env_name: str | None = None,
    *,
    cwd: Path | None = None,
    environ: MutableMapping[str, str] | None = None,
) -> tuple[Path, ...]:
    """Load ``.env.<env_name>`` (if named) and ``.env``, found from ``cwd`` upwards.

    Variables already set win; ``.env.<env_name>`` wins over ``.env``. Returns the
    files read. A named environment whose file is missing is an error.
    """
    from dotenv import dotenv_values

    start = (cwd or Path.cwd()).resolve()
    target = os.environ if environ is None else environ
    files: list[Path] = []
    if env_name:
        named = _find_upwards(f".env.{env_name}", start)
        if named is None:
            raise EnvironmentFileError(
                f"no .env.{env_name} found in {start} or any folder above it",
                name=env_name,
                searched_from=str(start),
            )
        files.append(named)
    plain = _find_upwards(".env", start)
    if plain is not None:
        files.append(plain)
    for path in files:
        for key, value in dotenv_values(path).items():
            if value is not None and key not in target:
                target[key] = value
        if path not in _loaded_dotenv:
            _loaded_dotenv.append(path)
        logger.debug("environment file %s loaded", path)
    return tuple(files)


def loaded_dotenv_files() -> tuple[Path, ...]:
    """Every environment file loaded so far in this process, in loading order."""
    return tuple(_loaded_dotenv)
