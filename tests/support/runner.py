"""Running ``mindmirror``: in-process through Click's runner, or as the installed console script.

Every test that runs the command goes through here (the CLI battery's
``Mindmirror``, the diagram tests' ``invoke``); the safety battery's process
harness starts the same console scripts, named here, under its own process control.
"""

from __future__ import annotations

import inspect
import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.support.services import BIN

MINDMIRROR = BIN / "mindmirror"
ALEMBIC = BIN / "alembic"


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

    @property
    def output(self) -> str:
        """stdout, then stderr: everything the run printed (for assertion messages)."""
        return self.stdout + self.stderr


def in_process(args: Sequence[str], env: Mapping[str, str | None] | None = None) -> Outcome:
    """Run ``mindmirror ARGS`` in this process, in the working directory, without a terminal."""
    from mindmirror_cli.main import cli

    # catch_exceptions=False: an unexpected exception fails the test with its traceback
    result = separate_streams_runner().invoke(
        cli, list(args), env=dict(env or {}), catch_exceptions=False
    )
    return Outcome(result.exit_code, result.stdout, result.stderr, tuple(args))


def console_script(
    args: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float = 300
) -> Outcome:
    """Run the installed ``mindmirror ARGS`` in ``cwd``; a traceback on stderr fails the test."""
    done = subprocess.run(
        [str(MINDMIRROR), *args],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    outcome = Outcome(done.returncode, done.stdout, done.stderr, tuple(args))
    assert "Traceback" not in done.stderr, str(outcome)
    return outcome
