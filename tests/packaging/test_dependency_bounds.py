"""The lowest and highest constraints come from the pyproject files, and the published metadata
declares the same ranges that the version-bounds sessions test."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tests.packaging.support import REPO
from tests.versions.bounds import (
    PUBLISHED,
    BoundsError,
    constraints,
    declared,
    installed_folders,
)

MEMBERS = {"alembic-config", "mindmirror-cli", "shared-service", "agent-service", "journal-service"}


def third_party(folder: str) -> list[Requirement]:
    project = tomllib.loads((REPO / folder / "pyproject.toml").read_text())["project"]
    texts = project.get("dependencies", []) + [
        text for extra in project.get("optional-dependencies", {}).values() for text in extra
    ]
    return [r for r in map(Requirement, texts) if r.name not in MEMBERS]


def pins(text: str) -> dict[str, str]:
    return dict(line.split("==") for line in text.splitlines() if not line.startswith("#"))


def test_lowest_pins_every_dependency_at_its_declared_floor() -> None:
    floors: dict[str, Version] = {}
    for folder in installed_folders():
        for requirement in third_party(folder):
            (floor,) = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
            floors[requirement.name] = max(floor, floors.get(requirement.name, floor))
    lowest = pins(constraints("lowest"))
    assert {name: Version(v) for name, v in lowest.items()} == floors
    assert {"alembic", "SQLAlchemy", "python-dotenv", "psycopg", "PyMySQL"} <= set(lowest)


def test_highest_keeps_every_declared_range() -> None:
    lines = [line for line in constraints("highest").splitlines() if not line.startswith("#")]
    ranges = {Requirement(line).name: Requirement(line).specifier for line in lines}
    for folder in PUBLISHED:
        for requirement in third_party(folder):
            assert set(requirement.specifier) <= set(ranges[requirement.name]), requirement


def write_member(
    root: Path, folder: str, name: str, dependencies: list[str], **extras: list[str]
) -> None:
    (root / folder).mkdir(parents=True)
    lines = [f'[project]\nname = "{name}"\ndependencies = {dependencies!r}\n']
    if extras:
        lines.append("[project.optional-dependencies]\n")
        lines += [f"{extra} = {reqs!r}\n" for extra, reqs in extras.items()]
    (root / folder / "pyproject.toml").write_text("".join(lines).replace("'", '"'))


def test_the_highest_floor_wins_extras_and_members_are_left_out(tmp_path: Path) -> None:
    write_member(tmp_path, "lib", "lib", ["SQLAlchemy>=2.0,<3"], pg=["psycopg[binary]>=3.1.4,<4"])
    write_member(tmp_path, "app", "app", ["lib>=0.1", "sqlalchemy>=2.0.41,<2.2", "rich==13.0"])
    lowest = constraints("lowest", tmp_path, ["lib", "app"])
    assert lowest.splitlines()[1:] == ["psycopg==3.1.4", "rich==13.0", "SQLAlchemy==2.0.41"]
    highest = constraints("highest", tmp_path, ["lib", "app"]).splitlines()[1:]
    assert [Requirement(line).name for line in highest] == ["psycopg", "rich", "SQLAlchemy"]
    assert Requirement(highest[2]).specifier == SpecifierSet(">=2.0,<3,>=2.0.41,<2.2")
    (sqlalchemy,) = [d for d in declared(tmp_path, ["lib", "app"]) if d.name == "SQLAlchemy"]
    assert sqlalchemy.declared_by == ("lib", "app")


def test_a_dependency_without_a_floor_cannot_be_tested(tmp_path: Path) -> None:
    write_member(tmp_path, "lib", "lib", ["alembic<2"])
    with pytest.raises(BoundsError, match=r"alembic<2 declares no lower bound: give it one"):
        constraints("lowest", tmp_path, ["lib"])
    with pytest.raises(BoundsError, match="unknown kind 'newest'"):
        constraints("newest", tmp_path, ["lib"])


def test_the_command_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "lowest.txt"
    done = subprocess.run(
        [sys.executable, "-m", "tests.versions.bounds", "lowest", "-o", str(target)],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert target.read_text() == constraints("lowest")


@pytest.mark.parametrize("folder", PUBLISHED)
def test_the_published_metadata_declares_the_tested_ranges(folder: str, tmp_path: Path) -> None:
    build = (
        "import sys; from poetry.core.masonry import api; "
        "print(api.prepare_metadata_for_build_wheel(sys.argv[1]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", build, str(tmp_path)],
        cwd=REPO / folder, capture_output=True, text=True, check=True,
    )  # fmt: skip
    metadata = Parser().parsestr((tmp_path / done.stdout.strip() / "METADATA").read_text())
    published = {}
    for text in metadata.get_all("Requires-Dist") or []:
        requirement = Requirement(text)
        if requirement.name not in MEMBERS:
            published[requirement.name] = requirement.specifier
    tested = {d.name: d.combined for d in declared(folders=[folder])}
    assert published == tested


def test_ci_runs_the_lowest_session_after_the_suite() -> None:
    script = (REPO / ".ci" / "run").read_text().splitlines()
    steps = [line.strip() for line in script if not line.lstrip().startswith("#")]
    assert steps.index("make test") < next(i for i, s in enumerate(steps) if "-s lowest" in s)
