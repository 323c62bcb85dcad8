"""Running ``mindmirror`` in-process or as the console script, and arranging projects."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.support.services import BIN, subprocess_env

MINDMIRROR = BIN / "mindmirror"
MODES = ("runner", "subprocess")
# both ways of running; the subprocess runs are the slow part of the battery
MODE_PARAMS = [
    pytest.param(mode, marks=[pytest.mark.slow] if mode == "subprocess" else []) for mode in MODES
]
SECONDS = r"\d+\.\d\d s"


def separate_streams_runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout, on click 8.1 as on 8.2 and later.

    Click 8.2 always captures the two apart and dropped the ``mix_stderr`` switch that
    8.1 needs for it; the lowest-versions session runs the suite on 8.1.
    """
    if "mix_stderr" in inspect.signature(CliRunner).parameters:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    return CliRunner()


@dataclass(frozen=True)
class Outcome:
    """What one run printed and how it exited."""

    exit_code: int
    stdout: str
    stderr: str
    args: tuple[str, ...] = ()

    def json(self) -> Any:
        """stdout as the one JSON document it must be."""
        return json.loads(self.stdout)

    @property
    def out_lines(self) -> list[str]:
        """stdout's lines, trailing blanks (table padding) removed."""
        return [line.rstrip() for line in self.stdout.splitlines()]

    @property
    def err_lines(self) -> list[str]:
        """stderr's lines, trailing blanks removed."""
        return [line.rstrip() for line in self.stderr.splitlines()]

    @property
    def error(self) -> str:
        """The error message block: stderr from the first ``error: `` line to the end."""
        lines = self.err_lines
        starts = [i for i, line in enumerate(lines) if line.startswith("error: ")]
        return "\n".join(lines[starts[0] :]) if starts else ""

    def __str__(self) -> str:
        return (
            f"mindmirror {' '.join(self.args)} -> {self.exit_code}\n"
            f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )


@dataclass
class Mindmirror:
    """``mindmirror`` for one project: in-process (``runner``) or the console script."""

    mode: str
    project: Path
    site: Path
    env: dict[str, str] = field(default_factory=dict)

    def __call__(self, *args: str, env: Mapping[str, str | None] | None = None) -> Outcome:
        """Run ``mindmirror ARGS`` in the project folder, without a terminal."""
        if self.mode == "runner":
            return self._in_process(args, env or {})
        return self._subprocess(args, env or {})

    def _in_process(self, args: tuple[str, ...], env: Mapping[str, str | None]) -> Outcome:
        from mindmirror_cli.main import cli

        # catch_exceptions=False: an unexpected exception fails the test with its traceback
        result = separate_streams_runner().invoke(
            cli, list(args), env=dict(env), catch_exceptions=False
        )
        return Outcome(result.exit_code, result.stdout, result.stderr, args)

    def _subprocess(self, args: tuple[str, ...], env: Mapping[str, str | None]) -> Outcome:
        environ = subprocess_env(self.site, **self.env)
        for key, value in env.items():
            if value is None:
                environ.pop(key, None)
            else:
                environ[key] = value
        done = subprocess.run(
            [str(MINDMIRROR), *args],
            cwd=self.project,
            env=environ,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        outcome = Outcome(done.returncode, done.stdout, done.stderr, args)
        assert "Traceback" not in done.stderr, str(outcome)
        return outcome


def expect(outcome: Outcome, code: int = 0) -> Outcome:
    """Assert the exit code (showing everything printed when it differs)."""
    assert outcome.exit_code == code, str(outcome)
    return outcome


def matches(patterns: list[str], lines: list[str]) -> bool:
    """True when each line matches its regular expression (``SECONDS`` for a duration)."""
    return len(patterns) == len(lines) and all(
        re.fullmatch(pattern, line) for pattern, line in zip(patterns, lines, strict=True)
    )


def revision_file(project: Path, revision: str, down: str | None, message: str) -> Path:
    """Write a minimal revision script by hand into the project's versions folder."""
    path = project / "versions" / f"{revision}.py"
    path.write_text(
        f'"""{message}"""\n\n'
        f"revision = {revision!r}\n"
        f"down_revision = {down!r}\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        "def upgrade() -> None:\n    pass\n\n\n"
        "def downgrade() -> None:\n    pass\n"
    )
    return path


def execute(url: str, *statements: str) -> None:
    """Run SQL statements on the database at ``url``, committed."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def masked(url: str) -> str:
    """The URL as the CLI shows it: driver chosen, password masked."""
    from alembic_config import normalize_url

    return normalize_url(url).render_as_string(hide_password=True)


def revisions(project: Path) -> list[Path]:
    """The revision files in the project's versions folder, sorted by name."""
    return sorted((project / "versions").glob("*.py"))
