"""Whose history a folder of revisions holds, and where a new revision may be written.

Two histories meet in ``alembic.ini``:

- the revisions shipped inside the package (``alembic_config:versions``): the
  history of the monorepo alembic-config comes from, for its example services;
- a project's own folder (``version_locations = %(here)s/migrations``), which is
  what ``mindmirror db init`` sets up in any other project.

A new revision goes to a writable folder of the project that runs the command.
It never goes into an installed package, and never into the shipped history from
a project outside alembic-config's source tree, even where an editable install
makes that folder writable: an outside project's revision there would become part
of every other project's history.
"""

from __future__ import annotations

import os
import sysconfig
from collections.abc import Sequence
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from alembic_config._errors import RevisionLocationError
from alembic_config._locations import version_locations

INSTALLED = "is inside an installed package"
NOT_WRITABLE = "is not writable"
SHIPPED = "is the history shipped with alembic-config"

_OWN_HISTORY = (
    "For a history of this project's own, set 'version_locations = %(here)s/migrations' in "
    "alembic.ini (what 'mindmirror db init' writes); to continue the shipped history "
    "instead, list both, 'alembic_config:versions' first ('mindmirror db init "
    "--extend-shipped'); then create that folder."
)


def package_folder() -> Path:
    """The folder of the installed ``alembic_config`` package (located, not imported anew)."""
    return Path(__file__).resolve().parent


def shipped_versions() -> Path:
    """The folder of the shipped revisions, ``alembic_config:versions``."""
    return package_folder() / "versions"


def source_tree() -> Path:
    """The folder holding alembic-config's sources (``alembic-config/`` of its monorepo)."""
    return package_folder().parent


def _installed_package_roots() -> set[Path]:
    paths = sysconfig.get_paths()
    return {Path(paths[key]).resolve() for key in ("purelib", "platlib") if key in paths}


def unwritable_reason(folder: Path, project: Path | None = None) -> str | None:
    """Why no revision may be written into ``folder`` (one of the constants above), or ``None``.

    ``project``: the folder of the project running the command (its ``alembic.ini``);
    with it, the shipped history is refused unless that project holds alembic-config's
    source tree.
    """
    resolved = folder.resolve()
    if any(resolved.is_relative_to(root) for root in _installed_package_roots()):
        return INSTALLED
    if (
        project is not None
        and resolved == shipped_versions()
        and not source_tree().is_relative_to(project.resolve())
    ):
        return SHIPPED
    if not os.access(resolved, os.W_OK):
        return NOT_WRITABLE
    return None


def project_folder(config: Config) -> Path:
    """The folder of the project running the command: its ini file's, else the working one."""
    name = config.config_file_name
    return Path(name).absolute().parent if name else Path.cwd()


def require_revision_folder(context: MigrationContext, config: Config) -> None:
    """Refuse a ``revision`` up front when no version location may take the new file.

    Up front: before Alembic's "not up to date" check, whose advice (upgrade
    first) would apply a history the project does not own.
    """
    if context.script is not None:
        choose_version_path(None, version_locations(context.script), project=project_folder(config))


def choose_version_path(
    requested: str | None, locations: Sequence[Path], *, project: Path | None = None
) -> str | None:
    """The folder a new revision goes to, refusing an installed, shipped or unwritable one.

    With several version locations and no ``--version-path``, the revision goes
    to the last writable location listed (the project's own folder, listed after
    the shipped ``alembic_config:versions``).
    """
    if requested is not None:
        candidates = [Path(requested).absolute()]
    elif len(locations) == 1:
        candidates = [Path(locations[0])]
    else:
        writable = [loc for loc in locations if unwritable_reason(loc, project) is None]
        if writable:
            return str(writable[-1])
        candidates = list(locations)
    target = candidates[0]
    reason = unwritable_reason(target, project)
    if reason is None:
        return requested
    raise RevisionLocationError(refusal(target, reason, project), path=str(target))


def refusal(target: Path, reason: str, project: Path | None) -> str:
    """The message refusing ``target``, with the choice that fits the case."""
    start = f"refusing to write a revision into {target}: it {reason}"
    if reason == SHIPPED:
        return (
            f"{start} (the example monorepo's, in {source_tree()}), and this project "
            f"({project}) is outside that source tree. {_OWN_HISTORY}"
        )
    if reason == INSTALLED:
        return (
            f"{start}. Keep this project's revisions in a folder of the project. "
            f"{_OWN_HISTORY} To change the shipped history itself, work in alembic-config's "
            "source tree (pip install -e ./alembic-config, or poetry install at its "
            "repository root)."
        )
    return f"{start}: make it writable, or choose another folder with --version-path."
