"""The pytest plugin ``alembic_config.testing``, run as a service team runs it, in its project.

Each test writes a small project (``alembic.ini`` with a history of its own, a
``tests/conftest.py``, one line of pytest configuration) and runs pytest there in a
subprocess that sees the fixture services; the database is the one ``DATABASE_URL``
names, a fresh one per test on SQLite and PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import BOOKKEEPING, TestDatabase, isolated_database, table_names
from tests.support.services import BIN, subprocess_env

CHECKS = "tests/conftest.py::alembic-config::"
ALL_PASSED = [
    "test_models_load[users]",
    "test_no_conflict[users]",
    "test_single_head_revision",
    "test_upgrade",
    "test_model_definitions_match_ddl",
    "test_up_down_consistency",
    "test_tables_round_trip[users]",
]
INI = """\
[alembic]
script_location = alembic_config:
revision_environment = true
path_separator = newline
version_locations = %(here)s/migrations
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestDatabase]:
    with isolated_database(request.param, tmp_path) as db:
        yield db


def make_project(folder: Path, option: str = 'alembic_config_service = "users"') -> Path:
    (folder / "migrations").mkdir(parents=True)
    (folder / "tests").mkdir()
    (folder / "tests" / "conftest.py").write_text("")
    (folder / "alembic.ini").write_text(INI)
    (folder / "pyproject.toml").write_text(
        f'[tool.pytest.ini_options]\n{option}\nfilterwarnings = ["error"]\n'
    )
    return folder


def env_for(site: Path, database: TestDatabase | None, services: str) -> dict[str, str]:
    extra = {"ALEMBIC_CONFIG_SERVICES": services}
    if database is not None:
        extra["DATABASE_URL"] = database.url
    return subprocess_env(site, **extra)


def run(args: list[str], project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def pytest_in(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    pytest_args = [sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", *args]
    return run(pytest_args, project, env)


def outcomes(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """Check name -> PASSED/FAILED/ERROR, from pytest's ``-rA`` summary."""
    found = {}
    for line in result.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word in {"PASSED", "FAILED", "ERROR"} and rest.startswith(CHECKS):
            found[rest.removeprefix(CHECKS).split(" - ")[0]] = word
    return found


def test_a_project_with_its_first_revision_passes_every_check(
    tmp_path: Path, fixture_site: Path, backend: TestDatabase
) -> None:
    project = make_project(tmp_path / "billing")
    env = env_for(fixture_site, backend, "users,users_copy")
    made = run([str(BIN / "alembic"), "revision", "--autogenerate", "-m", "first"], project, env)
    assert made.returncode == 0, made.stdout + made.stderr

    result = pytest_in(project, env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert outcomes(result) == dict.fromkeys(ALL_PASSED, "PASSED")
    assert table_names(backend.url) <= BOOKKEEPING  # every check returned the database to base


def test_only_the_checked_service_is_compared(
    tmp_path: Path, fixture_site: Path, sqlite_database: TestDatabase
) -> None:
    """Another installed service whose tables no revision creates yet is not this team's drift."""
    project = make_project(tmp_path / "billing")
    made = run(
        [str(BIN / "alembic"), "revision", "--autogenerate", "-m", "users only"],
        project,
        env_for(fixture_site, sqlite_database, "users"),
    )
    assert made.returncode == 0, made.stdout + made.stderr

    result = pytest_in(project, env_for(fixture_site, None, "users,orders"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert outcomes(result) == dict.fromkeys(ALL_PASSED, "PASSED")


def test_models_without_a_revision_fail_the_migration_checks(
    tmp_path: Path, fixture_site: Path, sqlite_database: TestDatabase
) -> None:
    project = make_project(tmp_path / "billing")
    result = pytest_in(project, env_for(fixture_site, sqlite_database, "users"))

    assert result.returncode == 1
    assert outcomes(result) == {
        "test_models_load[users]": "PASSED",
        "test_no_conflict[users]": "PASSED",
        "test_single_head_revision": "FAILED",
        "test_upgrade": "PASSED",
        "test_model_definitions_match_ddl": "FAILED",
        "test_up_down_consistency": "PASSED",
        "test_tables_round_trip[users]": "FAILED",
    }
    assert "after upgrading to head, tables of 'users' are missing: users; generate a" in (
        result.stdout
    )


def test_a_conflict_with_another_installed_service_fails(
    tmp_path: Path, fixture_site: Path
) -> None:
    project = make_project(tmp_path / "billing")
    env = env_for(fixture_site, None, "users,other_convention")
    result = pytest_in(project, env, "-k", "models or no_conf")

    assert outcomes(result) == {
        "test_models_load[users]": "PASSED",
        "test_no_conflict[users]": "FAILED",
    }
    assert "service 'users' conflicts with another installed service:" in result.stdout
    assert "naming convention conflict" in result.stdout
    assert "alembic_config.service_metadata()" in result.stdout


def test_an_unknown_service_and_a_missing_file_are_clear(
    tmp_path: Path, fixture_site: Path
) -> None:
    project = make_project(tmp_path / "billing", 'alembic_config_service = "billling"')
    env = env_for(fixture_site, None, "users")
    result = pytest_in(project, env, "-k", "models_load")
    assert outcomes(result) == {"test_models_load[billling]": "FAILED"}
    assert "no service 'billling' is installed: no entry point of that name in the group" in (
        result.stdout
    )

    (project / "tests" / "conftest.py").unlink()
    missing = pytest_in(project, env)
    assert missing.returncode == 4
    assert (
        f"the alembic-config checks have no file to be collected under: "
        f"{project / 'tests' / 'conftest.py'} does not exist"
    ) in missing.stderr


def test_without_the_option_the_plugin_adds_nothing(tmp_path: Path, fixture_site: Path) -> None:
    project = make_project(tmp_path / "other", "")
    (project / "tests" / "test_one.py").write_text("def test_one():\n    pass\n")
    result = pytest_in(project, env_for(fixture_site, None, "users"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "::alembic-config::" not in result.stdout
    assert "collected 1 item" in result.stdout
