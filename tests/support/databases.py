"""Isolated throw-away databases on the real servers of this machine.

Every test that needs a database gets its own: a fresh SQLite file, a fresh
PostgreSQL database or a fresh MariaDB database, dropped again afterwards.
Servers that are down make those tests skip, unless ``REQUIRE_DATABASES=1``
(set by ``.ci/run``) turns the skip into a failure. ``TEST_BACKENDS=sqlite,postgresql``
skips the tests of the backends it leaves out (the version-bounds sessions use it).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

BACKENDS = ("sqlite", "postgresql", "mariadb")

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MARIADB_ADMIN_URL = os.environ.get("TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test")


@dataclass(frozen=True)
class TestDatabase:
    """One isolated database: its backend, its URL (with an explicit driver) and its name."""

    __test__ = False

    backend: str
    url: str
    name: str

    @property
    def plain_url(self) -> str:
        """The URL without a driver name, as a user would write it in DATABASE_URL."""
        return self.url.replace("+psycopg", "").replace("mysql+pymysql", "mysql")


def _server_is_up(url: str) -> bool:
    parsed = sa.make_url(url)
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 0), timeout=2):
            return True
    except OSError:
        return False


def chosen_backends() -> tuple[str, ...]:
    """The backends named in ``TEST_BACKENDS`` (comma-separated), or all of them."""
    named = os.environ.get("TEST_BACKENDS", "").replace(" ", "")
    if not named:
        return BACKENDS
    chosen = tuple(name for name in named.split(",") if name)
    unknown = sorted(set(chosen) - set(BACKENDS))
    if unknown:
        raise pytest.UsageError(
            f"TEST_BACKENDS names {', '.join(unknown)}: choose among {', '.join(BACKENDS)}"
        )
    return chosen


def require_server(backend: str) -> None:
    """Skip when ``backend`` is left out of ``TEST_BACKENDS``; skip (or fail under CI) when the
    server behind it is not running."""
    if backend not in chosen_backends():
        pytest.skip(f"{backend} is not among TEST_BACKENDS={os.environ['TEST_BACKENDS']}")
    if backend == "sqlite":
        return
    url = POSTGRES_ADMIN_URL if backend == "postgresql" else MARIADB_ADMIN_URL
    if _server_is_up(url):
        return
    reason = f"{backend} is not running at {sa.make_url(url).host}:{sa.make_url(url).port}"
    if os.environ.get("REQUIRE_DATABASES") == "1":
        pytest.fail(f"{reason}; REQUIRE_DATABASES=1 makes it mandatory")
    pytest.skip(reason)


def _admin_engine(backend: str) -> sa.Engine:
    url = POSTGRES_ADMIN_URL if backend == "postgresql" else MARIADB_ADMIN_URL
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)


@contextmanager
def isolated_database(backend: str, tmp_path: Path) -> Iterator[TestDatabase]:
    """Create a fresh database on ``backend`` and drop it when the block ends."""
    require_server(backend)
    name = f"t_{uuid.uuid4().hex[:12]}"
    if backend == "sqlite":
        path = tmp_path / f"{name}.db"
        yield TestDatabase(backend, f"sqlite:///{path}", name)
        return
    admin = _admin_engine(backend)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        url = sa.make_url(str(admin.url)).set(database=name)
        yield TestDatabase(backend, url.render_as_string(hide_password=False), name)
    finally:
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


def table_names(url: str) -> set[str]:
    """Names of the tables that exist in the database at ``url``."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


def scalar(url: str, sql: str) -> object:
    """The single value ``sql`` returns from the database at ``url``."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql(sql).scalar()
    finally:
        engine.dispose()


#: what an upgraded database holds besides the services' tables: Alembic's version table and
#: alembic-config's ownership and checksum records (DESIGN §7), which downgrades keep
BOOKKEEPING = frozenset({"alembic_version", "alembic_version_owners", "alembic_version_checksums"})
