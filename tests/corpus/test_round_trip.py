"""The round trip of every corpus service on SQLite, PostgreSQL and MariaDB.

Autogenerate into an empty database, upgrade, check clean, autogenerate again
(nothing written), downgrade to base (only bookkeeping left: no table, enum type
or sequence), upgrade again; then the schema equals ``metadata.create_all()``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.cli.support import expect, revisions
from tests.corpus.conftest import MakeCli
from tests.corpus.support import SERVICES, CorpusService, differences, snapshot
from tests.support.databases import BACKENDS, BOOKKEEPING, isolated_database

CASES = [
    pytest.param(service, backend, id=f"{service.name}-{backend}")
    for service in SERVICES
    for backend in BACKENDS
    if backend in service.backends
]


def _service_metadata(name: str) -> sa.MetaData:
    """The service's own models, as its entry point gives them (not the merged copy)."""
    from alembic_config._discovery import discover_services, load_service

    sources, _ = discover_services()
    (source,) = [s for s in sources if s.name == name]
    return load_service(source)


def _create_schemas(url: str, schemas: tuple[str, ...]) -> None:
    if not schemas:
        return
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            for schema in schemas:
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    finally:
        engine.dispose()


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url, poolclass=sa.NullPool)


# SQLite cannot reflect an expression index (mlflow has one): Alembic says so and skips it
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
# SQLAlchemy's SQLite reflection cannot pair an unnamed composite foreign key of mlflow's
@pytest.mark.filterwarnings("ignore:.*SQL-parsed foreign key constraint:sqlalchemy.exc.SAWarning")
# SQLite reflects a stored computed column's expression as empty: Alembic warns, writes nothing
@pytest.mark.filterwarnings("ignore:Computed default on edge_orders.total cannot be modified")
@pytest.mark.parametrize(("service", "backend"), CASES)
def test_round_trip(
    service: CorpusService, backend: str, corpus_cli: MakeCli, tmp_path: Path
) -> None:
    with isolated_database(backend, tmp_path) as db, isolated_database(backend, tmp_path) as ref:
        for url in (db.url, ref.url):
            _create_schemas(url, service.schemas)
        schemas = (None, *service.schemas)
        cli = corpus_cli(service.name, db.url)
        expect(cli("db", "revision", "--autogenerate", "-m", "initial"))
        (written,) = revisions(cli.project)
        expect(cli("db", "upgrade"))
        expect(cli("db", "check"))
        again = expect(cli("db", "revision", "--autogenerate", "-m", "again"))
        assert revisions(cli.project) == [written], again.stdout + written.read_text()
        expect(cli("db", "downgrade", "base", "--yes"))
        engine = _engine(db.url)
        try:
            with engine.connect() as conn:
                left = snapshot(conn, schemas=schemas)
            sequences = {f"sequences {schema}" for schema in schemas}
            assert set(left) - sequences - {"enums"} <= BOOKKEEPING
            assert not any(left.get(key) for key in sequences), left
            assert not left.get("enums"), left
            expect(cli("db", "upgrade"))
            metadata = _service_metadata(service.name)
            reference = _engine(ref.url)
            try:
                metadata.create_all(reference)
                with reference.connect() as conn:
                    expected = snapshot(conn, schemas=schemas)
            finally:
                reference.dispose()
            with engine.connect() as conn:
                migrated = snapshot(conn, ignore=BOOKKEEPING, schemas=schemas)
        finally:
            engine.dispose()
        assert migrated == expected, differences(migrated, expected)
