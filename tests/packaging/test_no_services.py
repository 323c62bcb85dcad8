"""The documented deployment with only alembic-config installed: no service is not an empty model.

A migration runner image may carry alembic-config and the revisions but no service package.
Upgrading works; autogenerate and check must refuse instead of proposing to drop every table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.packaging.support import clean_env, run
from tests.support.databases import TestDatabase, table_names

pytestmark = pytest.mark.slow


def test_without_services_upgrade_works_and_autogenerate_and_check_refuse(
    core_venv: Path, postgresql_database: TestDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "runner"
    (folder / "migrations").mkdir(parents=True)
    (folder / "alembic.ini").write_text(
        "[alembic]\n"
        "script_location = alembic_config:\n"
        "path_separator = space\n"
        "version_locations = alembic_config:versions %(here)s/migrations\n"
        "revision_environment = true\n"
    )
    env = {**clean_env(), "DATABASE_URL": postgresql_database.plain_url}
    alembic = [core_venv / "alembic", "-c", "alembic.ini"]
    run([*alembic, "upgrade", "head"], cwd=folder, env=env)
    created = table_names(postgresql_database.url)
    assert "users" in created  # the shipped revision ran

    for args in (("revision", "--autogenerate", "-m", "oops"), ("check",)):
        refused = run([*alembic, *args], cwd=folder, env=env, check=False)
        output = refused.stdout + refused.stderr
        assert refused.returncode != 0, output
        assert "no service to compare" in output, output
        assert "registers an entry point in the group 'alembic_config.metadata'" in output
        assert str(core_venv.parent) in output
        assert "Traceback" not in output
        assert len(output) < 2000  # a message, not a dump of every table
    assert list((folder / "migrations").iterdir()) == []
    assert table_names(postgresql_database.url) == created
