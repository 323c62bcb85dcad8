"""Stock alembic through the shipped env.py: downgrade and stamp refuse where the environment is
marked production, unless allowed explicitly; upgrades are not affected."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.databases import TestDatabase
from tests.support.services import CLEAN, alembic, subprocess_env, write_ini

REFUSAL = (
    "FAILED: refusing to {command}: this environment is marked production "
    "(MINDMIRROR_ENVIRONMENT=production); nothing was changed. After review, allow it for this "
    "run: -x allow_production=yes (or ALEMBIC_CONFIG_ALLOW_PRODUCTION=1); mindmirror: "
    "--allow-production --yes"
)


@pytest.mark.parametrize("command", ["downgrade", "stamp"])
def test_destructive_commands_need_the_override_in_production(
    tmp_path: Path, sqlite_database: TestDatabase, fixture_site: Path, command: str
) -> None:
    ini = write_ini(tmp_path / "project")
    env = subprocess_env(
        fixture_site,
        DATABASE_URL=sqlite_database.url,
        ALEMBIC_CONFIG_SERVICES=CLEAN,
        MINDMIRROR_ENVIRONMENT="production",
    )
    made = alembic(ini, "revision", "--autogenerate", "-m", "tables", "--rev-id", "r1", env=env)
    assert made.returncode == 0, made.stderr
    up = alembic(ini, "upgrade", "head", env=env)
    assert up.returncode == 0, up.stderr  # upgrades are never held by this guard

    target = "base"
    refused = alembic(ini, command, target, env=env)
    assert refused.returncode != 0
    assert REFUSAL.format(command=command) in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr
    current = alembic(ini, "current", env=env)
    assert "r1 (head)" in current.stdout

    allowed = alembic(ini, "-x", "allow_production=yes", command, target, env=env)
    assert allowed.returncode == 0, allowed.stderr
    assert "r1" not in alembic(ini, "current", env=env).stdout

    alembic(ini, "upgrade", "head", env=env)
    by_variable = alembic(ini, command, target, env={**env, "ALEMBIC_CONFIG_ALLOW_PRODUCTION": "1"})
    assert by_variable.returncode == 0, by_variable.stderr
