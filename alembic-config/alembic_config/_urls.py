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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote_plus

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from alembic_config._dotenv import load_dotenv_files
from alembic_config._errors import DatabaseUrlError, MissingDriverError

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
# what SQLAlchemy's parser reads as host, port and database once a password has ended at the
# first '@': another '@' there means the password itself holds an '@' that was not URL-encoded
_AFTER_PASSWORD = re.compile(r"^[\w+]+://[^:/]*:[^@]*@(?P<rest>[^?]*)", re.DOTALL)
_URL_SHAPE = "dialect[+driver]://user:password@host:port/database"
# query parameters that carry a secret: libpq's password, MySQL drivers' passwd, ODBC's pwd...
_SECRET_PARAMETER = re.compile(
    r"^(password|passwd|pwd|pass|sslpassword|secret|token|auth_token|access_token|api_key|"
    r"apikey|client_secret)$|password|secret",
    re.IGNORECASE,
)
# a query parameter in a URL's text (parsed or not): its name and its value up to '&' or '#'
_QUERY_PARAMETER = re.compile(r"(?P<head>[?&;](?P<key>[^=&#?;]*)=)(?P<value>[^&#;]*)")
# a URL that does not parse, read loosely: a scheme, any separator, a user, ':', a password, '@'
_LOOSE_USERINFO = re.compile(
    r"^(?P<head>\s*[A-Za-z][\w+.\-]*:?/*[^:/@?#]*)(?P<password>:.*)?@(?P<tail>[^@]*)$", re.DOTALL
)
_SCHEME_AND_USER = re.compile(r"^\s*[A-Za-z][\w+.\-]*(://|//|:/)[^:/@?#]*$")
# what is left of '://' when it was mistyped: 'postgresql//', 'postgresql:/', 'postgresql:u'
_BROKEN_SEPARATOR = re.compile(
    r"^\s*(?P<scheme>[A-Za-z][\w.\-]*(\+[\w.\-]+)?)(?P<sep>//|:/(?!/)|:(?!//))"
)


@dataclass(frozen=True)
class ResolvedUrl:
    """A normalised database URL and where it came from. Its text form is always masked."""

    url: URL
    source: str

    @property
    def masked(self) -> str:
        """The URL with its password (user info and query parameters) replaced by ``***``."""
        return mask_url(self.url)

    @property
    def backend(self) -> str:
        """The dialect name: ``postgresql``, ``mysql``, ``mariadb``, ``sqlite``..."""
        return self.url.get_backend_name()

    @property
    def secrets(self) -> tuple[str, ...]:
        """The password of the user info and the values of secret query parameters."""
        found = [str(self.url.password)] if self.url.password else []
        for key, value in self.url.query.items():
            if _SECRET_PARAMETER.search(key):
                found.extend([value] if isinstance(value, str) else value)
        return tuple(secret for secret in found if secret)

    def redact(self, text: str) -> str:
        """``text`` with every spelling of this URL's secrets replaced by ``***``."""
        for secret in self.secrets:
            text = redact_password(text, secret)
        return text

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"ResolvedUrl({self.masked!r}, source={self.source!r})"


def _spellings(password: str) -> set[str]:
    """How a password may be written: raw, URL-quoted, form-quoted, in upper or lower hex."""
    quoted = {quote(password, safe=""), quote(password), quote_plus(password)}
    lower = {re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), q) for q in quoted}
    return {password, *quoted, *lower}


def redact_password(text: str, password: str | None) -> str:
    """Replace ``password`` (raw, URL-quoted and form-quoted) in ``text`` by ``***``."""
    if not password:
        return text
    for spelling in sorted(_spellings(password), key=len, reverse=True):
        text = text.replace(spelling, MASK)
    return text


def mask_url(raw: str | URL) -> str:
    """A URL safe to show: every password replaced by ``***``, even when the URL does not parse.

    Masked: the password of the user info and the value of every query
    parameter that carries a secret (``password``, ``passwd``, ``pwd``...).
    """
    if isinstance(raw, URL):
        return _mask_query(raw.render_as_string(hide_password=True))
    if _unencoded_at_in_password(raw):
        # parsed, the password would end at its own '@' and the rest of it show as the host
        return _mask_unparsed(raw)
    try:
        return mask_url(make_url(raw))
    except (ArgumentError, ValueError, TypeError):
        return _mask_unparsed(raw)


def _mask_query(text: str) -> str:
    """Mask the value of every query parameter named like a secret."""

    def mask(match: re.Match[str]) -> str:
        secret = _SECRET_PARAMETER.search(unquote_plus(match["key"]))
        return f"{match['head']}{MASK}" if secret else match[0]

    return _QUERY_PARAMETER.sub(mask, text)


def _mask_unparsed(raw: str) -> str:
    """Mask everything between the user name and the last ``@``, and secret parameters."""
    if "@" in raw:
        loose = _LOOSE_USERINFO.match(raw)
        if loose is not None and loose["password"] is not None:
            raw = f"{loose['head']}:{MASK}@{loose['tail']}"
        elif loose is None or not _SCHEME_AND_USER.match(loose["head"]):
            # no telling the user from the password: hide all that comes before the last '@'
            raw = f"{MASK}@{raw.rpartition('@')[2]}"
    return _mask_query(raw)


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
    broken = _BROKEN_SEPARATOR.match(raw) if isinstance(raw, str) else None
    if broken is not None and "://" not in raw:
        raise DatabaseUrlError(
            f"malformed database URL {masked}: the dialect must be followed by '://' "
            f"(found {broken['sep']!r}); expected {_URL_SHAPE}",
            masked_url=masked,
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
    _require_valid_port(url, masked)
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


def _require_valid_port(url: URL, masked: str) -> None:
    """A port outside 1-65535 is a typo in the URL, not an unreachable database."""
    if url.port is not None and not 0 < url.port < 65536:
        raise DatabaseUrlError(
            f"malformed database URL {masked}: port {url.port} is not between 1 and 65535",
            masked_url=masked,
        )


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
    raw = environ.get(DATABASE_URL_ENV)
    if raw is not None and not raw.strip():
        # set but blank is a mistake (an unset secret in CI...), not a wish for the default
        raise DatabaseUrlError(
            f"{DATABASE_URL_ENV} is set but empty; set it to a database URL ({_URL_SHAPE}), "
            "or unset it to use sqlalchemy.url or the default SQLite file",
            masked_url="",
        )
    if raw:
        return ResolvedUrl(normalize_url(raw), source=DATABASE_URL_ENV)
    if ini_url and ini_url.strip():
        return ResolvedUrl(normalize_url(ini_url), source="sqlalchemy.url")
    return ResolvedUrl(default_url(cwd), source="default")
