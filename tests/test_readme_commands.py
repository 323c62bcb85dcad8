"""The README's first command, run as a newcomer would: in a fresh copy, with no DATABASE_URL.

It must set up ``.venv`` and migrate the embedded default database (``mindmirror.db``)
to head. The copy holds the working-tree contents of every tracked file, and is
removed afterwards; pip's cache is the machine's, so nothing is downloaded twice.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIRST_SH_BLOCK = re.compile(r"^```sh\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)
# variables that would point the command at this session's environment instead of its own
# (MAKEFLAGS and MAKELEVEL too, when this suite itself runs under make)
LEAKING = ("DATABASE_URL", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "MFLAGS")
LEAKING_PREFIXES = ("ALEMBIC_CONFIG_", "PYTEST_", "MAKE")


def readme_first_command() -> str:
    """The first line of the README's first ``sh`` block, without its comment."""
    match = FIRST_SH_BLOCK.search((REPO / "README.md").read_text())
    assert match is not None, "README.md has no ```sh block"
    first = match["body"].splitlines()[0]
    return first.split("#", 1)[0].strip()


def copy_tracked_files(destination: Path) -> None:
    """Copy the working-tree contents of every file git tracks (as a fresh clone would have)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)


def newcomer_environment() -> dict[str, str]:
    """This machine's environment without this session's venv, database or selections."""
    own_bin = str(Path(sys.executable).parent)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in LEAKING and not key.startswith(LEAKING_PREFIXES)
    }
    env["PATH"] = os.pathsep.join(
        entry for entry in env.get("PATH", "").split(os.pathsep) if entry != own_bin
    )
    env["PYTHON"] = "python3.11"
    return env


@pytest.fixture
def fresh_copy(tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "repository"
    copy.mkdir()
    try:
        copy_tracked_files(copy)
        yield copy
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def heads(copy: Path, env: dict[str, str]) -> set[str]:
    """The head revisions, as the copy's own ``alembic heads`` prints them."""
    result = subprocess.run(
        [str(copy / ".venv" / "bin" / "alembic"), "-c", "alembic.ini", "heads"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return {line.split()[0] for line in result.stdout.splitlines() if line.strip()}


def stamped_versions(database: Path) -> set[str]:
    connection = sqlite3.connect(database)
    try:
        return {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    finally:
        connection.close()


def test_readme_has_a_first_command() -> None:
    command = readme_first_command()

    assert command
    assert not command.startswith(("$", "#"))


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_readme_first_command_sets_up_and_migrates_the_default_database(
    fresh_copy: Path,
) -> None:
    env = newcomer_environment()

    result = subprocess.run(
        ["bash", "-c", readme_first_command()],
        cwd=fresh_copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=1400,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert (fresh_copy / ".venv" / "bin" / "python").is_file()
    database = fresh_copy / "mindmirror.db"
    assert database.is_file()
    expected = heads(fresh_copy, env)
    if expected:
        assert stamped_versions(database) == expected
