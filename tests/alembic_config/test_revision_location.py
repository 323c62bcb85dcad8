"""New revisions go to a writable source tree, never into an installed package.

"Installed" is a folder inside this interpreter's ``purelib`` (site-packages):
the fixture creates one there and removes it afterwards.
"""

from __future__ import annotations

import shutil
import sysconfig
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic_config import RevisionLocationError
from alembic_config._history import choose_version_path

from tests.support.databases import TestDatabase
from tests.support.services import CLEAN, alembic, subprocess_env


def refusal(target: Path) -> str:
    return (
        f"refusing to write a revision into {target}: it is inside an installed package. "
        "Keep this project's revisions in a folder of the project. For a history of this "
        "project's own, set 'version_locations = %(here)s/migrations' in alembic.ini (what "
        "'mindmirror db init' writes); to continue the shipped history instead, list both, "
        "'alembic_config:versions' first ('mindmirror db init --extend-shipped'); then create "
        "that folder. To change the shipped history itself, work in alembic-config's source "
        "tree (pip install -e ./alembic-config, or poetry install at its repository root)."
    )


@pytest.fixture
def installed() -> Iterator[Path]:
    """A ``versions`` folder inside site-packages, as a non-editable install would have it."""
    root = Path(sysconfig.get_paths()["purelib"]) / f"acfix_installed_{uuid.uuid4().hex[:12]}"
    versions = root / "versions"
    versions.mkdir(parents=True)
    try:
        yield versions
    finally:
        shutil.rmtree(root)


@pytest.fixture
def writable(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    return folder


# -- choose_version_path -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "locations", "expected"),
    [
        (None, ["writable"], None),
        (None, ["installed", "writable"], "writable"),
        (None, ["writable", "installed"], "writable"),
        (None, ["other", "installed", "writable"], "writable"),
        ("writable", ["installed"], "writable"),
        ("writable", ["installed", "other"], "writable"),
    ],
)
def test_choose_version_path_picks_a_writable_folder(
    installed: Path,
    writable: Path,
    tmp_path: Path,
    requested: str | None,
    locations: list[str],
    expected: str | None,
) -> None:
    folders = {"installed": installed, "writable": writable, "other": tmp_path / "other"}
    folders["other"].mkdir()

    chosen = choose_version_path(
        None if requested is None else str(folders[requested]), [folders[n] for n in locations]
    )

    assert chosen == (None if expected is None else str(folders[expected]))


@pytest.mark.parametrize(
    ("requested", "locations", "refused"),
    [
        (None, ["installed"], "installed"),
        (None, ["installed", "installed_too"], "installed"),
        ("installed", ["writable"], "installed"),
        ("installed", ["writable", "installed"], "installed"),
        ("link", ["writable"], "link"),
        (None, ["link"], "link"),
    ],
)
def test_choose_version_path_refuses_an_installed_package(
    installed: Path,
    writable: Path,
    tmp_path: Path,
    requested: str | None,
    locations: list[str],
    refused: str,
) -> None:
    link = tmp_path / "link"
    link.symlink_to(installed, target_is_directory=True)
    installed_too = installed.parent / "more"
    installed_too.mkdir()
    folders = {
        "installed": installed,
        "installed_too": installed_too,
        "writable": writable,
        "link": link,
    }

    with pytest.raises(RevisionLocationError) as caught:
        choose_version_path(
            None if requested is None else str(folders[requested]),
            [folders[n] for n in locations],
        )

    assert str(caught.value) == refusal(folders[refused])
    assert caught.value.path == str(folders[refused])


# -- through the stock alembic command -----------------------------------------------------------


def write_locations_ini(folder: Path, *locations: Path) -> Path:
    ini = folder / "alembic.ini"
    ini.write_text(
        "[alembic]\n"
        "script_location = alembic_config:\n"
        "path_separator = space\n"
        f"version_locations = {' '.join(str(loc) for loc in locations)}\n"
        "revision_environment = true\n"
    )
    return ini


def files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    "command",
    [["revision", "-m", "hello"], ["revision", "--autogenerate", "-m", "hello"]],
    ids=["empty", "autogenerate"],
)
def test_a_revision_into_an_installed_package_is_refused(
    tmp_path: Path,
    installed: Path,
    fixture_site: Path,
    sqlite_database: TestDatabase,
    command: list[str],
) -> None:
    ini = write_locations_ini(tmp_path, installed)
    env = subprocess_env(
        fixture_site, DATABASE_URL=sqlite_database.url, ALEMBIC_CONFIG_SERVICES=CLEAN
    )

    result = alembic(ini, *command, env=env)

    assert result.returncode != 0
    assert result.stdout.splitlines() == [f"FAILED: {refusal(installed)}"]
    assert "Traceback" not in result.stderr
    assert files_in(installed) == []


def test_with_two_locations_the_revision_lands_in_the_writable_one(
    tmp_path: Path,
    installed: Path,
    writable: Path,
    fixture_site: Path,
    sqlite_database: TestDatabase,
) -> None:
    ini = write_locations_ini(tmp_path, installed, writable)
    env = subprocess_env(
        fixture_site, DATABASE_URL=sqlite_database.url, ALEMBIC_CONFIG_SERVICES=CLEAN
    )

    result = alembic(ini, "revision", "--autogenerate", "-m", "hello", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    (revision,) = files_in(writable)
    assert revision.name.endswith("_hello.py")
    assert f"Generating {revision} ...  done" in result.stdout
    assert files_in(installed) == []


def test_an_explicit_version_path_into_an_installed_package_is_refused(
    tmp_path: Path, installed: Path, writable: Path, fixture_site: Path
) -> None:
    ini = write_locations_ini(tmp_path, installed, writable)
    env = subprocess_env(fixture_site, ALEMBIC_CONFIG_SERVICES=CLEAN)

    result = alembic(ini, "revision", "-m", "hello", "--version-path", str(installed), env=env)

    assert result.returncode != 0
    assert result.stdout.splitlines() == [f"FAILED: {refusal(installed)}"]
    assert files_in(installed) == []
    assert files_in(writable) == []


# -- the shipped history belongs to this repository ----------------------------------------------

SHIPPED = Path(__file__).resolve().parents[2] / "alembic-config" / "alembic_config" / "versions"


def test_the_shipped_history_takes_revisions_from_this_repository_only(tmp_path: Path) -> None:
    """The editable install makes the folder writable; only a project holding its tree may."""
    repository = SHIPPED.parents[2]
    assert choose_version_path(None, [SHIPPED], project=repository) is None
    assert choose_version_path(None, [SHIPPED], project=SHIPPED.parents[1]) is None
    assert choose_version_path(None, [SHIPPED]) is None  # no project named: no opinion

    with pytest.raises(RevisionLocationError) as caught:
        choose_version_path(None, [SHIPPED], project=tmp_path)
    assert str(caught.value).startswith(
        f"refusing to write a revision into {SHIPPED}: it is the history shipped with "
        f"alembic-config (the example monorepo's, in {SHIPPED.parents[1]}), and this project "
        f"({tmp_path}) is outside that source tree. For a history of this project's own, set "
        "'version_locations = %(here)s/migrations' in alembic.ini"
    )
    own = tmp_path / "migrations"
    own.mkdir()
    # listed after the shipped folder (--extend-shipped): the project's own folder takes it
    assert choose_version_path(None, [SHIPPED, own], project=tmp_path) == str(own)
    with pytest.raises(RevisionLocationError):  # nor by naming it with --version-path
        choose_version_path(str(SHIPPED), [SHIPPED, own], project=tmp_path)
