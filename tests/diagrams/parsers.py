"""Small parsers for the Mermaid and DOT that the diagrams print: what the tests read back.

They know the shape the renderers write (one statement per line) and nothing
more; anything they do not recognise fails the test instead of being skipped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

MERMAID_ENTITIES = {"#quot;": '"', "#lt;": "<", "#gt;": ">", "#35;": "#"}
DOT_STRING = r'"((?:[^"\\]|\\.)*)"'


@dataclass
class ParsedColumn:
    name: str
    type: str
    primary_key: bool
    foreign_key: bool
    nullable: bool


@dataclass
class ParsedTable:
    key: str
    group: str
    columns: list[ParsedColumn]
    conflict: str | None = None
    note: str | None = None
    node_id: str = ""
    colour: str | None = None
    hidden: int = 0


@dataclass
class ParsedEdge:
    source: str
    target: str
    label: str
    dashed: bool
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedErd:
    groups: dict[str, list[str]]
    tables: dict[str, ParsedTable]
    edges: list[ParsedEdge]
    classes: dict[str, set[str]] = field(default_factory=dict)
    class_defs: dict[str, str] = field(default_factory=dict)
    group_styles: dict[str, dict[str, str]] = field(default_factory=dict)
    link_styles: dict[int, str] = field(default_factory=dict)


def column_from_text(text: str) -> ParsedColumn:
    """``name TYPE [PK] [FK] null|not null`` back into its parts."""
    name, _, rest = text.partition(" ")
    if rest.endswith(" not null"):
        nullable, rest = False, rest.removesuffix(" not null")
    elif rest.endswith(" null"):
        nullable, rest = True, rest.removesuffix(" null")
    else:
        raise AssertionError(f"no nullability in column {text!r}")
    words = rest.split(" ")
    flags = set()
    while words[-1] in {"PK", "FK"}:
        flags.add(words.pop())
    return ParsedColumn(name, " ".join(words), "PK" in flags, "FK" in flags, nullable)


def _unmermaid(text: str) -> str:
    for code, char in MERMAID_ENTITIES.items():
        if code != "#35;":
            text = text.replace(code, char)
    return text.replace("#35;", "#")


def parse_mermaid(source: str) -> ParsedErd:
    """Read back the output of ``erd_mermaid``."""
    lines = source.splitlines()
    assert lines[0].startswith("%% "), lines[0]
    assert lines[1] == "flowchart LR", lines[1]
    erd = ParsedErd(groups={}, tables={}, edges=[])
    ids: dict[str, str] = {}
    subgraph_labels: dict[str, str] = {}
    group: str | None = None
    for line in lines[2:]:
        stripped = line.strip()
        if m := re.fullmatch(r'subgraph (\w+)\["(.*)"\]', stripped):
            group = _unmermaid(m[2])
            subgraph_labels[m[1]] = group
            erd.groups[group] = []
        elif stripped == "end":
            group = None
        elif m := re.fullmatch(r'(t_\w+)\["(.*)"\]', stripped):
            assert group is not None, f"node outside a subgraph: {line}"
            table = _mermaid_table(m[2], group)
            table.node_id = m[1]
            ids[m[1]] = table.key
            erd.tables[table.key] = table
            erd.groups[group].append(table.key)
        elif m := re.fullmatch(r'(t_\w+) (-->|-\.->)\|"(.*)"\| (t_\w+)', stripped):
            erd.edges.append(ParsedEdge(ids[m[1]], ids[m[4]], _unmermaid(m[3]), m[2] == "-.->"))
        elif m := re.fullmatch(r"classDef (\w+) (.*)", stripped):
            erd.class_defs[m[1]] = m[2]
        elif m := re.fullmatch(r"class ([\w,]+) (\w+)", stripped):
            erd.classes.setdefault(m[2], set()).update(ids[i] for i in m[1].split(","))
        elif m := re.fullmatch(r"style (\w+) (.*)", stripped):
            erd.group_styles[subgraph_labels[m[1]]] = dict(
                part.split(":", 1) for part in m[2].split(",")
            )
        elif m := re.fullmatch(r"linkStyle ([\d,]+) (.*)", stripped):
            for index in m[1].split(","):
                erd.link_styles[int(index)] = m[2]
        elif stripped.startswith("linkStyle default "):
            continue
        else:
            raise AssertionError(f"unexpected Mermaid line: {line!r}")
    return erd


def _mermaid_table(label: str, group: str) -> ParsedTable:
    parts = label.split("<br/>")
    key = re.fullmatch(r"<b>(.*)</b>", parts.pop(0))
    assert key, label
    table = ParsedTable(_unmermaid(key[1]), group, [])
    if parts and (conflict := re.fullmatch(r"<b>CONFLICT: (.*)</b>", parts[0])):
        table.conflict = _unmermaid(conflict[1])
        parts.pop(0)
    if parts and parts[0] == "not defined by any loaded service":
        table.note = parts.pop(0)
    if parts and (hidden := re.fullmatch(r"<i>\+ (\d+) more columns?</i>", parts[-1])):
        table.hidden = int(hidden[1])
        parts.pop()
    table.columns = [column_from_text(_unmermaid(part)) for part in parts]
    return table


def dot_attrs(text: str) -> dict[str, str]:
    """``a=1, b="x, y"`` into a dict, quotes removed."""
    found = re.findall(r"(\w+)=(" + DOT_STRING + r"|[^,\s;]+)", text)
    return {key: _undot(raw) for key, raw, _ in found}


def _undot(raw: str) -> str:
    """A DOT value without quotes and escapes; Graphviz's ``\\n`` line break becomes a newline."""
    if raw.startswith('"'):
        return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], raw[1:-1])
    return raw


def parse_dot(source: str) -> ParsedErd:
    """Read back the output of ``erd_dot``."""
    lines = source.splitlines()
    assert lines[0] == "digraph schema {", lines[0]
    assert lines[-1] == "}", lines[-1]
    erd = ParsedErd(groups={}, tables={}, edges=[])
    group: str | None = None
    for line in lines[1:-1]:
        stripped = line.strip()
        if stripped.startswith(("graph [", "node [", "edge [")):
            continue
        if re.fullmatch(r'subgraph "cluster_\d+" \{', stripped):
            group = ""
        elif group == "" and stripped.startswith("label="):
            attrs = dot_attrs(stripped)
            group = attrs["label"]
            erd.groups[group] = []
            erd.group_styles[group] = attrs
        elif stripped == "}":
            group = None
        elif m := re.fullmatch(
            DOT_STRING + r" \[label=<(.*)>, fontcolor=" + DOT_STRING + r"\];", stripped
        ):
            assert group, f"node outside a cluster: {line}"
            table = _dot_table(m[2], group)
            assert table.key == _undot(f'"{m[1]}"'), (table.key, m[1])
            table.colour = m[3]
            erd.tables[table.key] = table
            erd.groups[group].append(table.key)
        elif m := re.fullmatch(
            DOT_STRING + r"(?::(\w+):e)? -> " + DOT_STRING + r"(?::(\w+):w)? \[(.*)\];", stripped
        ):
            attrs = dot_attrs(m[5])
            attrs |= {"source_port": m[2] or "", "target_port": m[4] or ""}
            assert "label" not in attrs, f"a label half-way along the edge: {line}"
            erd.edges.append(
                ParsedEdge(
                    _undot(f'"{m[1]}"'),
                    _undot(f'"{m[3]}"'),
                    attrs["tooltip"],
                    attrs.get("style") == "dashed",
                    attrs,
                )
            )
        else:
            raise AssertionError(f"unexpected DOT line: {line!r}")
    return erd


def _dot_table(label: str, group: str) -> ParsedTable:
    root = ET.fromstring(label)  # noqa: S314 - our own renderer's output
    assert root.tag == "TABLE", root.tag
    rows = root.findall("TR")
    header = "".join(rows.pop(0).itertext())
    table = ParsedTable(header, group, [], colour=None)
    if root.get("BORDER") == "3":
        text = "".join(rows.pop(0).itertext())
        assert text.startswith("CONFLICT: "), text
        table.conflict = text.removeprefix("CONFLICT: ")
    if rows and len(rows[0].findall("TD")) == 1:
        table.note = "".join(rows.pop(0).itertext())
    if rows and (hidden := re.fullmatch(r"\+ (\d+) more columns?", "".join(rows[-1].itertext()))):
        assert rows[-1].find("TD/I") is not None, ET.tostring(rows[-1])
        table.hidden = int(hidden[1])
        rows.pop()
    for index, row in enumerate(rows):
        cells = row.findall("TD")
        assert cells[0].get("PORT") == f"c{index}", ET.tostring(row)
        assert cells[-1].get("PORT") == f"o{index}", ET.tostring(row)
        name, type_, flags = ("".join(cell.itertext()) for cell in cells)
        underlined = cells[0].find("U") is not None
        column = column_from_text(f"{name} {type_} {flags}")
        assert column.primary_key == underlined, name
        table.columns.append(column)
    return table


# -- the revision graph --------------------------------------------------------------------------


@dataclass
class ParsedRevision:
    revision: str
    lines: list[str]
    shape: str
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def marks(self) -> set[str]:
        last = self.lines[-1]
        if last.startswith("(") and last.endswith(")"):
            return {m.strip() for m in last[1:-1].split(",")}
        return set()


@dataclass
class ParsedHistory:
    nodes: dict[str, ParsedRevision]
    edges: set[tuple[str, str]]
    classes: dict[str, set[str]] = field(default_factory=dict)


def parse_history_mermaid(source: str) -> ParsedHistory:
    """Read back ``actions.graph.mermaid``."""
    lines = source.splitlines()
    assert lines[0] == "flowchart TD", lines[0]
    history = ParsedHistory({}, set())
    ids: dict[str, str] = {}
    shapes = {("[", "]"): "box", ("{{", "}}"): "hexagon"}
    for line in lines[1:]:
        stripped = line.strip()
        if m := re.fullmatch(r'(r_\w+)(\[|\{\{)"(.*)"(\]|\}\})', stripped):
            parts = [_unmermaid(p) for p in m[3].split("<br/>")]
            ids[m[1]] = parts[0]
            history.nodes[parts[0]] = ParsedRevision(parts[0], parts, shapes[(m[2], m[4])])
        elif m := re.fullmatch(r"(r_\w+) --> (r_\w+)", stripped):
            history.edges.add((ids[m[1]], ids[m[2]]))
        elif m := re.fullmatch(r"class ([\w,]+) (\w+)", stripped):
            history.classes.setdefault(m[2], set()).update(ids[i] for i in m[1].split(","))
        elif not stripped.startswith("classDef "):
            raise AssertionError(f"unexpected Mermaid line: {line!r}")
    return history


def parse_history_dot(source: str) -> ParsedHistory:
    """Read back ``actions.graph.dot``."""
    lines = source.splitlines()
    assert lines[0] == "digraph revisions {", lines[0]
    assert lines[-1] == "}", lines[-1]
    history = ParsedHistory({}, set())
    for line in lines[1:-1]:
        stripped = line.strip()
        if stripped.startswith(("rankdir=", "node [", "edge [")):
            continue
        if m := re.fullmatch(DOT_STRING + r" -> " + DOT_STRING + ";", stripped):
            history.edges.add((_undot(f'"{m[1]}"'), _undot(f'"{m[2]}"')))
        elif m := re.fullmatch(DOT_STRING + r" \[(.*)\];", stripped):
            attrs = dot_attrs(m[2])
            revision = _undot(f'"{m[1]}"')
            history.nodes[revision] = ParsedRevision(
                revision, attrs["label"].split("\n"), attrs.get("shape", "box"), attrs
            )
        else:
            raise AssertionError(f"unexpected DOT line: {line!r}")
    return history
