"""The test services of ``tests/fixtures/acfix``, installed for real with pip into a folder.

Subprocesses see them through ``PYTHONPATH``; in-process tests get their real
:class:`importlib.metadata.EntryPoint` objects and import them from that folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata as importlib_metadata
from pathlib import Path

FIXTURE_PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "acfix"
FIXTURE_DISTRIBUTION = "alembic-config-fixtures"
GROUP = "alembic_config.metadata"
BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]

CLEAN = "users,orders,factory,users_copy"
SEED_004 = "chat_database,chat_api"


def install_fixture_services(target: Path) -> Path:
    """pip-install the fixture distribution (no dependencies) into ``target``."""
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
            "--no-build-isolation", "--target", str(target), str(FIXTURE_PROJECT),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return target


def fixture_entry_points(site: Path) -> list[importlib_metadata.EntryPoint]:
    """The real entry points of the installed fixture distribution."""
    (dist,) = [
        d
        for d in importlib_metadata.distributions(path=[str(site)])
        if d.metadata["Name"] == FIXTURE_DISTRIBUTION
    ]
    return [ep for ep in dist.entry_points if ep.group == GROUP]


def subprocess_env(site: Path, **overrides: str) -> dict[str, str]:
    """The environment for a subprocess that sees the fixture services and no stray database URL."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ALEMBIC_CONFIG_", "DATABASE_URL", "PYTEST_"))
    }
    env["PYTHONPATH"] = str(site)
    env.update(overrides)
    return env


def write_ini(folder: Path, *, extra: str = "") -> Path:
    """An alembic.ini using the shipped environment, with revisions kept in ``folder/versions``."""
    versions = folder / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    ini = folder / "alembic.ini"
    ini.write_text(
        "[alembic]\n"
        "script_location = alembic_config:\n"
        "path_separator = space\n"
        f"version_locations = {versions}\n"
        "revision_environment = true\n"
        f"{extra}"
    )
    return ini


def alembic(
    ini: Path, *args: str, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the stock ``alembic`` console script."""
    return subprocess.run(
        [str(BIN / "alembic"), "-c", str(ini), *args],
        env=env,
        cwd=cwd or ini.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
