"""The revision graph as Mermaid or Graphviz DOT text.

Base at the top, each revision below the revisions it follows. Every node says
in words what it is besides its id and message (``head``, ``branch point``,
``merge``, ``current``) and each kind also has its own look: a merge is a
hexagon, a branch point has a double border, a head a thick border, and the
database's current revision is filled green. A current revision that no script
defines is drawn too, in red, so a stray stamp shows up in the picture.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mindmirror_cli.actions.revisions import RevisionInfo

MAX_MESSAGE = 60
INDENT = "    "
COLOURS = {
    "head": "#1c7ed6",
    "branch point": "#e7f5ff",
    "merge": "#f3f0ff",
    "current": "#d3f9d8",
    "current stroke": "#2b8a3e",
    "unknown": "#e03131",
}


def marks(revision: RevisionInfo, current: Iterable[str]) -> list[str]:
    """What ``revision`` is, in words: head, branch point, merge, current."""
    flags = (
        ("head", revision.is_head),
        ("branch point", revision.is_branch_point),
        ("merge", revision.is_merge),
        ("current", revision.revision in set(current)),
    )
    return [name for name, on in flags if on]


def _lines(revision: RevisionInfo, current: set[str]) -> list[str]:
    message = revision.message.splitlines()[0] if revision.message else ""
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 3] + "..."
    lines = [revision.revision] + ([message] if message else [])
    found = marks(revision, current)
    return lines + ([f"({', '.join(found)})"] if found else [])


def _unknown(revisions: list[RevisionInfo], current: set[str]) -> list[str]:
    known = {r.revision for r in revisions}
    return sorted(current - known)


def _mermaid_id(revision: str) -> str:
    return "r_" + re.sub(r"\W", "_", revision)


def _mermaid_text(value: str) -> str:
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        value = value.replace(char, code)
    return value


def mermaid(revisions: Iterable[RevisionInfo], current: Iterable[str] = ()) -> str:
    """A Mermaid flowchart, base at the top; heads, branch points, merges and current marked."""
    revisions = list(revisions)
    current = set(current)
    lines = ["flowchart TD"]
    for rev in reversed(revisions):
        label = "<br/>".join(_mermaid_text(line) for line in _lines(rev, current))
        opening, closing = ("{{", "}}") if rev.is_merge else ("[", "]")
        lines.append(f'{INDENT}{_mermaid_id(rev.revision)}{opening}"{label}"{closing}')
    for revision in _unknown(revisions, current):
        label = f"{_mermaid_text(revision)}<br/>(current, no script defines it)"
        lines.append(f'{INDENT}{_mermaid_id(revision)}["{label}"]')
    for rev in reversed(revisions):
        for down in rev.down_revisions:
            lines.append(f"{INDENT}{_mermaid_id(down)} --> {_mermaid_id(rev.revision)}")
    styles = {
        "branchpoint": f"fill:{COLOURS['branch point']},stroke:{COLOURS['head']},"
        "stroke-width:2px,stroke-dasharray:6 2",
        "merge": f"fill:{COLOURS['merge']},stroke:#7048e8",
        "head": f"stroke:{COLOURS['head']},stroke-width:4px",
        "current": f"fill:{COLOURS['current']},stroke:{COLOURS['current stroke']},stroke-width:3px",
        "unknown": f"fill:#fff5f5,stroke:{COLOURS['unknown']},stroke-width:3px",
    }
    members = {
        "branchpoint": [r.revision for r in revisions if r.is_branch_point],
        "merge": [r.revision for r in revisions if r.is_merge],
        "head": [r.revision for r in revisions if r.is_head],
        "current": [r.revision for r in revisions if r.revision in current],
        "unknown": _unknown(revisions, current),
    }
    for name, style in styles.items():
        lines.append(f"{INDENT}classDef {name} {style}")
        if members[name]:
            ids = ",".join(_mermaid_id(r) for r in members[name])
            lines.append(f"{INDENT}class {ids} {name}")
    return "\n".join(lines) + "\n"


def _dot_quote(*lines: str) -> str:
    """The lines as one double-quoted DOT string, joined by Graphviz's line break."""
    escaped = (line.replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def dot(revisions: Iterable[RevisionInfo], current: Iterable[str] = ()) -> str:
    """A Graphviz digraph, base at the top; heads bold, merges hexagons, current filled."""
    revisions = list(revisions)
    current = set(current)
    lines = [
        "digraph revisions {",
        f"{INDENT}rankdir=TB;",
        f'{INDENT}node [shape=box, style="rounded,filled", fillcolor="white", '
        'fontname="Helvetica", fontsize=10];',
        f'{INDENT}edge [color="#495057", arrowsize=0.7];',
    ]
    for rev in reversed(revisions):
        attrs = [f"label={_dot_quote(*_lines(rev, current))}"]
        if rev.is_merge:
            attrs += ["shape=hexagon", f'fillcolor="{COLOURS["merge"]}"']
        if rev.is_branch_point:
            attrs += ["peripheries=2", f'fillcolor="{COLOURS["branch point"]}"']
        if rev.is_head:
            attrs += ["penwidth=3", f'color="{COLOURS["head"]}"']
        if rev.revision in current:
            attrs += [f'fillcolor="{COLOURS["current"]}"', f'color="{COLOURS["current stroke"]}"']
            attrs += ["penwidth=3"] if not rev.is_head else []
        lines.append(f"{INDENT}{_dot_quote(rev.revision)} [{', '.join(attrs)}];")
    for revision in _unknown(revisions, current):
        label = _dot_quote(revision, "(current, no script defines it)")
        lines.append(
            f"{INDENT}{_dot_quote(revision)} [label={label}, "
            f'color="{COLOURS["unknown"]}", fillcolor="#fff5f5", penwidth=3];'
        )
    for rev in reversed(revisions):
        for down in rev.down_revisions:
            lines.append(f"{INDENT}{_dot_quote(down)} -> {_dot_quote(rev.revision)};")
    lines.append("}")
    return "\n".join(lines) + "\n"
