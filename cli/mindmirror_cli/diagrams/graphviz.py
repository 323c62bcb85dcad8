"""Running Graphviz's ``dot`` program: DOT text in, SVG or PNG bytes out.

The program is found on ``PATH`` when it is needed; without it, the error says
how to install it (exit 3, a configuration problem of this machine). ``dot`` runs
as a subprocess fed on stdin, with a timeout, since a very large graph can take
it minutes to lay out.
"""

from __future__ import annotations

import shutil
import subprocess

from mindmirror_cli.errors import CliError
from mindmirror_cli.exit_codes import ExitCode

IMAGE_FORMATS = ("svg", "png")
TIMEOUT_SECONDS = 300.0
INSTALL_HINT = (
    "install Graphviz: 'apt-get install graphviz' (Debian, Ubuntu) or "
    "'brew install graphviz' (macOS)"
)


class GraphvizError(CliError):
    """Graphviz is missing, failed, or took too long."""

    exit_code = ExitCode.CONFIGURATION


def find_dot() -> str:
    """The path of Graphviz's ``dot`` program; :class:`GraphvizError` when it is not installed."""
    path = shutil.which("dot")
    if path is None:
        raise GraphvizError(
            "svg and png need Graphviz's 'dot' program, which is not on PATH; "
            f"{INSTALL_HINT}; or choose a text format (mermaid, dot)"
        )
    return path


def render(source: str, fmt: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Lay out the DOT ``source`` with ``dot -T<fmt>`` and return the image."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"Graphviz renders {', '.join(IMAGE_FORMATS)}, not {fmt!r}")
    command = [find_dot(), f"-T{fmt}"]
    try:
        done = subprocess.run(
            command, input=source.encode("utf-8"), capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise GraphvizError(
            f"Graphviz's dot did not finish within {timeout:g} s; "
            "draw fewer tables (--service) or use a text format"
        ) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = detail[0] if detail else "no message"
        raise GraphvizError(f"Graphviz's dot failed (exit {done.returncode}): {reason}")
    return done.stdout
