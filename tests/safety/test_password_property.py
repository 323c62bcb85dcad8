"""D. No spelling of a generated password is ever shown, logged or written (property test).

Hypothesis generates passwords (ASCII punctuation, ``%``, ``@``, ``/``, ``+``,
non-ASCII) and puts each in every position a URL can hold one: the user info
(raw, percent-encoded, plus-encoded), a ``password=``/``passwd=``/``pwd=`` query
parameter, and URLs whose ``://`` is mistyped. Every command then runs
in-process (``mindmirror`` through Click's runner with ``-vv`` logs, ``--json``
and ``--sql``; stock ``alembic`` through its own command line and the shipped
env.py) and neither the raw password nor any encoding of it may appear in what
it printed, logged or wrote. The examples are derandomized and bounded.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from alembic.config import CommandLine
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.safety.harness import write_standard_revisions

# a password long and odd enough never to occur by chance in any output
PASSWORD = st.text(
    alphabet=st.sampled_from(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        "%@/:+?#&=;!$*()[]~ .-_'\"\\éü日€"
    ),
    min_size=8,
    max_size=24,
).map(lambda text: "Q9" + text + "Z7")  # keeps every password distinctive
# positions a password takes in a URL; {p} raw, {e} percent-encoded, {f} plus-encoded
SHAPES = st.sampled_from(
    [
        "postgresql://postgres:{e}@127.0.0.1:1/db",
        "postgresql://postgres:{f}@127.0.0.1:1/db",
        "mysql://root:{e}@127.0.0.1:1/db",
        "postgresql://postgres@127.0.0.1:1/db?password={e}",
        "postgresql://postgres@127.0.0.1:1/db?sslmode=disable&password={f}",
        "mysql://root@127.0.0.1:1/db?passwd={e}",
        "mysql://root@127.0.0.1:1/db?pwd={f}",
        "postgresql//postgres:{e}@127.0.0.1:1/db",
        "postgresql:/postgres:{e}@127.0.0.1:1/db",
        "postgresql:postgres:{e}@127.0.0.1:1/db",
        "postgresql+psycopg//postgres:{e}@127.0.0.1:1/db",
        "postgresql//postgres:{p}@127.0.0.1:1/db",
        "postgresql://postgres:{p}@127.0.0.1:99999/db",
        "mysql://root:{e}@127.0.0.1:1/db?ssl_ca=/nonexistent",
    ]
)
MINDMIRROR_COMMANDS = (
    ("-vv", "db", "status"),
    ("--json", "db", "status"),
    ("-vv", "db", "upgrade"),
    ("-vv", "db", "upgrade", "--sql"),
    ("doctor",),
    ("db", "health"),
)
ALEMBIC_COMMANDS = (("upgrade", "head"), ("upgrade", "head", "--sql"), ("current",))
LOGGERS = ("alembic", "alembic_config", "mindmirror_cli", "sqlalchemy")


def spellings(password: str) -> set[str]:
    """The password raw and in every encoding a URL, a log or an ini file may carry."""
    forms = {password, quote(password, safe=""), quote(password), quote_plus(password)}
    forms |= {form.replace("%", "%%") for form in forms}
    forms |= {form.lower() for form in forms if "%" in form}
    return forms


def url_for(shape: str, password: str) -> str:
    return shape.format(p=password, e=quote(password, safe=""), f=quote_plus(password))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project: an ini with file logging at DEBUG, the three revisions."""
    root = tmp_path_factory.mktemp("property")
    versions = root / "versions"
    versions.mkdir()
    write_standard_revisions(versions)
    (root / "alembic.ini").write_text(
        "[alembic]\nscript_location = alembic_config:\npath_separator = space\n"
        f"version_locations = {versions}\nrevision_environment = true\n"
    )
    return root


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Every record of the product's loggers and SQLAlchemy's, at DEBUG, as text."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        for name, level in saved.items():
            logging.getLogger(name).removeHandler(handler)
            logging.getLogger(name).setLevel(level)


@contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_alembic(folder: Path, args: tuple[str, ...]) -> str:
    """Stock alembic's command line in-process: what it printed (``FAILED: ...`` included)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            CommandLine(prog="alembic").main(["-c", str(folder / "alembic.ini"), *args])
        except SystemExit:
            pass
        except Exception as exc:
            err.write(f"{type(exc).__name__}: {exc}\n")
    return out.getvalue() + err.getvalue()


def written(folder: Path) -> str:
    """Every file of the project, as text."""
    return "\n".join(
        path.read_text(errors="replace") for path in sorted(folder.rglob("*")) if path.is_file()
    )


@settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(password=PASSWORD, shape=SHAPES)
def test_no_spelling_of_the_password_is_ever_shown(
    folder: Path, installed_services: str, password: str, shape: str
) -> None:
    from mindmirror_cli.main import cli

    url = url_for(shape, password)
    forbidden = spellings(password)
    shown: list[str] = []
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        with environment(ALEMBIC_CONFIG_EXCLUDE=installed_services):
            for command in MINDMIRROR_COMMANDS:
                result = CliRunner().invoke(
                    cli, ["-c", "alembic.ini", "--database-url", url, *command]
                )
                shown += [result.stdout, result.stderr, repr(result.exception or "")]
            # after mindmirror set its own levels: stock alembic's INFO lines at DEBUG
            with environment(DATABASE_URL=url), captured_logs() as logs:
                for args in ALEMBIC_COMMANDS:
                    shown.append(run_alembic(folder, args))
            shown.append(logs.getvalue())
    finally:
        os.chdir(cwd)
    shown.append(written(folder))
    text = "\n".join(shown)
    leaked = sorted(form for form in forbidden if form in text)
    assert not leaked, f"{url!r} leaked {leaked!r}:\n{text[-3000:]}"
