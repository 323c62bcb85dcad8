"""The shipped env.py through the stock ``alembic`` command, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.databases import BOOKKEEPING, TestDatabase, table_names
from tests.support.services import CLEAN, SEED_004, alembic, subprocess_env, write_ini

CLEAN_TABLES = {"users", "orders", "invoices"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with an alembic.ini whose revisions go to ``versions/``."""
    write_ini(tmp_path)
    return tmp_path


def revisions(project: Path) -> list[Path]:
    return sorted((project / "versions").glob("*.py"))


def test_autogenerate_upgrade_check_downgrade(
    project: Path, database: TestDatabase, fixture_site: Path
) -> None:
    ini = project / "alembic.ini"
    env = subprocess_env(
        fixture_site, DATABASE_URL=database.plain_url, ALEMBIC_CONFIG_SERVICES=CLEAN
    )

    made = alembic(ini, "revision", "--autogenerate", "-m", "initial", env=env)
    assert made.returncode == 0, made.stderr
    (revision,) = revisions(project)
    source = revision.read_text()
    for table in CLEAN_TABLES:
        assert f"op.create_table('{table}'" in source

    upgraded = alembic(ini, "upgrade", "head", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert table_names(database.url) == CLEAN_TABLES | BOOKKEEPING

    again = alembic(ini, "revision", "--autogenerate", "-m", "nothing", env=env)
    assert again.returncode == 0, again.stderr
    assert "No changes in schema detected; no revision file written." in again.stdout
    assert revisions(project) == [revision]

    checked = alembic(ini, "check", env=env)
    assert checked.returncode == 0, checked.stderr
    assert "No new upgrade operations detected." in checked.stdout

    downgraded = alembic(ini, "downgrade", "base", env=env)
    assert downgraded.returncode == 0, downgraded.stderr
    assert table_names(database.url) <= BOOKKEEPING


@pytest.mark.parametrize(
    ("services", "expected"),
    [
        (
            "users,orders,broken",
            [
                "FAILED: refusing to {action}: the merged metadata is incomplete or contradictory.",
                "  service broken (alembic-config-fixtures 1.0.0, acfix.broken:Base) failed: "
                "ImportError: cannot import name 'Base' from 'acfix.missing_module'",
                "Fix the failing service, or exclude it explicitly: ALEMBIC_CONFIG_EXCLUDE=broken "
                "(the CLI: --exclude broken); an excluded service's tables are left alone, "
                "never dropped.",
            ],
        ),
        (
            SEED_004,
            [
                "FAILED: refusing to {action}: the merged metadata is incomplete or contradictory.",
                "  table conflict: conversations is defined differently by chat_api, chat_database",
                "  table conflict: messages is defined differently by chat_api, chat_database",
                "Resolve each conflict in the services' models: one table, one definition.",
            ],
        ),
    ],
    ids=["broken", "seed-004-conflict"],
)
def test_incomplete_metadata_refuses_autogenerate_and_check_but_not_upgrade(
    project: Path,
    sqlite_database: TestDatabase,
    fixture_site: Path,
    services: str,
    expected: list[str],
) -> None:
    ini = project / "alembic.ini"
    env = subprocess_env(
        fixture_site, DATABASE_URL=sqlite_database.url, ALEMBIC_CONFIG_SERVICES=services
    )

    upgraded = alembic(ini, "upgrade", "head", env=env)
    assert upgraded.returncode == 0, upgraded.stderr

    for command, action in (
        (["revision", "--autogenerate", "-m", "x"], "autogenerate a revision"),
        (["check"], "check for drift"),
    ):
        refused = alembic(ini, *command, env=env)
        assert refused.returncode != 0
        lines = refused.stdout.splitlines()
        for line in expected:
            assert line.format(action=action) in lines
        assert "Traceback" not in refused.stdout + refused.stderr
        assert revisions(project) == []


def test_excluding_the_broken_service_lets_autogenerate_run(
    project: Path, sqlite_database: TestDatabase, fixture_site: Path
) -> None:
    env = subprocess_env(
        fixture_site,
        DATABASE_URL=sqlite_database.url,
        ALEMBIC_CONFIG_SERVICES="users,orders,broken",
        ALEMBIC_CONFIG_EXCLUDE="broken",
    )

    made = alembic(project / "alembic.ini", "revision", "--autogenerate", "-m", "x", env=env)

    assert made.returncode == 0, made.stderr
    assert len(revisions(project)) == 1


def test_upgrade_imports_no_model(
    project: Path, sqlite_database: TestDatabase, fixture_site: Path
) -> None:
    # the broken service raises on import: an upgrade that imported models would log its failure
    env = subprocess_env(
        fixture_site, DATABASE_URL=sqlite_database.url, ALEMBIC_CONFIG_SERVICES="users,broken"
    )

    upgraded = alembic(project / "alembic.ini", "upgrade", "head", env=env)

    assert upgraded.returncode == 0, upgraded.stderr
    assert "broken" not in upgraded.stderr


def test_offline_sql_needs_no_database(project: Path, fixture_site: Path) -> None:
    env = subprocess_env(
        fixture_site,
        DATABASE_URL="postgresql://someone:s3cret@127.0.0.1:1/nowhere",
        ALEMBIC_CONFIG_SERVICES=CLEAN,
    )
    (project / "versions" / "0001_users.py").write_text(
        '"""users"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        "revision = '0001'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade():\n"
        "    op.create_table('users', sa.Column('id', sa.Integer, primary_key=True))\n\n\n"
        "def downgrade():\n    op.drop_table('users')\n"
    )

    offline = alembic(project / "alembic.ini", "upgrade", "head", "--sql", env=env)

    assert offline.returncode == 0, offline.stderr
    assert "CREATE TABLE users" in offline.stdout
    assert "INSERT INTO alembic_version (version_num) VALUES ('0001')" in offline.stdout
    assert "s3cret" not in offline.stdout + offline.stderr


def test_repository_ini_works_from_any_folder(tmp_path: Path, fixture_site: Path) -> None:
    repository_ini = Path(__file__).resolve().parents[2] / "alembic.ini"
    env = subprocess_env(fixture_site, ALEMBIC_CONFIG_SERVICES="users")

    upgraded = alembic(repository_ini, "upgrade", "head", env=env, cwd=tmp_path)

    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "mindmirror.db").is_file()
    assert f"database sqlite:///{tmp_path}/mindmirror.db (from default)" in upgraded.stderr
    current = alembic(repository_ini, "current", env=env, cwd=tmp_path)
    assert current.returncode == 0, current.stderr
