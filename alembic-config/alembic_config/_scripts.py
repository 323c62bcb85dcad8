"""Reading the revision files once, up front, so a broken file or graph is a clear error.

Alembic reads every revision file the first time it needs the revision graph
and keeps the result. Done here first, a file that does not load (a syntax
error, bytes that are not text) or a ``down_revision`` naming no revision
becomes a :class:`RevisionFileError` naming the file and what to do, instead
of a traceback, under ``mindmirror`` and stock ``alembic`` alike.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import to_tuple

from alembic_config._errors import RevisionFileError

# Alembic warns about the missing revision just before failing on it: the error says it
_MISSING_WARNING = r"Revision \S+ referenced from .* is not present"


def load_revisions(script: ScriptDirectory) -> None:
    """Build ``script``'s revision graph now (Alembic keeps it), or raise a clear error."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_MISSING_WARNING)
            script.revision_map.heads  # noqa: B018 (reading it builds the graph)
    except KeyError as exc:
        missing = str(exc.args[0]) if exc.args else "?"
        raise _missing_down_revision(script, missing) from exc
    except (SyntaxError, ValueError, UnicodeDecodeError, ImportError, NameError) as exc:
        where = _culprit(script, exc)
        if where is None:
            raise
        path, line = where
        at = f"{path}, line {line}" if line else str(path)
        detail = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        raise RevisionFileError(
            f"cannot load the revision file {at}: {type(exc).__name__}: {detail}; "
            "fix that file (or move it out of the versions folder) and run the command again",
            path=str(path),
            revision=None,
        ) from exc


def _missing_down_revision(script: ScriptDirectory, missing: str) -> RevisionFileError:
    """The error naming the revision whose ``down_revision`` is ``missing``, and its file."""
    for revision in script._load_revisions():  # the files, without building the graph
        if missing in (*to_tuple(revision.down_revision, ()), *to_tuple(revision.dependencies, ())):
            return RevisionFileError(
                f"revision {revision.revision} ({revision.path}) names {missing!r} as its "
                f"down_revision, and no revision file defines {missing!r}: restore that "
                "revision file, or correct down_revision",
                path=revision.path,
                revision=revision.revision,
            )
    return RevisionFileError(
        f"a revision names {missing!r} as its down_revision or dependency, and no revision "
        "file defines it: restore that revision file, or correct the reference",
        path="",
        revision=None,
    )


def _culprit(script: ScriptDirectory, exc: BaseException) -> tuple[Path, int | None] | None:
    """The revision file that failed to load, and the line when known."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return Path(exc.filename), exc.lineno
    folders = [Path(location) for location in _locations(script)]
    for folder in folders:
        for path in sorted(folder.glob("*.py")):
            try:
                compile(path.read_bytes(), str(path), "exec")
            except (SyntaxError, ValueError) as found:
                return path, getattr(found, "lineno", None)
    tb = exc.__traceback__
    last: tuple[Path, int | None] | None = None
    while tb is not None:
        filename = Path(tb.tb_frame.f_code.co_filename)
        if any(filename.parent == folder for folder in folders):
            last = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return last


def _locations(script: ScriptDirectory) -> list[Path]:
    from alembic_config._locations import version_locations

    return [path for path in version_locations(script) if path.is_dir()]
