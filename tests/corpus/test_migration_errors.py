"""A revision whose Python code raises: exit 8, the revision and the error named, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.support import expect
from tests.corpus.conftest import MakeCli
from tests.support.databases import BACKENDS, isolated_database

BROKEN = '''"""a revision that names something it never imported"""

import sqlalchemy as sa
from alembic import op

revision = "a1_broken"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("notes", sa.Column("id", sa.Integer, primary_key=True))
    op.add_column("notes", sa.Column("body", mlflow.Text()))  # noqa: F821


def downgrade() -> None:
    op.drop_table("notes")
'''


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_python_error_in_a_revision_exits_8(
    backend: str, corpus_cli: MakeCli, tmp_path: Path
) -> None:
    with isolated_database(backend, tmp_path) as db:
        cli = corpus_cli("apscheduler_jobs", db.url)
        (cli.project / "versions" / "a1_broken.py").write_text(BROKEN)
        outcome = expect(cli("db", "upgrade"), 8)
        assert "error: revision a1_broken failed (upgrade, " in outcome.error
        assert "a1_broken.py): NameError: name 'mlflow' is not defined" in outcome.error
        assert "Traceback" not in outcome.stderr
        if backend == "mariadb":
            assert "the database is now in a partial state: revision a1_broken" in outcome.error
            assert "mindmirror db repair --yes" in outcome.error
        else:
            assert "partial state" not in outcome.error
            verbose = expect(cli("-v", "db", "upgrade"), 8)
            assert "Traceback (most recent call last)" in verbose.stderr
            assert "line 14, in upgrade" in verbose.stderr
