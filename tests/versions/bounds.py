"""The version ranges the published packages declare, as pip constraints files.

The lowest and the highest allowed versions of every third-party dependency are
tested (``tests/versions/noxfile.py``). Both constraints files are written from the members'
``pyproject.toml`` at the moment they are used, never committed, so they cannot
drift from what the metadata declares:

- ``lowest``: each dependency pinned to its declared lower bound (``==``);
  where several members declare a floor for the same project, the highest wins,
  since that is the lowest version all of them accept;
- ``highest``: each dependency limited to its declared ranges, which a fresh
  environment resolves to the newest release they allow.

Members of this repository (``alembic-config`` for the CLI) are installed from
the working tree and left out. A third-party requirement without a lower bound
is an error: its lowest version could not be tested.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
PUBLISHED = ("alembic-config", "cli")
"""The folders of the published packages, whose declared ranges are the ones tested."""
LOWER = (">=", "==", "~=")
KINDS = ("lowest", "highest")


class BoundsError(ValueError):
    """A declared range that cannot be turned into constraints."""


@dataclass(frozen=True)
class Declared:
    """Every range one project is declared with, and the members that declare it."""

    name: str
    specifiers: tuple[SpecifierSet, ...]
    declared_by: tuple[str, ...]

    @property
    def floor(self) -> Version:
        """The lowest version every declaring member accepts."""
        floors = [_floor(spec, self.name) for spec in self.specifiers]
        return max(floors)

    @property
    def combined(self) -> SpecifierSet:
        """All the declared ranges at once."""
        combined = SpecifierSet()
        for spec in self.specifiers:
            combined &= spec
        return combined


def _floor(spec: SpecifierSet, name: str) -> Version:
    floors = [Version(s.version) for s in spec if s.operator in LOWER]
    if not floors:
        raise BoundsError(f"{name}{spec or ''} declares no lower bound: give it one (>=X)")
    return max(floors)


def requirements_of(pyproject: Path) -> list[Requirement]:
    """The runtime requirements of one member: its dependencies and every optional extra."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    texts = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        texts += extra
    return [Requirement(text) for text in texts]


def member_names(root: Path) -> set[str]:
    """The canonical names of every package of the repository (installed from the tree)."""
    names = set()
    for pyproject in root.glob("**/pyproject.toml"):
        if ".venv" in pyproject.parts or ".nox" in pyproject.parts:
            continue
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        if "name" in project:
            names.add(canonicalize_name(project["name"]))
    return names


def installed_folders(root: Path = REPO) -> tuple[str, ...]:
    """The published packages and the example services installed beside them."""
    services = sorted(p.parent.relative_to(root) for p in root.glob("services/*/pyproject.toml"))
    return (*PUBLISHED, *(str(s) for s in services))


def declared(root: Path = REPO, folders: Iterable[str] | None = None) -> list[Declared]:
    """The third-party projects the members in ``folders`` depend on, sorted by name.

    ``folders`` defaults to :func:`installed_folders`.
    """
    members = member_names(root)
    folders = installed_folders(root) if folders is None else tuple(folders)
    found: dict[str, tuple[str, list[SpecifierSet], list[str]]] = {}
    for folder in folders:
        for requirement in requirements_of(root / folder / "pyproject.toml"):
            key = canonicalize_name(requirement.name)
            if key in members:
                continue
            _, specs, owners = found.setdefault(key, (requirement.name, [], []))
            specs.append(requirement.specifier)
            owners.append(folder)
    return [
        Declared(name, tuple(specs), tuple(owners))
        for _, (name, specs, owners) in sorted(found.items())
    ]


def constraints(kind: str, root: Path = REPO, folders: Iterable[str] | None = None) -> str:
    """The text of the ``lowest`` or ``highest`` constraints file."""
    if kind not in KINDS:
        raise BoundsError(f"unknown kind {kind!r}: choose {' or '.join(KINDS)}")
    folders = installed_folders(root) if folders is None else tuple(folders)
    lines = [f"# {kind} versions allowed by {', '.join(f'{f}/pyproject.toml' for f in folders)}"]
    for project in declared(root, folders):
        if kind == "lowest":
            lines.append(f"{project.name}=={project.floor}")
        else:
            lines.append(f"{project.name}{project.combined}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tests.versions.bounds lowest|highest [-o FILE]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    args = parser.parse_args(argv)
    try:
        text = constraints(args.kind)
    except BoundsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
