"""Session fixtures of the packaging tests: each archive built once, one index, one venv.

Building, publishing and installing are slow; every test that needs them shares
these. pip's own cache is left as the machine has it, so repeated runs download
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.packaging.support import (
    PROJECTS,
    REPOSITORY,
    PackageIndex,
    create_venv,
    make,
    normal_index_urls,
    package_index,
    run,
)


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Distribution name -> the folder holding its wheel and sdist, built and verified once
    with the release flow (``make release-check``)."""
    root = tmp_path_factory.mktemp("dist")
    built = {name: root / name for name in PROJECTS}

    def release_check(name: str) -> str:
        # alembic-config as released (isolated build environment); the others with the
        # backend of .venv, which saves a fresh environment per archive
        isolation = "" if name == "alembic-config" else "--no-isolation"
        return make(
            "release-check",
            f"PACKAGE={PROJECTS[name]}",
            f"DIST={built[name]}",
            f"BUILD_ARGS={isolation}",
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(release_check, name) for name in PROJECTS]
        for job in jobs:
            job.result()
    return built


@pytest.fixture(scope="session")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PackageIndex]:
    """A package index on 127.0.0.1 with authenticated uploads, for the whole session."""
    with package_index(tmp_path_factory.mktemp("index")) as running:
        yield running


@pytest.fixture(scope="session")
def published(index: PackageIndex, dists: dict[str, Path]) -> PackageIndex:
    """The index after ``make publish`` of every project, with credentials from the environment."""
    for name, folder in PROJECTS.items():
        make(
            "publish",
            f"REPOSITORY={REPOSITORY}",
            f"PACKAGE={folder}",
            f"DIST={dists[name]}",
            env=index.publish_env(),
        )
    return index


@pytest.fixture(scope="session")
def wheel_venv(published: PackageIndex, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the published wheels installed; its ``bin`` folder.

    Our distributions come from the local index only (``--no-deps``, ``--isolated``
    so that no configured index can offer a same-named project); then their
    dependencies, from the machine's normal indexes.
    """
    bin_dir = create_venv(tmp_path_factory.mktemp("wheel-venv") / "venv")
    pip = [bin_dir / "python", "-m", "pip", "install", "--quiet"]
    ours = ["alembic-config[postgresql]", *[name for name in PROJECTS if name != "alembic-config"]]
    run([*pip, "--isolated", "--no-deps", "--index-url", published.simple_url, *ours])
    extra = [arg for url in normal_index_urls() for arg in ("--extra-index-url", url)]
    run([*pip, "--index-url", published.simple_url, *extra, *ours])
    return bin_dir


@pytest.fixture(scope="session")
def core_venv(published: PackageIndex, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only alembic-config installed (no service, no CLI):
    the documented deployment of a migration runner; its ``bin`` folder."""
    bin_dir = create_venv(tmp_path_factory.mktemp("core-venv") / "venv")
    pip = [bin_dir / "python", "-m", "pip", "install", "--quiet"]
    ours = ["alembic-config[postgresql]"]
    run([*pip, "--isolated", "--no-deps", "--index-url", published.simple_url, *ours])
    extra = [arg for url in normal_index_urls() for arg in ("--extra-index-url", url)]
    run([*pip, "--index-url", published.simple_url, *extra, *ours])
    return bin_dir


@pytest.fixture(scope="session")
def adopter_venv(published: PackageIndex, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding only alembic-config (with its ``testing`` extra) and
    the CLI, from the published wheels: what another monorepo installs; its ``bin`` folder.

    No example service is installed: the adopter test adds its own service package.
    """
    bin_dir = create_venv(tmp_path_factory.mktemp("adopter-venv") / "venv")
    pip = [bin_dir / "python", "-m", "pip", "install", "--quiet"]
    ours = ["alembic-config[postgresql,testing]", "mindmirror-cli"]
    run([*pip, "--isolated", "--no-deps", "--index-url", published.simple_url, *ours])
    extra = [arg for url in normal_index_urls() for arg in ("--extra-index-url", url)]
    run([*pip, "--index-url", published.simple_url, *extra, *ours])
    return bin_dir
