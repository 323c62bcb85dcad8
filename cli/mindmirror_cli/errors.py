"""The CLI's own errors, and the one place where any error becomes a message and an exit code."""

from __future__ import annotations

from dataclasses import dataclass

from mindmirror_cli.exit_codes import ExitCode


class CliError(Exception):
    """An error the CLI reports as a message and an exit code, without a traceback."""

    exit_code = ExitCode.CONFIGURATION

    def __init__(self, message: str, *, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class CheckFailed(CliError):
    """A check ran and found a problem: drift, not at head, pending revisions."""

    exit_code = ExitCode.CHECK_FAILED


class BadInput(CliError):
    """An argument or option that cannot be used as given."""

    exit_code = ExitCode.USAGE


class RevisionGraphError(CliError):
    """Several heads, a missing revision, a database at an unknown revision."""

    exit_code = ExitCode.REVISION_GRAPH


class MigrationFailed(CliError):
    """A migration raised while running."""

    exit_code = ExitCode.MIGRATION_FAILED


@dataclass(frozen=True)
class Failure:
    """What to tell the user and which code to exit with."""

    message: str
    exit_code: ExitCode


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify(exc: BaseException, *, redact: object = None) -> Failure | None:
    """Turn any error the commands may meet into a message and an exit code.

    Returns ``None`` for errors that are bugs (they keep their traceback).
    ``redact`` is a callable removing the database password from a text. Notes
    added on the way up (a revision left partial...) follow the message.
    """
    failure = _classify(exc, redact=redact)
    notes = [str(note) for error in _chain(exc) for note in getattr(error, "__notes__", ())]
    if failure is None or not notes:
        return failure
    text = "\n".join([failure.message, *notes])
    return Failure(str(redact(text)) if callable(redact) else text, failure.exit_code)


def _classify(exc: BaseException, *, redact: object = None) -> Failure | None:
    import alembic_config as ac
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError
    from sqlalchemy.exc import DBAPIError, NoReferencedTableError, SQLAlchemyError

    def clean(text: str) -> str:
        return str(redact(text)) if callable(redact) else text

    chain = _chain(exc)
    for error in chain:
        if isinstance(error, CliError):
            return Failure(clean(str(error)), error.exit_code)
    for error in chain:
        if isinstance(error, ac.AlembicConfigError):
            return Failure(clean(str(error)), _alembic_config_code(error))
    for error in chain:
        if isinstance(error, RevisionError):
            return Failure(clean(str(error)), _revision_error_code(str(error)))
    for error in chain:
        broken = _unloadable_revision(error)
        if broken is not None:
            return Failure(clean(broken), ExitCode.REVISION_GRAPH)
    for error in chain:
        if isinstance(error, NoReferencedTableError):
            return Failure(clean(_dangling_reference(error)), ExitCode.CONFIGURATION)
    for error in chain:
        if isinstance(error, DBAPIError):
            return Failure(clean(_sql_error(error)), ExitCode.MIGRATION_FAILED)
    if isinstance(exc, CommandError):
        message, code = _command_error(str(exc))
        return Failure(clean(message), code)
    if isinstance(exc, SQLAlchemyError):
        return Failure(clean(str(exc)), ExitCode.MIGRATION_FAILED)
    return None


def _alembic_config_code(error: BaseException) -> ExitCode:
    import alembic_config as ac

    if isinstance(error, ac.DatabaseConnectionError):
        return ExitCode.DATABASE_UNREACHABLE
    if isinstance(error, ac.UnsafeMigrationError):
        return ExitCode.UNSAFE
    if isinstance(error, ac.DropRequestError | ac.ProductionGuardError):
        return ExitCode.USAGE
    if isinstance(error, ac.UnknownRevisionError | ac.ChecksumMismatchError | ac.RevisionFileError):
        return ExitCode.REVISION_GRAPH
    if isinstance(error, ac.LockTimeoutError):
        return ExitCode.LOCK_TIMEOUT
    if isinstance(error, ac.PartialStateError):
        return ExitCode.PARTIAL_STATE
    if isinstance(error, ac.InvalidNameError):
        return ExitCode.USAGE
    if isinstance(error, ac.MissingDriverError):
        return ExitCode.CONFIGURATION
    if isinstance(
        error,
        ac.DatabaseUrlError
        | ac.UnknownServiceError
        | ac.EnvironmentFileError
        | ac.InvalidEnvironmentFileError,
    ):
        return ExitCode.USAGE
    return ExitCode.CONFIGURATION


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


def _revision_error_code(message: str) -> ExitCode:
    # a relative target past the end of the history (downgrade -9 with 3 revisions) is bad input
    if message.startswith("Relative revision"):
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


def _command_error(message: str) -> tuple[str, ExitCode]:
    for start, code, explanation in _KNOWN_COMMAND_ERRORS:
        if message.startswith(start):
            return explanation, code
    if any(marker in message for marker in _GRAPH_MARKERS):
        return message, ExitCode.REVISION_GRAPH
    return message, ExitCode.CONFIGURATION


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
