"""``classify``: an error's type, found along its cause chain, decides the exit code."""

from __future__ import annotations

import click
import pytest
from alembic.script.revision import MultipleHeads, RangeNotAncestorError, ResolutionError
from alembic.util import CommandError
from alembic_config import DatabaseConnectionError, LockTimeoutError, MissingDriverError
from mindmirror_cli.errors import MERGE_HINT, BadInput, CliError, caused_by, classify
from mindmirror_cli.exit_codes import ExitCode


def raised_from(cause: BaseException, outer: BaseException) -> BaseException:
    """``outer`` raised from ``cause``, as Alembic wraps its revision errors."""
    try:
        try:
            raise cause
        except BaseException as inner:
            raise outer from inner
    except BaseException as caught:
        return caught


def test_cli_errors_are_click_exceptions() -> None:
    error = BadInput("no such thing")
    assert isinstance(error, click.ClickException)
    assert (error.exit_code, error.format_message()) == (ExitCode.USAGE, "no such thing")
    assert CliError("x", exit_code=ExitCode.UNSAFE).exit_code == ExitCode.UNSAFE
    assert CliError("y").exit_code == ExitCode.CONFIGURATION  # the class's, untouched


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (
            raised_from(MultipleHeads(["a", "b"], "head"), CommandError("Multiple head revisions")),
            ExitCode.REVISION_GRAPH,
            f"Multiple heads are present for given argument 'head'; a, b: {MERGE_HINT}",
        ),
        (
            raised_from(ResolutionError("No such revision or branch 'x'", "x"), CommandError("?")),
            ExitCode.REVISION_GRAPH,
            "No such revision or branch 'x'",
        ),
        (
            raised_from(RangeNotAncestorError("a", "b"), CommandError("Requested range a:b")),
            ExitCode.REVISION_GRAPH,
            "Revision a is not an ancestor of revision b",
        ),
        # the library's typed errors, however deep in the chain
        (
            raised_from(LockTimeoutError("busy", timeout=1, holder=None), RuntimeError("outer")),
            ExitCode.LOCK_TIMEOUT,
            "busy",
        ),
        (  # before its base class, a DatabaseUrlError (exit 2)
            MissingDriverError(masked_url="x://", backend="oracle", extra="oracle"),
            ExitCode.CONFIGURATION,
            "no oracle driver is installed for x://; install one with: "
            "pip install 'alembic-config[oracle]'",
        ),
        # the untyped CommandErrors, recognised by their text
        (
            CommandError("Target database is not up to date."),
            ExitCode.CHECK_FAILED,
            "the database is not at head: run 'mindmirror db upgrade' first; autogenerate and "
            "check compare the models with a database at head",
        ),
        (
            CommandError("Multiple heads are present; please specify the head revision"),
            ExitCode.REVISION_GRAPH,
            f"Multiple heads are present; please specify the head revision: {MERGE_HINT}",
        ),
    ],
    ids=["multiple-heads", "resolution", "range", "lock-timeout", "driver", "not-up-to-date",
         "revision-on-heads"],
)  # fmt: skip
def test_classified_by_type_along_the_chain(error: BaseException, code: int, message: str) -> None:
    failure = classify(error)
    assert failure is not None
    assert (failure.exit_code, failure.message) == (code, message)
    assert failure.to_dict() == {
        "exit_code": int(code),
        "kind": ExitCode(code).name.lower(),
        "message": message,
    }


def test_bugs_keep_their_traceback() -> None:
    assert classify(KeyError("x")) is None
    assert classify(raised_from(ValueError("inner"), TypeError("outer"))) is None


def test_caused_by_answers_a_typed_question() -> None:
    unreachable = DatabaseConnectionError("cannot connect", masked_url="x://", reason="refused")
    wrapped = raised_from(unreachable, RuntimeError("while reading the version"))
    assert caused_by(wrapped, DatabaseConnectionError) is unreachable
    assert caused_by(RuntimeError("x"), DatabaseConnectionError) is None
