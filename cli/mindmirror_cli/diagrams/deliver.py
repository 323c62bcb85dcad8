"""Where a diagram goes: text on stdout or into a file, images (through Graphviz) into a file."""

from __future__ import annotations

import sys
from pathlib import Path

from mindmirror_cli.diagrams.graphviz import IMAGE_FORMATS, find_dot, render
from mindmirror_cli.errors import BadInput

TEXT_FORMATS = ("mermaid", "dot")
FORMATS = TEXT_FORMATS + IMAGE_FORMATS


def check_destination(fmt: str, output: Path | None, *, option: str) -> None:
    """Fail early, before any work: an image needs ``-o FILE`` (exit 2) and Graphviz (exit 3)."""
    if fmt not in IMAGE_FORMATS:
        return
    if output is None:
        raise BadInput(f"{option} {fmt} writes an image: give the file with -o FILE")
    find_dot()


def deliver(fmt: str, source: str, output: Path | None) -> None:
    """Write ``source`` (Mermaid or DOT text) as ``fmt``: to ``output``, or stdout for text.

    For ``svg`` and ``png`` the source is DOT, rendered by Graphviz first.
    """
    if fmt in IMAGE_FORMATS:
        if output is None:
            raise BadInput(f"{fmt} writes an image: give the file with -o FILE")
        _write(output, render(source, fmt))
    elif output is not None:
        _write(output, source.encode("utf-8"))
    else:
        sys.stdout.write(source)
        sys.stdout.flush()


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from exc
