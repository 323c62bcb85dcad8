"""``shared_service.database``: built lazily from the resolved URL, reset by ``dispose_engine``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from shared_service import database as shared_db
from shared_service.models import User

from tests.support.databases import TestDatabase


@pytest.fixture(autouse=True)
def no_engine() -> Iterator[None]:
    """Every test starts and ends without an engine."""
    shared_db.dispose_engine()
    yield
    shared_db.dispose_engine()


def test_importing_connects_to_nothing(tmp_path: Path) -> None:
    path = tmp_path / "lazy.db"
    code = (
        "import os, sys\n"
        "import shared_service.database as d\n"
        "assert 'alembic_config' not in sys.modules, 'the URL was resolved at import'\n"
        f"assert not os.path.exists({str(path)!r}), 'connected at import'\n"
        "with d.get_engine().connect() as c:\n"
        "    print(c.exec_driver_sql('select 1').scalar())\n"
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"
    assert path.exists()


@pytest.mark.parametrize("plain", [False, True], ids=["with-driver", "without-driver"])
def test_engine_uses_database_url(
    monkeypatch: pytest.MonkeyPatch, database: TestDatabase, plain: bool
) -> None:
    monkeypatch.setenv("DATABASE_URL", database.plain_url if plain else database.url)
    engine = shared_db.get_engine()
    expected = sa.make_url(database.url)
    assert (engine.url.database, engine.url.drivername) == (expected.database, expected.drivername)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("select 1").scalar() == 1


def test_engine_is_built_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'one.db'}")
    engine = shared_db.get_engine()
    assert shared_db.get_engine() is engine
    assert shared_db.engine is engine
    assert shared_db.SessionLocal is shared_db.get_session_factory()
    assert shared_db.get_session_factory().kw["bind"] is engine


def test_dispose_engine_resolves_the_url_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'first.db'}")
    first = shared_db.get_engine()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'second.db'}")
    assert shared_db.get_engine() is first

    shared_db.dispose_engine()
    second = shared_db.get_engine()
    assert second is not first
    assert second.url.database == str(tmp_path / "second.db")


def test_get_db_yields_a_session_and_closes_it(
    monkeypatch: pytest.MonkeyPatch, database: TestDatabase, services_metadata: sa.MetaData
) -> None:
    monkeypatch.setenv("DATABASE_URL", database.url)
    services_metadata.create_all(shared_db.get_engine())

    dependency = shared_db.get_db()
    session = next(dependency)
    session.add(User(email="kept@example.com"))
    session.commit()
    session.add(User(email="dropped@example.com"))
    session.flush()
    with pytest.raises(StopIteration):
        next(dependency)

    with shared_db.get_session_factory()() as check:
        emails = check.scalars(sa.select(User.email)).all()
    assert emails == ["kept@example.com"]


def test_sqlite_enforces_foreign_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fk.db'}")
    with shared_db.get_engine().connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Engine'"):
        _ = shared_db.Engine
