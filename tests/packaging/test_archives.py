"""What the wheels and sdists contain, and what their metadata says."""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

from tests.packaging.support import (
    PROJECTS,
    REPO,
    REPO_VENV_BIN,
    SERVICES,
    project_version,
    run,
)

pytestmark = pytest.mark.slow

JUNK = (
    "alembic_config/__pycache__/env.cpython-311.pyc",
    "alembic_config/versions/__pycache__/0001_first.cpython-311.pyc",
    "alembic_config/local.db",
    "alembic_config/versions/scratch.sqlite3",
    "alembic_config/.env",
    "alembic_config/versions/.env.production",
)
FORBIDDEN_MARKS = ("__pycache__", ".pyc", ".db", ".sqlite", ".env", "tests/")


def wheel_of(folder: Path) -> Path:
    (wheel,) = folder.glob("*.whl")
    return wheel


def sdist_of(folder: Path) -> Path:
    (sdist,) = folder.glob("*.tar.gz")
    return sdist


def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def sdist_files(sdist: Path) -> set[str]:
    """The sdist's files, relative to its top folder."""
    with tarfile.open(sdist) as archive:
        return {m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile()}


def wheel_text(wheel: Path, suffix: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(suffix)]
        return archive.read(name).decode()


def committed_revisions() -> set[str]:
    """``alembic_config/versions/*.py`` as committed in git."""
    listed = run(["git", "-C", REPO, "ls-files", "alembic-config/alembic_config/versions"]).stdout
    return {line.removeprefix("alembic-config/") for line in listed.split()}


def test_alembic_config_archives_ship_the_migration_environment(dists: dict[str, Path]) -> None:
    wheel = wheel_files(wheel_of(dists["alembic-config"]))
    sdist = sdist_files(sdist_of(dists["alembic-config"]))
    must = {
        "alembic_config/env.py",
        "alembic_config/script.py.mako",
        "alembic_config/py.typed",
        "alembic_config/versions/__init__.py",
        *committed_revisions(),
    }
    assert must <= wheel
    assert must <= sdist
    assert {"pyproject.toml", "README.md", "CHANGELOG.md", "PKG-INFO"} <= sdist


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_archives_hold_nothing_unexpected(dists: dict[str, Path], name: str) -> None:
    package = name.replace("-", "_")
    wheel = wheel_files(wheel_of(dists[name]))
    sdist = sdist_files(sdist_of(dists[name]))
    for files in (wheel, sdist):
        assert [f for f in files if any(mark in f for mark in FORBIDDEN_MARKS)] == []
    assert {f.split("/")[0] for f in wheel} == {
        package,
        f"{package}-{project_version(name)}.dist-info",
    }
    top = {f.split("/")[0] for f in sdist}
    assert top - {"PKG-INFO", "pyproject.toml", "README.md", "CHANGELOG.md"} == {package}


def test_an_exported_tree_full_of_working_files_still_builds_clean_archives(
    tmp_path: Path,
) -> None:
    """Outside a git checkout poetry-core cannot read .gitignore; pyproject's excludes hold."""
    project = tmp_path / "alembic-config"
    shutil.copytree(
        REPO / "alembic-config",
        project,
        ignore=shutil.ignore_patterns("__pycache__", "dist", "*.db", ".env*"),
    )
    revision = "alembic_config/versions/0001_first.py"
    (project / revision).write_text('revision = "0001"\ndown_revision = None\n')
    for junk in JUNK:
        (project / junk).parent.mkdir(parents=True, exist_ok=True)
        (project / junk).write_text("junk")
    out = tmp_path / "dist"
    build = [REPO_VENV_BIN / "python", "-m", "build", "--no-isolation", "--outdir", out, project]
    run(build)
    checker = REPO / "alembic-config" / "tools" / "check_dist.py"
    assert run([REPO_VENV_BIN / "python", checker, "--project", project, out]).returncode == 0
    for files in (wheel_files(wheel_of(out)), sdist_files(sdist_of(out))):
        assert revision in files
        assert set(JUNK) & files == set()


@pytest.mark.parametrize("name", ["mindmirror-cli", "shared-service"])
def test_requires_dist_are_version_ranges_not_paths(dists: dict[str, Path], name: str) -> None:
    """The poetry path sources stay out of the published metadata."""
    wheel_meta = HeaderParser().parsestr(wheel_text(wheel_of(dists[name]), ".dist-info/METADATA"))
    with tarfile.open(sdist_of(dists[name])) as archive:
        (pkg_info,) = [m for m in archive.getmembers() if m.name.endswith("/PKG-INFO")]
        member = archive.extractfile(pkg_info)
        assert member is not None
        sdist_meta = HeaderParser().parsestr(member.read().decode())
    for metadata in (wheel_meta, sdist_meta):
        requires = metadata.get_all("Requires-Dist") or []
        assert "alembic-config (>=0.1,<0.2)" in requires
        assert [r for r in requires if "@" in r or "file:" in r] == []


@pytest.mark.parametrize(("service", "distribution"), sorted(SERVICES.items()))
def test_service_wheels_declare_their_entry_point(
    dists: dict[str, Path], service: str, distribution: str
) -> None:
    text = wheel_text(wheel_of(dists[distribution]), ".dist-info/entry_points.txt")
    package = distribution.replace("-", "_")
    assert f"[alembic_config.metadata]\n{service}={package}.models:Base" in text


def test_cli_wheel_declares_the_console_script(dists: dict[str, Path]) -> None:
    text = wheel_text(wheel_of(dists["mindmirror-cli"]), ".dist-info/entry_points.txt")
    assert "[console_scripts]\nmindmirror=mindmirror_cli.main:cli" in text


def test_alembic_config_wheel_ships_the_testing_plugin(dists: dict[str, Path]) -> None:
    wheel = wheel_of(dists["alembic-config"])
    assert {
        "alembic_config/testing/__init__.py",
        "alembic_config/testing/plugin.py",
        "alembic_config/testing/checks.py",
        "alembic_config/_naming.py",
    } <= wheel_files(wheel)
    entry_points = wheel_text(wheel, ".dist-info/entry_points.txt")
    assert "[pytest11]\nalembic_config=alembic_config.testing.plugin" in entry_points
    metadata = HeaderParser().parsestr(wheel_text(wheel, ".dist-info/METADATA"))
    assert "testing" in (metadata.get_all("Provides-Extra") or [])
    requires = metadata.get_all("Requires-Dist") or []
    assert any(r.startswith("pytest-alembic") and 'extra == "testing"' in r for r in requires)
