"""The product's engines keep a small compiled-statement cache, on every backend.

A migration run stamps each revision with a statement of its own (Alembic writes
the version numbers as literals); a cache of SQLAlchemy's default size kept
hundreds of them for nothing. Statements that repeat still come from the cache.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic_config import ResolvedUrl, normalize_url
from alembic_config._connections import MIGRATION_QUERY_CACHE_SIZE, connected
from sqlalchemy.engine.interfaces import CacheStats

from tests.support.databases import TestDatabase

STAMPS = 300


def test_one_statement_per_revision_does_not_fill_the_cache(database: TestDatabase) -> None:
    version = sa.table("cache_probe", sa.column("version_num", sa.String(32)))
    repeated = sa.select(version.c.version_num).where(version.c.version_num == sa.bindparam("v"))
    with connected(ResolvedUrl(normalize_url(database.url), source="test")) as conn:
        conn.execute(sa.text("CREATE TABLE cache_probe (version_num VARCHAR(32))"))
        conn.execute(version.insert().values(version_num="r0"))
        for number in range(STAMPS):  # as Alembic stamps: the values are literals
            stamp = (
                version.update()
                .where(version.c.version_num == sa.literal_column(f"'r{number}'"))
                .values(version_num=sa.literal_column(f"'r{number + 1}'"))
            )
            assert conn.execute(stamp).rowcount == 1
            result = conn.execute(repeated, {"v": f"r{number + 1}"})
            assert result.scalar_one() == f"r{number + 1}"
            if number > 0:
                assert result.context.cache_hit == CacheStats.CACHE_HIT
        cache = conn.engine._compiled_cache
        assert cache is not None
        # SQLAlchemy's LRU cache prunes back to its size once it holds half as much again
        assert len(cache) <= MIGRATION_QUERY_CACHE_SIZE * 3 // 2
        conn.execute(sa.text("DROP TABLE cache_probe"))
