"""``poetry install`` at the repository root installs every member editable.

Poetry's default source cannot resolve on this machine (its index serves the simple
API only), so the test serves the dependency closure from a loopback index: ``pip
download`` puts it in the packages folder, and ``poetry source add`` points the
*copy* of the repository at it. Projects that only other platforms need (``colorama``
on Windows, say) are not downloaded for this one; the index redirects those to the
machine's normal index, read from pip's configuration at run time.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.packaging.support import (
    PROJECTS,
    REPO,
    REPO_VENV_BIN,
    SERVICES,
    clean_env,
    normal_index_urls,
    package_index,
    run,
)

pytestmark = pytest.mark.slow


def copy_repository(target: Path) -> Path:
    """The working tree as git sees it (tracked and untracked-but-not-ignored files)."""
    listed = run(["git", "-C", REPO, "ls-files", "-z", "-co", "--exclude-standard"]).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def third_party_requirements(root: Path) -> list[str]:
    """Every requirement of the root and its members that is not a member itself."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    requirements = list(pyproject["dependency-groups"]["dev"])
    for folder in PROJECTS.values():
        project = tomllib.loads((root / folder / "pyproject.toml").read_text())["project"]
        requirements += project.get("dependencies", [])
        for extra in project.get("optional-dependencies", {}).values():
            requirements += extra
    return [r for r in requirements if r.split(">")[0].split("[")[0].strip() not in PROJECTS]


def installed(venv_python: Path, code: str) -> Any:
    return json.loads(run([venv_python, "-c", code]).stdout)


DIRECT_URLS = """\
import json
from importlib import metadata
names = %r
print(json.dumps({n: json.loads(metadata.distribution(n).read_text("direct_url.json"))
                  for n in names}))
"""
ENTRY_POINTS = """\
import json
from importlib import metadata
print(json.dumps(sorted((ep.name, ep.dist.name) for ep in
                        metadata.entry_points(group="alembic_config.metadata"))))
"""


def test_poetry_install_at_the_root_installs_every_member_editable(tmp_path: Path) -> None:
    repo = copy_repository(tmp_path / "repo")
    env = clean_env(
        POETRY_VIRTUALENVS_IN_PROJECT="true",
        POETRY_CACHE_DIR=str(tmp_path / "poetry-cache"),
    )
    poetry = [REPO_VENV_BIN / "poetry", "--no-interaction", "-C", repo]
    normal = normal_index_urls()[0]
    with package_index(tmp_path / "index", fallback=normal) as index:
        download = [sys.executable, "-m", "pip", "download", "--quiet", "-d", index.packages]
        run([*download, *third_party_requirements(repo)])
        run([*poetry, "source", "add", "--priority=primary", "local", index.simple_url], env=env)
        run([*poetry, "lock"], env=env)
        run([*poetry, "install"], env=env)

        python = repo / ".venv" / "bin" / "python"
        urls = installed(python, DIRECT_URLS % list(PROJECTS))
        assert urls == {
            name: {"url": (repo / folder).as_uri(), "dir_info": {"editable": True}}
            for name, folder in PROJECTS.items()
        }
        found = installed(python, ENTRY_POINTS)
        assert found == [[name, dist] for name, dist in sorted(SERVICES.items())]
        doctor = run([repo / ".venv" / "bin" / "mindmirror", "doctor", "--json"], cwd=repo)
        assert json.loads(doctor.stdout)["stale"] == []

        # a service's entry points change: the editable install is stale until reinstalled
        journal = repo / "services" / "journal" / "pyproject.toml"
        old = 'journal = "journal_service.models:Base"'
        new = f'{old}\njournal_archive = "journal_service.models:Base"'
        journal.write_text(journal.read_text().replace(old, new))
        doctor = run([repo / ".venv" / "bin" / "mindmirror", "doctor", "--json"], cwd=repo)
        (stale,) = json.loads(doctor.stdout)["stale"]
        assert stale["distribution"] == "journal-service"
        poetry_here = f"poetry -C {repo}"
        assert stale["command"] == (
            f"{poetry_here} run python -m pip uninstall --yes journal-service"
            f" && {poetry_here} install"
        )

        # the command as shown, run by a shell that finds the project's poetry
        path = f"{REPO_VENV_BIN}{os.pathsep}{env['PATH']}"
        run(["bash", "-c", stale["command"]], env={**env, "PATH": path})

        doctor = run([repo / ".venv" / "bin" / "mindmirror", "doctor", "--json"], cwd=repo)
        assert json.loads(doctor.stdout)["stale"] == []
        assert ["journal_archive", "journal-service"] in installed(python, ENTRY_POINTS)
