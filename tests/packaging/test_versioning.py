"""alembic-config is versioned on its own: poetry bumps it, the changelog records it,
``alembic_config.__version__`` reports it without importing anything at import time."""

from __future__ import annotations

import re
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

from tests.packaging.support import PROJECTS, REPO, REPO_VENV_BIN, project_version, run


@pytest.mark.slow
def test_poetry_version_bumps_the_pep621_version(tmp_path: Path) -> None:
    shutil.copy(REPO / "alembic-config" / "pyproject.toml", tmp_path)
    before = (tmp_path / "pyproject.toml").read_text()
    version = project_version("alembic-config")
    major, minor, patch = map(int, version.split("."))
    bumped = f"{major}.{minor}.{patch + 1}"

    result = run([REPO_VENV_BIN / "poetry", "version", "patch"], cwd=tmp_path)

    assert result.stdout.strip() == f"Bumping version from {version} to {bumped}"
    after = (tmp_path / "pyproject.toml").read_text()
    assert tomllib.loads(after)["project"]["version"] == bumped
    assert after == before.replace(f'version = "{version}"', f'version = "{bumped}"', 1)


@pytest.mark.parametrize(
    "name", [n for n in PROJECTS if (REPO / PROJECTS[n] / "CHANGELOG.md").exists()]
)
def test_the_changelog_has_an_entry_for_the_current_version(name: str) -> None:
    changelog = (REPO / PROJECTS[name] / "CHANGELOG.md").read_text()
    version = re.escape(project_version(name))
    assert re.search(rf"^## \[?{version}\]?(\s|$)", changelog, re.MULTILINE)


def test_version_is_read_lazily_from_the_installed_metadata() -> None:
    code = (
        "import sys, alembic_config\n"
        "heavy = ('importlib.metadata', 'sqlalchemy', 'alembic')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "print(alembic_config.__version__)\n"
    )
    result = run([sys.executable, "-c", code])
    assert result.stdout.splitlines() == ["[]", project_version("alembic-config")]
