"""New tables reversed and rendered from the model: the same revision files as stock Alembic.

For every corpus service and backend, ``db revision --autogenerate`` runs twice
against the same empty database: with :mod:`alembic_config.autogenerate.new_tables`
and with it turned off. The two files differ only in their revision id and date.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic_config.autogenerate import new_tables

from tests.cli.support import expect, revisions
from tests.corpus.conftest import MakeCli
from tests.corpus.support import CorpusService
from tests.corpus.test_round_trip import CASES
from tests.support.databases import isolated_database

pytestmark = pytest.mark.skipif(
    new_tables.plugin_names() is None, reason="Alembic before 1.18 has no autogenerate plugins"
)

_IDENTITY = re.compile(r"^(Revision ID: |Create Date: |revision: str = ).*$", re.MULTILINE)


def _written(cli_project: Path) -> str:
    (path,) = revisions(cli_project)
    text = _IDENTITY.sub(r"\1...", path.read_text())
    path.unlink()
    return text


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
@pytest.mark.filterwarnings("ignore:.*SQL-parsed foreign key constraint:sqlalchemy.exc.SAWarning")
@pytest.mark.parametrize(("service", "backend"), CASES)
def test_the_revision_file_is_the_same_without_the_plugin(
    service: CorpusService,
    backend: str,
    corpus_cli: MakeCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with isolated_database(backend, tmp_path) as db:
        engine = sa.create_engine(db.url, poolclass=sa.NullPool)
        try:
            with engine.begin() as conn:
                for schema in service.schemas:
                    conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        finally:
            engine.dispose()
        cli = corpus_cli(service.name, db.url)
        expect(cli("db", "revision", "--autogenerate", "-m", "initial"))
        with_plugin = _written(cli.project)
        monkeypatch.setattr(new_tables, "plugin_names", lambda: None)
        expect(cli("db", "revision", "--autogenerate", "-m", "initial"))
        without = _written(cli.project)
    assert "op.create_table(" in with_plugin
    assert "op.drop_table(" in with_plugin
    assert with_plugin == without
