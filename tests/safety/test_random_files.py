"""D. Random bytes as ``.env``, ini or revision file: a message and exit 2, 3 or 7, no traceback.

Runs ``mindmirror db upgrade`` in-process (Click's runner, no ``-v``) and, for
the ``.env`` and the revision file, stock ``alembic upgrade head`` through the
shipped env.py. A broken ini under stock ``alembic`` fails inside Alembic
before any of alembic-config's code runs: out of reach, so not asserted here.
"""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from alembic.config import CommandLine
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from tests.safety.harness import write_standard_revisions

TARGETS = {".env": ".env", "ini": "alembic.ini", "revision": "versions/s9_random.py"}
INI = "[alembic]\nscript_location = alembic_config:\npath_separator = space\n"


def _not_text(data: bytes) -> bool:
    """Bytes no text editor would save: not UTF-8, or holding a NUL."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return b"\x00" in data


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("random")
    (root / "versions").mkdir()
    write_standard_revisions(root / "versions")
    return root


def _alembic(folder: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            CommandLine(prog="alembic").main(["-c", str(folder / "alembic.ini"), "upgrade", "head"])
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue() + err.getvalue()


@settings(
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(target=st.sampled_from(sorted(TARGETS)), data=st.binary(min_size=1, max_size=200))
def test_random_bytes_are_a_message_not_a_traceback(
    folder: Path, installed_services: str, target: str, data: bytes
) -> None:
    from mindmirror_cli.main import cli

    assume(_not_text(data))
    (folder / "alembic.ini").write_text(INI + f"version_locations = {folder / 'versions'}\n")
    (folder / TARGETS[target]).write_bytes(data)
    environ = {"ALEMBIC_CONFIG_EXCLUDE": installed_services, "DATABASE_URL": "sqlite://"}
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(cli, ["-c", "alembic.ini", "db", "upgrade"], env=environ)
        assert result.exit_code in (2, 3, 7), (result.output, result.exception)
        assert isinstance(result.exception, SystemExit), result.exception
        assert [line for line in result.stderr.splitlines() if line.startswith("error: ")], (
            result.stderr
        )
        assert "Traceback" not in result.output
        if target != "ini":
            saved = {key: os.environ.get(key) for key in environ}
            os.environ.update(environ)
            try:
                code, said = _alembic(folder)
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
            assert code == -1, said  # sys.exit(-1): the process exits 255
            assert said.startswith("FAILED: "), said
            assert "Traceback" not in said
    finally:
        os.chdir(cwd)
        for name in (".env", "versions/s9_random.py"):
            (folder / name).unlink(missing_ok=True)
