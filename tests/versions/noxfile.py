"""The suite's core on the lowest and on the highest versions the packages allow.

``nox -s lowest`` and ``nox -s highest`` each build a fresh environment pinned
through a constraints file written from the members' pyproject.toml by
``tests/versions/bounds.py`` (lowest: every dependency at its declared floor;
highest: the newest release the ranges allow), install the members editable with
the test tools of the ``dev`` group, and run the alembic_config library tests and
the CLI workflow. ``TEST_BACKENDS`` picks the databases (default: SQLite and
PostgreSQL; add ``mariadb`` for all three); arguments after ``--`` go to pytest.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from pathlib import Path

import nox
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
nox.options.sessions = ["lowest", "highest"]
nox.options.reuse_existing_virtualenvs = False
nox.options.envdir = str(REPO / ".nox")

SUITE = ("tests/alembic_config", "tests/cli/test_workflow.py")
TEST_TOOLS = ("pytest", "pytest-alembic", "pytest-timeout", "hypothesis", "poetry-core")
"""The entries of the dev group the suite needs (poetry-core builds the fixture services)."""
DEFAULT_BACKENDS = "sqlite,postgresql"


def _python_floor() -> str:
    """The lowest Python alembic-config allows, from its ``requires-python`` (``>=3.11``)."""
    text = tomllib.loads((REPO / "alembic-config" / "pyproject.toml").read_text())
    (floor,) = [s.version for s in SpecifierSet(text["project"]["requires-python"])]
    return floor


def _test_tools(pinned: set[str]) -> list[str]:
    """The dev group's requirements for :data:`TEST_TOOLS`; by name alone where the constraints
    pin them (a member's extra declares them too, and its range is the one under test)."""
    group = tomllib.loads((REPO / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    chosen = {
        Requirement(text).name: text for text in group if Requirement(text).name in TEST_TOOLS
    }
    missing = set(TEST_TOOLS) - set(chosen)
    if missing:
        raise RuntimeError(f"the dev group no longer lists {', '.join(sorted(missing))}")
    return [name if canonicalize_name(name) in pinned else text for name, text in chosen.items()]


def _members() -> list[str]:
    """``-e`` arguments for every member, alembic-config with all its extras."""
    library = REPO / "alembic-config"
    project = tomllib.loads((library / "pyproject.toml").read_text())["project"]
    extras = ",".join(sorted(project.get("optional-dependencies", {})))
    services = sorted(p.parent for p in (REPO / "services").glob("*/pyproject.toml"))
    editable = [f"{library}[{extras}]", REPO / "cli", *services]
    return [arg for path in editable for arg in ("-e", str(path))]


def _constraints(session: nox.Session, kind: str) -> tuple[Path, list[Requirement]]:
    """The ``kind`` constraints file, as ``tests.versions.bounds`` writes it (from the root)."""
    pins = Path(session.create_tmp()) / f"{kind}-constraints.txt"
    session.chdir(REPO)
    session.run(sys.executable, "-m", "tests.versions.bounds", kind, "-o", str(pins), external=True)
    text = pins.read_text()
    session.log(text.strip())
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return pins, [Requirement(line) for line in lines]


def _run(session: nox.Session, kind: str) -> None:
    pins, projects = _constraints(session, kind)
    pinned = {canonicalize_name(p.name) for p in projects}
    session.install("-c", str(pins), *_members(), *_test_tools(pinned))
    shown = session.run("python", "-c", _VERSIONS, *[p.name for p in projects], silent=True)
    installed = {name: Version(v) for name, v in json.loads(str(shown)).items()}
    session.log("installed: " + ", ".join(f"{n} {v}" for n, v in installed.items()))
    if kind == "lowest":
        # each line of the lowest constraints pins its project to the declared floor ('==')
        wrong = [f"{p.name} {installed[p.name]}" for p in projects if installed[p.name] != _pin(p)]
        if wrong:
            session.error(f"not at the declared floor: {', '.join(wrong)}")
    env = {"TEST_BACKENDS": os.environ.get("TEST_BACKENDS", DEFAULT_BACKENDS)}
    session.run("pytest", "-p", "no:cacheprovider", "-q", *SUITE, *session.posargs, env=env)


def _pin(requirement: Requirement) -> Version:
    """The version a ``name==version`` constraint pins."""
    (only,) = requirement.specifier
    return Version(only.version)


_VERSIONS = """\
import json, sys
from importlib import metadata
print(json.dumps({name: metadata.version(name) for name in sys.argv[1:]}))
"""


@nox.session(python=_python_floor())
def lowest(session: nox.Session) -> None:
    """Every dependency at the lowest version the pyproject files allow."""
    _run(session, "lowest")


@nox.session(python=_python_floor())
def highest(session: nox.Session) -> None:
    """Every dependency at the newest release the pyproject files allow."""
    _run(session, "highest")
