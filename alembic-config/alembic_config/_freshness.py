"""Stale installed metadata: editable installs whose ``pyproject.toml`` changed since.

A service's entry points live in its *installed* metadata (``entry_points.txt``
in its ``.dist-info``), written when it was installed. An editable install
picks up code changes at once, but not a changed
``[project.entry-points."alembic_config.metadata"]`` table or version: until
the service is reinstalled, discovery sees the old entry points. This module
compares the two for every editable install (``direct_url.json`` says
``dir_info.editable``) and names the command that refreshes each one.

It only reads a few small files (``direct_url.json`` of each distribution, then
``INSTALLER``, ``entry_points.txt`` and ``pyproject.toml`` of the editable
ones), so it can run on every discovery.
"""

from __future__ import annotations

import json
import logging
import shlex
import sys
import sysconfig
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from alembic_config._discovery import ENTRY_POINT_GROUP

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaleMetadata:
    """An editable install whose installed metadata no longer matches its ``pyproject.toml``."""

    distribution: str
    source: str
    installed_entry_points: Mapping[str, str]
    declared_entry_points: Mapping[str, str]
    installed_version: str
    declared_version: str | None
    command: str

    def differences(self) -> list[str]:
        """What differs, one sentence each: entry points added, removed or changed; version."""
        installed, declared = self.installed_entry_points, self.declared_entry_points
        found = [
            f"entry point {name} = {declared[name]} is declared but not installed"
            for name in sorted(declared.keys() - installed.keys())
        ]
        found += [
            f"entry point {name} = {installed[name]} is installed but no longer declared"
            for name in sorted(installed.keys() - declared.keys())
        ]
        found += [
            f"entry point {name} is installed as {installed[name]} but declared as {declared[name]}"
            for name in sorted(installed.keys() & declared.keys())
            if installed[name] != declared[name]
        ]
        if self.declared_version is not None and self.declared_version != self.installed_version:
            found.append(
                f"version {self.installed_version} is installed but {self.declared_version} "
                "is declared"
            )
        return found

    def describe(self) -> str:
        """One line: the distribution, what differs, and the command that refreshes it."""
        return (
            f"{self.distribution} (editable, {self.source}/pyproject.toml): "
            f"{'; '.join(self.differences())}; refresh it with: {self.command}"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "distribution": self.distribution,
            "source": self.source,
            "installed_version": self.installed_version,
            "declared_version": self.declared_version,
            "installed_entry_points": dict(sorted(self.installed_entry_points.items())),
            "declared_entry_points": dict(sorted(self.declared_entry_points.items())),
            "differences": self.differences(),
            "command": self.command,
        }


def find_stale_metadata(path: Iterable[str] | None = None) -> list[StaleMetadata]:
    """Every editable install whose entry points (group ``alembic_config.metadata``) or version
    differ from its source ``pyproject.toml``, sorted by distribution name.

    ``path`` is the list of folders to search (default: ``sys.path``). A
    distribution whose ``pyproject.toml`` cannot be read, has no ``[project]``
    table, or declares those fields ``dynamic`` is left out: nothing to compare.
    """
    found: dict[str, StaleMetadata | None] = {}
    search = list(path) if path is not None else sys.path
    for dist in importlib_metadata.distributions(path=search):
        source = _editable_source(dist)  # read first: parsing every METADATA would be slow
        if source is None:
            continue
        name = _normalize(dist.metadata["Name"] or "")
        if name not in found:  # a later one is shadowed by this one, as for imports
            found[name] = _compare(dist, source)
    return [stale for _, stale in sorted(found.items()) if stale is not None]


def warn_stale_metadata(logger: logging.Logger) -> None:
    """Log a warning for each stale editable install; never raises (discovery goes on)."""
    try:
        stale = find_stale_metadata()
    except Exception:  # a check that must never break discovery
        _logger.debug("stale metadata check failed", exc_info=True)
        return
    for item in stale:
        logger.warning("stale installed metadata: %s", item.describe())


def _normalize(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _editable_source(dist: importlib_metadata.Distribution) -> Path | None:
    """The source folder of an editable install, from ``direct_url.json`` (PEP 610)."""
    text = dist.read_text("direct_url.json")
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not data.get("dir_info", {}).get("editable"):
        return None
    url = urlparse(str(data.get("url", "")))
    if url.scheme != "file":
        return None
    return Path(unquote(url.path))


def _read_toml(path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError):
        return None


def _compare(dist: importlib_metadata.Distribution, source: Path) -> StaleMetadata | None:
    pyproject = _read_toml(source / "pyproject.toml")
    project = pyproject.get("project") if pyproject else None
    if not isinstance(project, dict):
        return None
    dynamic = set(project.get("dynamic", ()))
    installed = {ep.name: ep.value for ep in dist.entry_points if ep.group == ENTRY_POINT_GROUP}
    declared = installed
    if "entry-points" not in dynamic:
        table = project.get("entry-points", {}).get(ENTRY_POINT_GROUP, {})
        declared = {str(k): str(v).strip() for k, v in table.items()}
    version = None if "version" in dynamic else project.get("version")
    if declared == installed and (version is None or version == dist.version):
        return None
    return StaleMetadata(
        distribution=dist.metadata["Name"],
        source=str(source),
        installed_entry_points=installed,
        declared_entry_points=declared,
        installed_version=dist.version,
        declared_version=version,
        command=refresh_command(dist, source),
    )


def refresh_command(dist: importlib_metadata.Distribution, source: Path) -> str:
    """The command that reinstalls ``dist`` from ``source``, with the tool that installed it.

    Poetry (its ``INSTALLER`` file says so) reinstalls from the project that
    declared the path dependency: the nearest folder above ``source`` whose
    ``pyproject.toml`` has a ``[tool.poetry]`` table, else ``source`` itself.
    ``poetry install`` alone skips a path dependency whose version did not
    change ("Already installed"), so the command removes it first.
    Anything else is refreshed with pip, run by the interpreter that owns the
    environment the distribution is installed in.
    """
    installer = (dist.read_text("INSTALLER") or "").strip().lower()
    if installer.startswith("poetry"):
        poetry = f"poetry -C {shlex.quote(str(_poetry_root(source) or source))}"
        name = shlex.quote(dist.metadata["Name"])
        return f"{poetry} run python -m pip uninstall --yes {name} && {poetry} install"
    python = _interpreter_for(Path(str(dist.locate_file(""))))
    editable = f"-e {shlex.quote(str(source))}"
    if installer == "uv":
        return f"uv pip install --python {shlex.quote(python)} {editable}"
    return f"{shlex.quote(python)} -m pip install {editable}"


def _poetry_root(source: Path) -> Path | None:
    for folder in source.parents:
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data = _read_toml(pyproject)
            if data is not None and "poetry" in data.get("tool", {}):
                return folder
    return None


def _interpreter_for(site_dir: Path) -> str:
    """The Python of the environment whose ``site-packages`` is ``site_dir``."""
    site_dir = site_dir.resolve()
    paths = sysconfig.get_paths()
    if any(Path(paths[key]).resolve() == site_dir for key in ("purelib", "platlib")):
        return sys.executable
    for folder in site_dir.parents:
        if (folder / "pyvenv.cfg").is_file():
            for candidate in (folder / "bin" / "python", folder / "Scripts" / "python.exe"):
                if candidate.exists():
                    return str(candidate)
    return "python"
