"""The colours of the diagrams, shared by the Mermaid and DOT renderers.

Each service keeps one colour wherever it appears (its place among the loaded
services picks it, so ``--service`` does not repaint the others). Red is kept
for conflicts and orange for foreign keys that cross services; greys are for
tables shown only because something points at them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Colours:
    """A group's colours: the cluster's background, a table header, borders and text."""

    fill: str
    header: str
    stroke: str
    text: str = "#212529"


PALETTE = (
    Colours(fill="#f1f8ff", header="#d0ebff", stroke="#1c7ed6"),  # blue
    Colours(fill="#f2fbf4", header="#d3f9d8", stroke="#2f9e44"),  # green
    Colours(fill="#f6f4ff", header="#e5dbff", stroke="#7048e8"),  # violet
    Colours(fill="#f0fbfa", header="#c3fae8", stroke="#0c8599"),  # teal
    Colours(fill="#fff5f9", header="#ffdeeb", stroke="#c2255c"),  # pink
    Colours(fill="#fffbeb", header="#fff3bf", stroke="#e67700"),  # yellow
    Colours(fill="#f3f6ff", header="#dbe4ff", stroke="#3b5bdb"),  # indigo
    Colours(fill="#f7fdf0", header="#e9fac8", stroke="#5c940d"),  # lime
    Colours(fill="#fdf4ff", header="#f3d9fa", stroke="#9c36b5"),  # grape
    Colours(fill="#eefcff", header="#c5f6fa", stroke="#1098ad"),  # cyan
)
SHARED = Colours(fill="#f8f9fa", header="#e9ecef", stroke="#495057")
CONTEXT = Colours(fill="#fbfbfc", header="#f1f3f5", stroke="#adb5bd", text="#868e96")
MISSING = Colours(fill="#ffffff", header="#ffffff", stroke="#ced4da", text="#868e96")
CONFLICT = "#e03131"
CROSS_SERVICE = "#e8590c"
EDGE = "#495057"


def colours_of(colour: int, role: str) -> Colours:
    """The colours of a group: its palette entry, or grey when it is context or shared."""
    if role == "missing":
        return MISSING
    if role == "context":
        return CONTEXT
    if colour < 0:
        return SHARED
    return PALETTE[colour % len(PALETTE)]
