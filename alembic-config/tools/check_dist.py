"""Verify a project's built wheel and sdist before they are published.

    python alembic-config/tools/check_dist.py --project alembic-config alembic-config/dist

Lists both archives and fails (exit 1, one line per problem) on:

- a committed file of the project's packages missing from either archive (for
  ``alembic_config``: ``env.py``, ``script.py.mako``, ``py.typed`` and every
  revision under ``versions/``), found with ``git ls-files``, or by walking the
  source tree where there is no git checkout;
- anything unexpected: caches (``__pycache__``, ``*.pyc``), local databases
  (``*.db``, ``*.sqlite*``), environment files (``.env*``), tests, VCS folders,
  or any file outside the packages and the usual metadata;
- a ``Requires-Dist`` that is a direct reference (``name @ file:///...``) rather
  than a version range, or a name or version that differs from ``pyproject.toml``;
- a ``CHANGELOG.md`` without a ``## <version>`` entry for the version built.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

# path parts or file names that never belong in a published archive
FORBIDDEN_PARTS = ("__pycache__", ".git", ".venv", "tests", ".pytest_cache", ".mypy_cache")
FORBIDDEN_NAMES = ("*.pyc", "*.pyo", "*.db", "*.sqlite", "*.sqlite3", ".env", ".env.*", "test_*.py")
# files a package must ship even when there is no git checkout to list them from
REQUIRED = {
    "alembic_config": ("env.py", "script.py.mako", "py.typed", "versions/__init__.py"),
}
WHEEL_METADATA = {"METADATA", "WHEEL", "RECORD", "entry_points.txt"}
SDIST_METADATA = {"PKG-INFO", "pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE"}


@dataclass(frozen=True)
class Project:
    """What ``pyproject.toml`` says the archives must be."""

    root: Path
    name: str
    version: str
    packages: tuple[str, ...]

    @property
    def stem(self) -> str:
        """The archive file name stem: ``alembic_config-0.1.0``."""
        return f"{re.sub(r'[-_.]+', '_', self.name).lower()}-{self.version}"


def read_project(root: Path) -> Project:
    """Name, version and package folders from ``pyproject.toml`` (PEP 621 plus poetry)."""
    data = tomllib.loads((root / "pyproject.toml").read_text())
    project = data["project"]
    includes = data.get("tool", {}).get("poetry", {}).get("packages", [])
    packages = tuple(p["include"] for p in includes) or (project["name"].replace("-", "_"),)
    return Project(root, project["name"], project["version"], packages)


def forbidden(path: PurePosixPath) -> bool:
    """True for caches, databases, environment files, tests and VCS folders."""
    if any(part in FORBIDDEN_PARTS for part in path.parts[:-1]):
        return True
    return any(fnmatch(path.name, pattern) for pattern in FORBIDDEN_NAMES)


def _git_files(root: Path, packages: Sequence[str], *options: str) -> set[str] | None:
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", *options, "--", *packages],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return {name for name in listed.split("\0") if name and (root / name).is_file()}


def source_files(project: Project) -> tuple[set[str], set[str]]:
    """The package files that must be shipped, and those that may be (untracked, not ignored).

    Paths are relative to the project root, ``/``-separated.
    """
    committed = _git_files(project.root, project.packages)
    if committed:
        untracked = _git_files(project.root, project.packages, "--others", "--exclude-standard")
        return committed, untracked or set()
    walked = {
        path.relative_to(project.root).as_posix()
        for package in project.packages
        for path in (project.root / package).rglob("*")
        if path.is_file()
    }
    return {name for name in walked if not forbidden(PurePosixPath(name))}, set()


def wheel_members(path: Path) -> list[str]:
    """Every file name in a wheel."""
    with zipfile.ZipFile(path) as archive:
        return [name for name in archive.namelist() if not name.endswith("/")]


def sdist_members(path: Path, stem: str) -> list[str]:
    """Every file in an sdist, relative to its top folder (``<stem>/``)."""
    with tarfile.open(path) as archive:
        names = [m.name for m in archive.getmembers() if not m.isdir()]
    return [name.removeprefix(f"{stem}/") for name in names]


def read_metadata(path: Path, stem: str) -> Message:
    """The core metadata: ``METADATA`` of a wheel, ``PKG-INFO`` of an sdist."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as archive:
            text = archive.read(f"{stem}.dist-info/METADATA").decode()
    else:
        with tarfile.open(path) as archive:
            member = archive.extractfile(f"{stem}/PKG-INFO")
            assert member is not None
            text = member.read().decode()
    return HeaderParser().parsestr(text)


def check_members(
    label: str, members: Iterable[str], metadata: set[str], required: set[str], allowed: set[str]
) -> list[str]:
    """Problems with one archive's file list: forbidden, unexpected or missing files."""
    problems = []
    present = set()
    for name in members:
        path = PurePosixPath(name)
        if forbidden(path):
            problems.append(f"{label}: forbidden file {name}")
        elif name in required or name in allowed:
            present.add(name)
        elif name not in metadata:
            problems.append(f"{label}: unexpected file {name}")
    problems += [f"{label}: missing {name}" for name in sorted(required - present)]
    return problems


def check_metadata(label: str, metadata: Message, project: Project) -> list[str]:
    """Problems with the core metadata: name, version, direct-reference requirements."""
    problems = []
    if (metadata["Name"], metadata["Version"]) != (project.name, project.version):
        problems.append(
            f"{label}: metadata says {metadata['Name']} {metadata['Version']}, "
            f"pyproject.toml says {project.name} {project.version}"
        )
    for requirement in metadata.get_all("Requires-Dist") or []:
        if " @ " in requirement or "file:" in requirement:
            problems.append(
                f"{label}: Requires-Dist {requirement!r} is a direct reference, not a version range"
            )
    return problems


def check_changelog(project: Project) -> list[str]:
    """A ``CHANGELOG.md``, where there is one, has an entry for the version built."""
    changelog = project.root / "CHANGELOG.md"
    if not changelog.is_file():
        return []
    heading = re.compile(rf"^## \[?{re.escape(project.version)}\]?(\s|$)", re.MULTILINE)
    if heading.search(changelog.read_text()):
        return []
    return [f"{changelog}: no '## {project.version}' entry for the version being released"]


def find_archives(paths: Sequence[Path], project: Project) -> tuple[Path | None, Path | None]:
    """The project's wheel and sdist of the current version among ``paths`` (files or folders)."""
    files = [f for p in paths for f in (sorted(p.iterdir()) if p.is_dir() else [p])]
    wheels = [f for f in files if fnmatch(f.name, f"{project.stem}-*.whl")]
    sdists = [f for f in files if f.name == f"{project.stem}.tar.gz"]
    return (wheels[0] if len(wheels) == 1 else None, sdists[0] if len(sdists) == 1 else None)


def check(project: Project, paths: Sequence[Path]) -> list[str]:
    """Every problem with the project's wheel and sdist found in ``paths``."""
    wheel, sdist = find_archives(paths, project)
    problems = []
    if wheel is None:
        problems.append(f"expected exactly one wheel {project.stem}-*.whl in {paths}")
    if sdist is None:
        problems.append(f"expected exactly one sdist {project.stem}.tar.gz in {paths}")
    committed, untracked = source_files(project)
    required = committed | {
        f"{package}/{name}" for package in project.packages for name in REQUIRED.get(package, ())
    }
    if wheel is not None:
        dist_info = {f"{project.stem}.dist-info/{name}" for name in WHEEL_METADATA}
        licenses = {m for m in wheel_members(wheel) if f"{project.stem}.dist-info/licenses/" in m}
        problems += check_members(
            wheel.name, wheel_members(wheel), dist_info | licenses, required, untracked
        )
        problems += check_metadata(wheel.name, read_metadata(wheel, project.stem), project)
    if sdist is not None:
        members = sdist_members(sdist, project.stem)
        problems += check_members(sdist.name, members, SDIST_METADATA, required, untracked)
        problems += check_metadata(sdist.name, read_metadata(sdist, project.stem), project)
    problems += check_changelog(project)
    for name in sorted(untracked):
        print(f"note: {name} is shipped but not committed", file=sys.stderr)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Check the archives; print the problems; 0 when there are none."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("paths", nargs="+", type=Path, help="dist folder(s) or archive files")
    args = parser.parse_args(argv)
    project = read_project(args.project.resolve())
    problems = check(project, args.paths)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    wheel, sdist = find_archives(args.paths, project)
    assert wheel is not None
    assert sdist is not None
    print(
        f"ok: {wheel.name} ({len(wheel_members(wheel))} files) and "
        f"{sdist.name} ({len(sdist_members(sdist, project.stem))} files)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
