"""The CLI's own errors, and the one place where any error becomes a message and an exit code.

An error is classified by its type, looked up along its ``__cause__`` and
``__context__`` chain (Alembic chains its typed revision errors under a
``CommandError``); only the few ``CommandError``s Alembic raises with nothing
but a message are recognised by their text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, TypeVar

import click

from mindmirror_cli.exit_codes import ExitCode

E = TypeVar("E", bound=BaseException)
MERGE_HINT = "merge them with 'mindmirror db merge', then run the command again"


class CliError(click.ClickException):
    """An error the CLI reports as a message and an exit code, without a traceback."""

    exit_code = ExitCode.CONFIGURATION

    def __init__(self, message: str, *, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            # Click declares exit_code a class variable; this one error carries its own
            self.__dict__["exit_code"] = exit_code

    def show(self, file: IO[Any] | None = None) -> None:
        """Print ``error: message`` (the root group prints it through the output channel)."""
        click.echo(f"error: {self.format_message()}", file=file, err=file is None)


class CheckFailed(CliError):
    """A check ran and found a problem: drift, not at head, pending revisions."""

    exit_code = ExitCode.CHECK_FAILED


class BadInput(CliError):
    """An argument or option that cannot be used as given."""

    exit_code = ExitCode.USAGE


class RevisionGraphError(CliError):
    """Several heads, a missing revision, a database at an unknown revision."""

    exit_code = ExitCode.REVISION_GRAPH


@dataclass(frozen=True)
class Failure:
    """What to tell the user and which code to exit with."""

    message: str
    exit_code: ExitCode

    @property
    def kind(self) -> str:
        """The failure class, as JSON names it: the exit code's name (``revision_graph``...)."""
        return self.exit_code.name.lower()

    def to_dict(self) -> dict[str, Any]:
        """The ``error`` document printed under ``--json``."""
        return {"exit_code": int(self.exit_code), "kind": self.kind, "message": self.message}


def chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every error it was raised from or during, outermost first."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def caused_by(exc: BaseException, kind: type[E]) -> E | None:
    """The first error of type ``kind`` along ``exc``'s chain, or ``None``."""
    return next((error for error in chain(exc) if isinstance(error, kind)), None)


def classify(exc: BaseException, *, redact: Callable[[str], str] | None = None) -> Failure | None:
    """Turn any error the commands may meet into a message and an exit code.

    Returns ``None`` for errors that are bugs (they keep their traceback).
    ``redact`` removes the database password from a text. Notes added on the
    way up (a revision left partial...) follow the message.
    """
    failure = _classify(exc)
    if failure is None:
        return None
    notes = [str(note) for error in chain(exc) for note in getattr(error, "__notes__", ())]
    text = "\n".join([failure.message, *notes])
    return Failure(redact(text) if redact is not None else text, failure.exit_code)


def failure_traceback(exc: BaseException) -> str | None:
    """The traceback of a revision's own Python error (shown with ``-v``), else ``None``."""
    import traceback

    import alembic_config as ac

    for error in chain(exc):
        if isinstance(error, ac.MigrationScriptError) and error.__cause__ is not None:
            return "".join(traceback.format_exception(error.__cause__)).rstrip()
    return None


@dataclass(frozen=True)
class Rule:
    """Errors of ``kind`` (anywhere along the chain) exit with ``code`` and say ``message``."""

    kind: type[BaseException]
    code: ExitCode | Callable[[BaseException], ExitCode]
    message: Callable[[BaseException], str | None] = str

    def failure(self, errors: list[BaseException]) -> Failure | None:
        """The failure this rule makes of the first error of its kind, or ``None``."""
        for error in errors:
            if isinstance(error, self.kind):
                message = self.message(error)
                if message is not None:
                    code = self.code if isinstance(self.code, ExitCode) else self.code(error)
                    return Failure(message, code)
        return None


def _rules() -> list[Rule]:
    """The table, most telling first: the first rule matching anywhere along the chain wins."""
    import alembic_config as ac
    from alembic.script.revision import MultipleHeads, RevisionError
    from sqlalchemy.exc import DBAPIError, NoReferencedTableError

    library = [
        (ac.DatabaseConnectionError, ExitCode.DATABASE_UNREACHABLE),
        (ac.UnsafeMigrationError, ExitCode.UNSAFE),
        (ac.MigrationScriptError, ExitCode.MIGRATION_FAILED),
        (ac.UnsafeLintError, ExitCode.UNSAFE),
        (ac.LintSettingError, ExitCode.USAGE),
        (ac.DropRequestError, ExitCode.USAGE),
        (ac.ProductionGuardError, ExitCode.USAGE),
        (ac.UnknownRevisionError, ExitCode.REVISION_GRAPH),
        (ac.ChecksumMismatchError, ExitCode.REVISION_GRAPH),
        (ac.RevisionFileError, ExitCode.REVISION_GRAPH),
        (ac.LockTimeoutError, ExitCode.LOCK_TIMEOUT),
        (ac.PartialStateError, ExitCode.PARTIAL_STATE),
        (ac.InvalidNameError, ExitCode.USAGE),
        (ac.MissingDriverError, ExitCode.CONFIGURATION),  # before its base, DatabaseUrlError
        (ac.DatabaseUrlError, ExitCode.USAGE),
        (ac.UnknownServiceError, ExitCode.USAGE),
        (ac.EnvironmentFileError, ExitCode.USAGE),
        (ac.InvalidEnvironmentFileError, ExitCode.USAGE),
    ]

    def library_code(error: BaseException) -> ExitCode:
        found = (code for kind, code in library if isinstance(error, kind))
        return next(found, ExitCode.CONFIGURATION)

    def own_code(error: BaseException) -> ExitCode:
        return ExitCode(getattr(error, "exit_code", ExitCode.CONFIGURATION))

    return [
        Rule(CliError, own_code),
        Rule(ac.AlembicConfigError, library_code),
        Rule(MultipleHeads, ExitCode.REVISION_GRAPH, lambda error: f"{error}: {MERGE_HINT}"),
        Rule(RevisionError, _revision_error_code),
        # a revision file that raised while Alembic imported it (Alembic does not wrap that)
        Rule(Exception, ExitCode.REVISION_GRAPH, _unloadable_revision),
        Rule(NoReferencedTableError, ExitCode.CONFIGURATION, _dangling_reference),
        Rule(DBAPIError, ExitCode.MIGRATION_FAILED, _sql_error),
    ]


def _classify(exc: BaseException) -> Failure | None:
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    errors = chain(exc)
    for rule in _rules():
        failure = rule.failure(errors)
        if failure is not None:
            return failure
    if isinstance(exc, CommandError):
        return _command_error(str(exc))
    if isinstance(exc, SQLAlchemyError):
        return Failure(str(exc), ExitCode.MIGRATION_FAILED)
    return None


def _revision_error_code(error: BaseException) -> ExitCode:
    # a relative target past the end of the history (downgrade -9 with 3 revisions) is bad
    # input; Alembic raises it as a plain RevisionError
    if str(error).startswith("Relative revision"):
        return ExitCode.USAGE
    return ExitCode.REVISION_GRAPH


# Alembic errors that carry only a message: (how it starts, exit code, what to do about it)
_KNOWN_COMMAND_ERRORS = (
    (
        "Target database is not up to date",
        ExitCode.CHECK_FAILED,
        "the database is not at head: run 'mindmirror db upgrade' first; autogenerate and "
        "check compare the models with a database at head",
    ),
    (
        "downgrade with --sql requires",
        ExitCode.USAGE,
        "downgrade --sql reads no database, so it needs FROM:TO as its target (e.g. head:base)",
    ),
    (
        "Range revision not allowed",
        ExitCode.USAGE,
        "a range FROM:TO is only allowed with --sql; give one target revision",
    ),
)
# untyped messages about the revision graph (a new revision on several heads, a bad range...)
_GRAPH_MARKERS = (
    "Can't locate revision",
    "Multiple head revisions",
    "Multiple heads",
    "is not present",
    "No such revision",
    "Requested revision",
    "overlaps with other requested revisions",
    "Destination",
)


def _command_error(message: str) -> Failure:
    for start, code, explanation in _KNOWN_COMMAND_ERRORS:
        if message.startswith(start):
            return Failure(explanation, code)
    if "Multiple head" in message:
        return Failure(f"{message.rstrip('.')}: {MERGE_HINT}", ExitCode.REVISION_GRAPH)
    if any(marker in message for marker in _GRAPH_MARKERS):
        return Failure(message, ExitCode.REVISION_GRAPH)
    return Failure(message, ExitCode.CONFIGURATION)


def _unloadable_revision(error: BaseException) -> str | None:
    """What went wrong importing a revision file (a syntax error...), or ``None`` if not that.

    Alembic imports every revision file when it first reads the graph; an error
    raised below ``Script._from_path`` comes from one of those files.
    """
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    files = [frame.filename.replace("\\", "/") for frame in frames]
    loading = [
        i
        for i, frame in enumerate(frames)
        if frame.name == "_from_path" and files[i].endswith("/alembic/script/base.py")
    ]
    if not loading:
        return None
    if isinstance(error, SyntaxError):
        path, line, detail = error.filename, error.lineno, error.msg
    else:
        inside = [
            frames[i]
            for i in range(loading[-1] + 1, len(frames))
            if not files[i].startswith("<") and "/alembic/" not in files[i]
        ]
        path, line = (inside[0].filename, inside[0].lineno) if inside else ("?", None)
        detail = str(error)
    where = f"{path}, line {line}" if line else str(path)
    return (
        f"cannot load the revision file {where}: {type(error).__name__}: {detail}; "
        "fix that file (or move it out of the versions folder) and run the command again"
    )


def _dangling_reference(error: BaseException) -> str:
    table = getattr(error, "table_name", "?")
    return (
        f"{error}: no selected service defines the table {table!r}. Select the service that "
        "defines it too (ALEMBIC_CONFIG_SERVICES, ALEMBIC_CONFIG_EXCLUDE, --exclude)"
    )


def _sql_error(error: BaseException) -> str:
    orig = getattr(error, "orig", None)
    statement = getattr(error, "statement", None)
    text = f"migration failed: {type(orig).__name__ if orig else type(error).__name__}: "
    text += str(orig or error).strip().splitlines()[0] if str(orig or error).strip() else ""
    if statement:
        text += f"\n  while running: {' '.join(str(statement).split())[:500]}"
    hint = getattr(getattr(orig, "diag", None), "message_hint", None)
    if hint:
        text += f"\n  hint: {hint}"
    if "out of shared memory" in text and "max_locks_per_transaction" in text:
        text += f"\n  {LOCK_TABLE_ADVICE}"
    return text


# PostgreSQL's lock table holds max_locks_per_transaction x max_connections locks; a revision
# creating ~2000 tables (with their indexes and constraints) in one transaction exceeds the default
LOCK_TABLE_ADVICE = (
    "the revision locks more objects in one transaction than PostgreSQL's lock table holds. "
    "Nothing of this revision was applied. Remedies: (1) if it is an autogenerated initial "
    "schema not applied anywhere yet, delete its file and run 'mindmirror db revision "
    "--autogenerate -m ...' again against the empty database: a schema this big is written "
    "as one revision per service, each small enough; (2) split the revision by hand into "
    "several revisions of fewer tables; (3) raise the limit as a superuser: ALTER SYSTEM SET "
    "max_locks_per_transaction = 1024; then restart PostgreSQL (on Supabase: Database "
    "settings)."
)
