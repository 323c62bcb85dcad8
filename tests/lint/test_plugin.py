"""The ``alembic_config.lint`` Alembic plugin: lint findings for any env.py's autogenerate."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import produce_migrations
from alembic.runtime.migration import MigrationContext
from alembic.runtime.plugins import _all_plugins

from tests.support.databases import isolated_database


def test_the_plugin_is_published_to_alembic() -> None:
    assert "alembic_config.lint" in _all_plugins


@pytest.mark.parametrize("enabled", [True, False])
def test_the_plugin_logs_the_findings_of_an_autogenerate_when_enabled(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, enabled: bool
) -> None:
    with isolated_database("postgresql", tmp_path) as db:
        engine = sa.create_engine(db.url, poolclass=sa.NullPool)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE things (id integer PRIMARY KEY, name text)")
        metadata = sa.MetaData()
        sa.Table(
            "things",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.Text, index=True),
        )
        plugins = ["alembic.autogenerate.*"] + (["alembic_config.lint"] if enabled else [])
        caplog.set_level(logging.INFO, logger="alembic_config.lint.plugin")
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"target_metadata": metadata, "autogenerate_plugins": plugins}
            )
            script = produce_migrations(context, metadata)
        engine.dispose()
    assert not script.upgrade_ops.is_empty()
    found = [r.getMessage() for r in caplog.records if r.name == "alembic_config.lint.plugin"]
    if not enabled:
        assert found == []
        return
    (message,) = found
    assert message.startswith(
        "lint: error index-without-concurrently  revision (new revision): "
        "create_index ix_things_name on things"
    )
