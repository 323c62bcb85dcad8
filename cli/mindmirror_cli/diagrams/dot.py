"""The ER diagram as Graphviz DOT text: one cluster per service, one HTML-table node per table.

Each table is a node whose label is a table of its columns (name, type, ``PK``,
``FK``, nullability), so a foreign key's edge leaves its column's row on the
right and enters the referenced column's row on the left: the edge itself says
which column it belongs to, so an edge within a service carries no label (its
text is the SVG tooltip); a key of several columns names them at its start. The
clusters take the services' colours; a key that crosses services is a dashed
orange edge labelled with both services at its start; a conflicting table has a
thick red border and a ``CONFLICT`` row; a wide table drawn with its keys only
ends with a row saying how many columns it leaves out.
Graphviz's ``dot`` lays it out (left to right) for SVG and PNG; for a large
diagram the DOT bounds dot's layout passes, which keeps the time near linear.
"""

from __future__ import annotations

from html import escape

from mindmirror_cli.diagrams.model import Entity, Erd, Group, Link
from mindmirror_cli.diagrams.style import CONFLICT, CROSS_SERVICE, EDGE, colours_of

INDENT = "    "
FONT = "Helvetica"
LARGE = 80
"""Above this many tables, dot's crossing minimisation and network simplex are bounded."""
BOUNDED_LAYOUT = "mclimit=0.05, nslimit=0.5, nslimit1=0.5, remincross=false"
IN_PORT = "c"
"""The port of a column's name cell, where the keys that reference the column arrive."""
OUT_PORT = "o"
"""The port of a column's last cell, where the column's own foreign key leaves."""


def quote(value: str) -> str:
    """``value`` as a double-quoted DOT string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def erd_dot(erd: Erd) -> str:
    """The diagram as a Graphviz digraph."""
    lines = [
        "digraph schema {",
        f"{INDENT}graph [rankdir=LR, fontname={quote(FONT)}, fontsize=14, labelloc=t, "
        f"newrank=true, ranksep=1.2, nodesep=0.35, label={quote(erd.title)}];",
        f"{INDENT}node [shape=plaintext, margin=0, fontname={quote(FONT)}, fontsize=10];",
        f"{INDENT}edge [fontname={quote(FONT)}, fontsize=9, color={quote(EDGE)}, arrowsize=0.7];",
    ]
    if len(erd.entities) > LARGE:
        # unbounded, dot needs minutes for a few hundred tables and over 20 for 2,000;
        # bounded, 2,000 tables take about a minute (docs/diagrams.md)
        lines.insert(2, f"{INDENT}graph [{BOUNDED_LAYOUT}];")
    ports = {e.key: {c.name: i for i, c in enumerate(e.columns)} for e in erd.entities}
    for number, group in enumerate(erd.groups):
        lines += _cluster(number, group, erd.entities_of(group))
    lines += [_edge(link, ports) for link in erd.links]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _cluster(number: int, group: Group, entities: list[Entity]) -> list[str]:
    colours = colours_of(group.colour, group.role)
    label = f"{group.name} (referenced)" if group.role == "context" else group.name
    style = "filled,rounded" if group.role == "selected" else "filled,rounded,dashed"
    lines = [
        f"{INDENT}subgraph {quote(f'cluster_{number}')} {{",
        f"{INDENT * 2}label={quote(label)}; style={quote(style)}; "
        f"fillcolor={quote(colours.fill)}; color={quote(colours.stroke)}; "
        f"fontcolor={quote(colours.stroke)};",
    ]
    for entity in entities:
        label = _table(entity, group)
        lines.append(
            f"{INDENT * 2}{quote(entity.key)} [label=<{label}>, fontcolor={quote(colours.text)}];"
        )
    lines.append(f"{INDENT}}}")
    return lines


def _table(entity: Entity, group: Group) -> str:
    colours = colours_of(group.colour, group.role)
    border, frame = ("3", CONFLICT) if entity.conflict else ("1", colours.stroke)
    rows = [f'<TR><TD COLSPAN="3" BGCOLOR="{colours.header}"><B>{escape(entity.key)}</B></TD></TR>']
    if entity.conflict:
        services = escape(", ".join(entity.conflict))
        rows.append(
            f'<TR><TD COLSPAN="3" BGCOLOR="{CONFLICT}"><FONT COLOR="white">'
            f"<B>CONFLICT: {services}</B></FONT></TD></TR>"
        )
    if entity.role == "missing":
        rows.append('<TR><TD COLSPAN="3">not defined by any loaded service</TD></TR>')
    for index, column in enumerate(entity.columns):
        name = f"<U>{escape(column.name)}</U>" if column.primary_key else escape(column.name)
        rows.append(
            f'<TR><TD ALIGN="LEFT" PORT="{IN_PORT}{index}">{name}</TD>'
            f'<TD ALIGN="LEFT">{escape(column.type)}</TD>'
            f'<TD ALIGN="LEFT" PORT="{OUT_PORT}{index}">{escape(column.flags)}</TD></TR>'
        )
    if entity.hidden:
        rows.append(
            f'<TR><TD COLSPAN="3" ALIGN="LEFT"><I>{escape(entity.hidden_note)}</I></TD></TR>'
        )
    return (
        f'<TABLE BORDER="{border}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
        f'COLOR="{frame}" BGCOLOR="white">' + "".join(rows) + "</TABLE>"
    )


def _edge(link: Link, ports: dict[str, dict[str, int]]) -> str:
    source = quote(link.source) + _port(ports, link.source, link.columns[0], OUT_PORT, "e")
    target = quote(link.target) + _port(ports, link.target, link.target_columns[0], IN_PORT, "w")
    attrs = [f"tooltip={quote(link.label)}"]
    shown = link.label if len(link.columns) > 1 else _services(link)
    if shown:
        # at the referencing column, where the reader starts, not half-way along the edge
        attrs += [f"taillabel={quote(shown)}", "labelangle=8", "labeldistance=4.5"]
    if link.cross_service:
        colour = quote(CROSS_SERVICE)
        attrs += ["style=dashed", f"color={colour}", f"fontcolor={colour}", "penwidth=2"]
    return f"{INDENT}{source} -> {target} [{', '.join(attrs)}];"


def _services(link: Link) -> str:
    if not link.cross_service:
        return ""
    return link.label.removeprefix(", ".join(link.columns)).strip().strip("()")


def _port(ports: dict[str, dict[str, int]], key: str, column: str, side: str, compass: str) -> str:
    index = ports.get(key, {}).get(column)
    return f":{side}{index}:{compass}" if index is not None else ""
