"""The CLI's output channel: results on stdout, messages on stderr, JSON when asked.

Rich is imported on first use only, so ``--help`` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

# the line width when the output is not a terminal: wide enough that tables never truncate
PIPED_WIDTH = 10_000


def _is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


# the variables with which Rich treats a stream that is not a terminal as one
_TERMINAL_VARIABLES = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


def _may_be_terminal(stream: Any) -> bool:
    """False only where Rich would find no terminal either: not a TTY, nothing forcing one."""
    return _is_terminal(stream) or any(name in os.environ for name in _TERMINAL_VARIABLES)


class Output:
    """Where every command writes. ``-q`` silences messages, ``-v`` shows details."""

    def __init__(self, *, json_mode: bool = False, color: bool = True, verbosity: int = 0) -> None:
        self.json_mode = json_mode
        self.color = color
        self.verbosity = verbosity
        self._out: Console | None = None
        self._err: Console | None = None
        self.warnings: list[str] = []
        self.printed_document = False

    def _print(self, text: str, *, stderr: bool, style: str | None = None) -> None:
        """Print a line: through Rich on a colour terminal, as plain text otherwise (fast)."""
        stream = sys.stderr if stderr else sys.stdout
        if not self.color or not stream.isatty():
            stream.write(f"{text}\n")
            stream.flush()
            return
        self._console(stderr=stderr).print(text, style=style)

    def _console(self, *, stderr: bool) -> Console:
        from rich.console import Console

        if stderr:
            if self._err is None:
                self._err = self._make(Console, sys.stderr)
            return self._err
        if self._out is None:
            self._out = self._make(Console, sys.stdout)
        return self._out

    def _make(self, console: type[Console], stream: Any) -> Console:
        return console(
            file=stream,
            # piped or captured output keeps every character (a terminal's width otherwise)
            width=None if _is_terminal(stream) else PIPED_WIDTH,
            no_color=not self.color,
            highlight=False,
            soft_wrap=True,
            emoji=False,
            markup=False,
            force_terminal=None if self.color else False,
        )

    # -- messages (stderr) ---------------------------------------------------------------------
    def info(self, text: str, *, style: str | None = None) -> None:
        """A progress or status message; silenced by ``-q``."""
        if self.verbosity >= 0:
            self._print(text, stderr=True, style=style)

    def detail(self, text: str) -> None:
        """A message shown only with ``-v``."""
        if self.verbosity > 0:
            self._print(text, stderr=True, style="dim")

    def success(self, text: str) -> None:
        """A message saying the command did what was asked."""
        self.info(text, style="green")

    def warn(self, text: str) -> None:
        """A warning; shown even with ``-q``, and remembered for the JSON results."""
        self.warnings.append(text)
        self._print(f"warning: {text}", stderr=True, style="yellow")

    def error(self, text: str) -> None:
        """An error; always shown."""
        self._print(f"error: {text}", stderr=True, style="bold red")

    # -- results (stdout) ----------------------------------------------------------------------
    def result(self, text: str = "", *, style: str | None = None) -> None:
        """A line of the command's result (text mode)."""
        self._print(text, stderr=False, style=style)

    def data(self, payload: Any) -> None:
        """The command's result as one JSON document on stdout."""
        sys.stdout.write(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")
        sys.stdout.flush()
        self.printed_document = True

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """A table of results on stdout: columns aligned, two spaces apart, no trailing blanks."""
        cells = [[str(cell) for cell in row] for row in [headers, *rows]]
        widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
        for number, row in enumerate(cells):
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self._print(line.rstrip(), stderr=False, style="bold" if number == 0 else None)

    def progress(self) -> Any:
        """A progress bar on stderr; None when quiet or not on a terminal.

        None rather than a disabled bar: before rich 14.3 a disabled bar still
        wrote a blank line when it stopped.
        """
        if self.verbosity < 0 or not _may_be_terminal(sys.stderr):
            return None  # decided without importing Rich (a few MiB and tens of milliseconds)
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        console = self._console(stderr=True)
        if not console.is_terminal:
            return None
        return Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
