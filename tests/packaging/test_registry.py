"""Publish to a real index on 127.0.0.1, install the wheels in a fresh venv, migrate from them."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.packaging.support import (
    PROJECTS,
    REPOSITORY,
    SERVICES,
    PackageIndex,
    clean_env,
    make,
    project_version,
    run,
)
from tests.support.databases import TestDatabase, table_names

pytestmark = pytest.mark.slow


def archive_names(name: str) -> set[str]:
    stem = f"{name.replace('-', '_')}-{project_version(name)}"
    return {f"{stem}-py3-none-any.whl", f"{stem}.tar.gz"}


def test_every_project_is_published_with_credentials(published: PackageIndex) -> None:
    expected = set().union(*(archive_names(name) for name in PROJECTS))
    assert published.files() == expected
    with urllib.request.urlopen(published.simple_url, timeout=10) as response:  # noqa: S310
        listing = response.read().decode()
    assert set(re.findall(r">([a-z_-]+)<", listing)) >= set(PROJECTS)


def test_publishing_without_credentials_is_refused(
    published: PackageIndex, dists: dict[str, Path]
) -> None:
    before = published.files()
    output = make(
        "publish",
        f"REPOSITORY={REPOSITORY}",
        f"DIST={dists['alembic-config']}",
        env=published.publish_env(credentials=False),
        check=False,
    )
    assert "HTTP Error 401: Unauthorized" in output
    assert published.files() == before


def test_republishing_a_version_is_refused(published: PackageIndex, dists: dict[str, Path]) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in published.packages.iterdir()}
    output = make(
        "publish",
        f"REPOSITORY={REPOSITORY}",
        f"DIST={dists['alembic-config']}",
        env=published.publish_env(),
        check=False,
    )
    assert "HTTP Error 409: Conflict" in output
    assert "already exists" in output
    assert {p.name: p.stat().st_mtime_ns for p in published.packages.iterdir()} == before


def test_installed_wheels_are_found_through_their_entry_points(
    wheel_venv: Path, tmp_path: Path
) -> None:
    doctor = run([wheel_venv / "mindmirror", "doctor", "--json"], cwd=tmp_path)
    facts = json.loads(doctor.stdout)
    found = {ep["name"]: ep["distribution"] for ep in facts["entry_points"]}
    assert found == SERVICES
    assert facts["alembic_config"]["editable"] is False
    assert facts["stale"] == []
    code = (
        "import alembic_config\n"
        "catalog = alembic_config.load_all_models()\n"
        "print(alembic_config.__version__, catalog.complete, *catalog.service_names())\n"
    )
    result = run([wheel_venv / "python", "-c", code], cwd=tmp_path)
    version = project_version("alembic-config")
    assert result.stdout.split() == [version, "True", *sorted(SERVICES)]


def site_versions(venv_bin: Path) -> set[str]:
    """The revision files of the installed (non-editable) alembic_config."""
    code = "import alembic_config, pathlib; print(pathlib.Path(alembic_config.__file__).parent)"
    package = Path(run([venv_bin / "python", "-c", code]).stdout.strip())
    return {p.name for p in (package / "versions").glob("*.py")}


def shipped_heads(venv_bin: Path, folder: Path) -> list[str]:
    result = run([venv_bin / "alembic", "-c", "alembic.ini", "heads"], cwd=folder)
    return sorted(line.split()[0] for line in result.stdout.splitlines() if line.strip())


def project_folder(
    venv_bin: Path, folder: Path, database: TestDatabase, *init_args: str
) -> dict[str, str]:
    """A folder set up by ``mindmirror db init``, holding only alembic.ini, .env (and
    the local versions folder, if asked); returns the environment to run in it."""
    folder.mkdir()
    run([venv_bin / "mindmirror", "db", "init", *init_args], cwd=folder)
    (folder / ".env.example").unlink()
    (folder / ".env").write_text(f"DATABASE_URL={database.plain_url}\n")
    return clean_env()


def test_stock_alembic_migrates_from_a_folder_with_only_ini_and_env(
    wheel_venv: Path, postgresql_database: TestDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "deploy"
    env = project_folder(wheel_venv, folder, postgresql_database, "--shipped-only")
    assert sorted(p.name for p in folder.iterdir()) == [".env", "alembic.ini"]

    run([wheel_venv / "alembic", "-c", "alembic.ini", "upgrade", "head"], cwd=folder, env=env)

    status = run([wheel_venv / "mindmirror", "db", "status", "--check", "--json"], cwd=folder)
    state = json.loads(status.stdout)
    heads = shipped_heads(wheel_venv, folder)
    assert state["at_head"] is True
    assert sorted(state["current"]) == sorted(state["heads"]) == heads
    assert state["pending"] == []
    engine = sa.create_engine(postgresql_database.url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            applied = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
            assert sorted(applied) == heads
    finally:
        engine.dispose()
    if heads:  # the shipped revisions create every table of the installed services
        code = "import alembic_config; print(*alembic_config.get_table_names())"
        tables = set(run([wheel_venv / "python", "-c", code], cwd=folder).stdout.split())
        assert tables <= table_names(postgresql_database.url)


def test_a_revision_into_the_installed_package_is_refused(
    wheel_venv: Path, postgresql_database: TestDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "deploy"
    env = project_folder(wheel_venv, folder, postgresql_database, "--shipped-only")
    before = site_versions(wheel_venv)
    result = run(
        [wheel_venv / "alembic", "-c", "alembic.ini", "revision", "-m", "x"],
        cwd=folder,
        env=env,
        check=False,
    )
    assert result.returncode != 0
    assert "refusing to write a revision into" in result.stderr
    assert "site-packages/alembic_config/versions: it is inside an installed package" in (
        result.stderr
    )
    assert "'version_locations = %(here)s/migrations'" in result.stderr
    assert "'mindmirror db init --extend-shipped'" in result.stderr
    assert site_versions(wheel_venv) == before


def test_extending_the_shipped_history_new_revisions_land_in_the_project_folder(
    wheel_venv: Path, postgresql_database: TestDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "deploy"
    env = project_folder(wheel_venv, folder, postgresql_database, "--extend-shipped")
    alembic = [wheel_venv / "alembic", "-c", "alembic.ini"]
    before = site_versions(wheel_venv)
    run([*alembic, "upgrade", "head"], cwd=folder, env=env)

    run([*alembic, "revision", "--autogenerate", "-m", "schema"], cwd=folder, env=env)
    run([*alembic, "revision", "-m", "by hand"], cwd=folder, env=env)
    run([*alembic, "upgrade", "head"], cwd=folder, env=env)

    local = sorted(re.sub(r"^[0-9a-f]+_", "", p.name) for p in (folder / "migrations").glob("*.py"))
    # autogenerate writes a file only for what the shipped revisions do not create already
    shipped = before - {"__init__.py"}
    assert local == (["by_hand.py"] if shipped else ["by_hand.py", "schema.py"])
    assert site_versions(wheel_venv) == before
    code = "import alembic_config; print(*alembic_config.get_table_names())"
    tables = set(run([wheel_venv / "python", "-c", code], cwd=folder).stdout.split())
    assert tables
    assert tables <= table_names(postgresql_database.url)
    status = run([wheel_venv / "mindmirror", "db", "status", "--check", "--json"], cwd=folder)
    state = json.loads(status.stdout)
    (by_hand,) = (folder / "migrations").glob("*_by_hand.py")
    assert state["current"] == state["heads"] == [by_hand.name.split("_", 1)[0]]
