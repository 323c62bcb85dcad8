"""The ER diagram as Mermaid text, for a README or a pull request.

Why a ``flowchart`` and not an ``erDiagram``: Mermaid's ``erDiagram`` has no
way to group entities (no subgraphs), and colouring its entities needs a Mermaid
newer than the one many renderers embed, so the diagram could neither show nor
colour which service owns a table. A ``flowchart`` with one ``subgraph`` per
service renders on GitHub as it is: each table is a node whose label lists its
columns (name, type, ``PK``/``FK``, nullability), each group and its tables take
the service's colour (``classDef``/``style``), a foreign key is an arrow from the
referencing table to the referenced one labelled with its columns, and a key that
crosses services is a dotted orange arrow whose label names both services. A
table whose services define it differently gets a thick red border and a
``CONFLICT`` line; a wide table drawn with its keys only (as in the DOT output)
ends with a line saying how many columns it leaves out. The crow's-foot notation
of ``erDiagram`` is the price.

Mermaid renders at most 50,000 characters and 500 edges by default
(``maxTextSize``, ``maxEdges``); :func:`limits_exceeded` says when a diagram
passes them, so that the command can suggest ``--service`` or an image.
"""

from __future__ import annotations

import re

from mindmirror_cli.diagrams.model import Entity, Erd, Group
from mindmirror_cli.diagrams.style import CONFLICT, CROSS_SERVICE, EDGE, colours_of

MAX_TEXT = 50_000
MAX_EDGES = 500
INDENT = "    "


def text(value: str) -> str:
    """``value`` safe inside a quoted Mermaid label (entity codes for ``# " < >``)."""
    return (
        value.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )


def identifiers(keys: list[str], prefix: str) -> dict[str, str]:
    """A distinct Mermaid id for each key: ``prefix`` plus the key with non-word characters as _."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for key in keys:
        base = prefix + re.sub(r"\W", "_", key)
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        ids[key] = candidate
    return ids


def erd_mermaid(erd: Erd) -> str:
    """The diagram as a Mermaid flowchart: one subgraph per service, one node per table."""
    nodes = identifiers([e.key for e in erd.entities], "t_")
    subgraphs = identifiers([_group_key(g) for g in erd.groups], "g_")
    lines = [f"%% mindmirror models erd: {erd.title}", "flowchart LR"]
    for group in erd.groups:
        gid = subgraphs[_group_key(group)]
        lines.append(f'{INDENT}subgraph {gid}["{text(_group_label(group))}"]')
        for entity in erd.entities_of(group):
            lines.append(f'{INDENT * 2}{nodes[entity.key]}["{_node_label(entity)}"]')
        lines.append(f"{INDENT}end")
    crossing: list[str] = []
    for index, link in enumerate(erd.links):
        arrow = "-.->" if link.cross_service else "-->"
        if link.cross_service:
            crossing.append(str(index))
        label = text(link.label)
        lines.append(f'{INDENT}{nodes[link.source]} {arrow}|"{label}"| {nodes[link.target]}')
    lines += _styles(erd, nodes, subgraphs)
    if erd.links:
        lines.append(f"{INDENT}linkStyle default stroke:{EDGE}")
    if crossing:
        lines.append(
            f"{INDENT}linkStyle {','.join(crossing)} stroke:{CROSS_SERVICE},stroke-width:2px"
        )
    return "\n".join(lines) + "\n"


def limits_exceeded(source: str, erd: Erd) -> str | None:
    """Why Mermaid would refuse to render ``source`` with its default limits, or None."""
    reasons = []
    if len(source) > MAX_TEXT:
        reasons.append(f"{len(source):,} characters (Mermaid renders at most {MAX_TEXT:,})")
    if len(erd.links) > MAX_EDGES:
        reasons.append(f"{len(erd.links):,} edges (Mermaid renders at most {MAX_EDGES:,})")
    return "; ".join(reasons) or None


def _group_key(group: Group) -> str:
    return f"{group.name} referenced" if group.role == "context" else group.name


def _group_label(group: Group) -> str:
    if group.role == "context":
        return f"{group.name} (referenced)"
    return group.name


def _node_label(entity: Entity) -> str:
    lines = [f"<b>{text(entity.key)}</b>"]
    if entity.conflict:
        lines.append(f"<b>CONFLICT: {text(', '.join(entity.conflict))}</b>")
    if entity.role == "missing":
        lines.append("not defined by any loaded service")
    lines += [text(column.describe()) for column in entity.columns]
    if entity.hidden:
        lines.append(f"<i>{text(entity.hidden_note)}</i>")
    return "<br/>".join(lines)


def _styles(erd: Erd, nodes: dict[str, str], subgraphs: dict[str, str]) -> list[str]:
    lines = []
    for number, group in enumerate(erd.groups):
        colours = colours_of(group.colour, group.role)
        gid = subgraphs[_group_key(group)]
        dashed = ",stroke-dasharray:5 5" if group.role != "selected" else ""
        lines.append(
            f"{INDENT}classDef c{number} fill:{colours.header},stroke:{colours.stroke},"
            f"color:{colours.text}{dashed}"
        )
        members = ",".join(nodes[e.key] for e in erd.entities_of(group))
        lines.append(f"{INDENT}class {members} c{number}")
        lines.append(
            f"{INDENT}style {gid} fill:{colours.fill},stroke:{colours.stroke},"
            f"color:{colours.text}{dashed}"
        )
    conflicted = [nodes[e.key] for e in erd.entities if e.conflict]
    if conflicted:
        lines.append(f"{INDENT}classDef conflict stroke:{CONFLICT},stroke-width:4px")
        lines.append(f"{INDENT}class {','.join(conflicted)} conflict")
    return lines
