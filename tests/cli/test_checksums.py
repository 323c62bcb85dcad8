"""Checksums of applied revisions on SQLite, PostgreSQL and MariaDB: an edited operation is
caught before the next upgrade, a reformatting is not, and a reviewed edit is accepted."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import MakeCli
from tests.cli.support import Mindmirror, execute, expect, revision_file
from tests.support.databases import BACKENDS, TestDatabase
from tests.support.services import BIN, CLEAN, subprocess_env

pytestmark = pytest.mark.parametrize("backend_database", BACKENDS, indirect=True)

FIRST = '''"""First revision."""
from alembic import op
import sqlalchemy as sa

revision = "r1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("notes", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("notes")
'''

# the same code after a formatter and an import sorter: other quotes, wrapping, comments
REFORMATTED = """'''First revision, with a longer docstring.'''

import sqlalchemy as sa
from alembic import op

revision = 'r1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    '''Create the notes table.'''
    # one table
    op.create_table(
        'notes',
        sa.Column('id', sa.Integer, primary_key=True),
    )


def downgrade() -> None:
    op.drop_table('notes')
"""

EDITED = FIRST.replace(
    'op.create_table("notes", sa.Column("id", sa.Integer, primary_key=True))',
    'op.create_table("notes", sa.Column("id", sa.Integer, primary_key=True))\n'
    '    op.create_table("extra", sa.Column("id", sa.Integer, primary_key=True))',
)


def _project(mm: Mindmirror) -> Path:
    path = mm.project / "versions" / "r1.py"
    path.write_text(FIRST)
    return path


def _stock(mm: Mindmirror, site: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "alembic"), "-c", str(mm.project / "alembic.ini"), *args],
        cwd=mm.project,
        env=subprocess_env(site, DATABASE_URL=url, ALEMBIC_CONFIG_SERVICES=CLEAN),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_checksum_round_trip(
    backend_database: TestDatabase, make_cli: MakeCli, fixture_site: Path
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    path = _project(mm)
    expect(mm("db", "upgrade"))
    revision_file(mm.project, "r2", "r1", "second")

    path.write_text(REFORMATTED)  # formatting only: not an edit
    expect(mm("db", "status", "--check"), 1)  # behind (r2 pending), nothing edited
    assert expect(mm("db", "status", "--json"), 0).json()["edited_revisions"] == []

    path.write_text(EDITED)
    refused = expect(mm("db", "upgrade"), 7)
    lines = refused.error.splitlines()
    assert (
        lines[0]
        == "error: refusing to upgrade: applied revisions were edited; nothing was applied."
    )
    assert lines[1].startswith("  revision r1 was edited after it was applied (at ")
    assert lines[1].endswith(f"UTC): {path} no longer matches the checksum recorded then")
    assert lines[2] == (
        "Either restore each file as it was when applied (the database was migrated by that "
        "version), or, after review, accept the edit: mindmirror db repair "
        "--accept-checksum r1 --yes"
    )
    status = expect(mm("db", "status", "--json")).json()
    assert [m["revision"] for m in status["edited_revisions"]] == ["r1"]
    assert expect(mm("db", "status", "--check"), 7).error == (
        "error: 1 applied revision(s) edited since they ran: r1 (see 'mindmirror db status')"
    )
    health = expect(mm("db", "health", "--json"), 7).json()
    (check,) = [c for c in health["checks"] if c["name"] == "applied revisions unchanged"]
    assert check["ok"] is False
    assert check["exit_code"] == 7

    stock = _stock(mm, fixture_site, backend_database.plain_url, "upgrade", "head")
    assert stock.returncode != 0
    assert "applied revisions were edited" in stock.stdout + stock.stderr
    assert "Traceback" not in stock.stderr

    unknown = expect(mm("db", "repair", "--accept-checksum", "r2", "--yes"), 2)
    assert unknown.error == (
        "error: no applied revision r2 differs from its recorded checksum; edited revisions: r1"
    )
    accepted = expect(mm("db", "repair", "--accept-checksum", "r1", "--yes"))
    assert accepted.err_lines == [
        "accepted the edit of revision r1: its checksum is recorded again"
    ]
    expect(mm("db", "health"), 1)  # r2 pending only: fails "at head", not the checksum
    expect(mm("db", "upgrade"))
    expect(mm("db", "health"))


def test_databases_migrated_before_checksums_get_them_without_an_alarm(
    backend_database: TestDatabase, make_cli: MakeCli
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    path = _project(mm)
    expect(mm("db", "upgrade"))
    execute(backend_database.url, "DROP TABLE alembic_version_checksums")  # as an older version
    path.write_text(EDITED)  # edited before checksums were kept: nothing to compare with
    revision_file(mm.project, "r2", "r1", "second")
    expect(mm("db", "upgrade"))
    assert expect(mm("db", "status", "--json")).json()["edited_revisions"] == []
    path.write_text(FIRST)  # from now on the recorded checksum is the one of EDITED
    assert [
        m["revision"] for m in expect(mm("db", "status", "--json")).json()["edited_revisions"]
    ] == ["r1"]


def test_a_downgrade_forgets_the_checksum_of_what_it_unapplied(
    backend_database: TestDatabase, make_cli: MakeCli
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    path = _project(mm)
    expect(mm("db", "upgrade"))
    expect(mm("db", "downgrade", "base", "--yes"))
    path.write_text(EDITED)  # not applied any more: editing it is fine
    expect(mm("db", "upgrade"))
    assert expect(mm("db", "status", "--json")).json()["edited_revisions"] == []
