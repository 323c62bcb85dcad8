"""The same model definitions create a schema that compares clean on every backend.

Independent of the migrations: ``create_all`` builds the schema straight from the
merged metadata, then Alembic compares it back, types and server defaults included.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.services.conftest import make_engine
from tests.support.databases import TestDatabase


def test_created_schema_matches_the_models(
    database: TestDatabase, services_metadata: sa.MetaData
) -> None:
    engine = make_engine(database.url)
    try:
        services_metadata.create_all(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            assert compare_metadata(context, services_metadata) == []
            assert set(sa.inspect(conn).get_table_names()) == set(services_metadata.tables)
    finally:
        engine.dispose()
