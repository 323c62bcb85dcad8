"""The revision graph as Mermaid or Graphviz DOT text."""

from __future__ import annotations

from collections.abc import Iterable

from mindmirror_cli.actions.revisions import RevisionInfo


def _label(revision: RevisionInfo) -> str:
    text = f"{revision.revision}: {revision.message}" if revision.message else revision.revision
    return text.replace('"', "'")


def mermaid(revisions: Iterable[RevisionInfo], current: Iterable[str] = ()) -> str:
    """A Mermaid flowchart, base at the top; heads and the database's current revision marked."""
    revisions = list(revisions)
    current = set(current)
    lines = ["flowchart TD"]
    for rev in reversed(revisions):
        lines.append(f'    r_{rev.revision}["{_label(rev)}"]')
    for rev in reversed(revisions):
        for down in rev.down_revisions:
            lines.append(f"    r_{down} --> r_{rev.revision}")
    lines.append("    classDef head stroke-width:3px")
    lines.append("    classDef current fill:#d4f7d4,stroke:#2b8a3e")
    heads = [r.revision for r in revisions if r.is_head]
    if heads:
        lines.append("    class " + ",".join(f"r_{h}" for h in heads) + " head")
    marked = [r.revision for r in revisions if r.revision in current]
    if marked:
        lines.append("    class " + ",".join(f"r_{h}" for h in marked) + " current")
    return "\n".join(lines) + "\n"


def dot(revisions: Iterable[RevisionInfo], current: Iterable[str] = ()) -> str:
    """A Graphviz digraph, base at the top; heads bold, the current revision filled."""
    revisions = list(revisions)
    current = set(current)
    lines = ["digraph revisions {", "    rankdir=TB;", "    node [shape=box];"]
    for rev in reversed(revisions):
        attrs = [f'label="{_label(rev)}"']
        if rev.is_head:
            attrs.append("penwidth=3")
        if rev.revision in current:
            attrs.append('style=filled fillcolor="#d4f7d4"')
        lines.append(f'    "{rev.revision}" [{" ".join(attrs)}];')
    for rev in reversed(revisions):
        for down in rev.down_revisions:
            lines.append(f'    "{down}" -> "{rev.revision}";')
    lines.append("}")
    return "\n".join(lines) + "\n"
