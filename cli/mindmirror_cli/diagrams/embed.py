"""Keeping a Mermaid diagram embedded in a Markdown file up to date.

A file marks where the diagram goes with two HTML comments, which Markdown
renderers do not show::

    <!-- mindmirror models erd: begin -->
    ```mermaid
    ...
    ```
    <!-- mindmirror models erd: end -->

:func:`embed` puts the current diagram between every such pair and leaves the
rest of the file byte for byte as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mindmirror_cli.errors import BadInput

BEGIN = "<!-- mindmirror models erd: begin -->"
END = "<!-- mindmirror models erd: end -->"
BLOCK = re.compile(
    re.escape(BEGIN) + r"\n(?:```mermaid\n(?P<body>.*?)```\n)?" + re.escape(END), re.DOTALL
)
"""One embedded diagram; ``body`` is the Mermaid text (None between empty markers)."""
UPDATE_COMMAND = "mindmirror models erd --update"


@dataclass(frozen=True)
class Embedded:
    """What :func:`embed` did to one file."""

    path: Path
    blocks: int
    changed: bool


def bodies(text: str) -> list[str]:
    """The Mermaid text of every embedded diagram in ``text`` (empty markers give ``""``)."""
    return [match["body"] or "" for match in BLOCK.finditer(text)]


def replace_blocks(text: str, mermaid: str) -> tuple[str, int]:
    """``text`` with ``mermaid`` between every pair of markers, and the number of pairs."""
    block = f"{BEGIN}\n```mermaid\n{mermaid}```\n{END}"
    return BLOCK.subn(lambda _match: block, text)


def embed(path: Path, mermaid: str) -> Embedded:
    """Rewrite the diagrams between the markers of the Markdown file ``path``.

    The file is written only when a diagram changed. :class:`BadInput` (exit 2)
    when it cannot be read or written, or has no markers.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise BadInput(f"cannot read {path}: {reason}") from exc
    updated, count = replace_blocks(text, mermaid)
    if count == 0:
        raise BadInput(
            f"{path} has no place for the diagram: put the lines {BEGIN!r} and {END!r} "
            "where it goes, then run the command again"
        )
    changed = updated != text
    if changed:
        try:
            path.write_text(updated, encoding="utf-8")
        except OSError as exc:
            raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from exc
    return Embedded(path, count, changed)
