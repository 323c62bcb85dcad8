"""``mindmirror db history --graph``: branch points, merges, heads and the current revision.

The project: ``a`` branches into ``b`` and ``c``, ``d`` merges them and branches
again into the two heads ``e`` and ``f``; the SQLite database is stamped at ``c``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.diagrams.conftest import Invoke
from tests.diagrams.parsers import ParsedHistory, parse_history_dot, parse_history_mermaid
from tests.diagrams.test_render import png_size, svg_size
from tests.support.services import write_ini

Parser = Callable[[str], ParsedHistory]
FORMATS = [
    pytest.param("mermaid", parse_history_mermaid, id="mermaid"),
    pytest.param("dot", parse_history_dot, id="dot"),
]
REVISIONS = {  # revision: (down revisions, message)
    "a": ((), "base tables"),
    "b": (("a",), "add journal"),
    "c": (("a",), 'add agent "v2" <beta>'),
    "d": (("b", "c"), "merge journal and agent"),
    "e": (("d",), "add tags"),
    "f": (("d",), "other branch"),
}
EDGES = {(down, rev) for rev, (downs, _) in REVISIONS.items() for down in downs}


def write_revision(versions: Path, revision: str, downs: tuple[str, ...], message: str) -> None:
    down = repr(downs[0]) if len(downs) == 1 else repr(downs) if downs else "None"
    (versions / f"{revision}.py").write_text(
        f'"""{message}"""\n\n'
        f"revision = {revision!r}\ndown_revision = {down}\n"
        "branch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade() -> None:\n    pass\n\n\n"
        "def downgrade() -> None:\n    pass\n"
    )


@pytest.fixture
def project(tmp_path: Path, invoke: Invoke) -> list[str]:
    """The global options that point the CLI at the project and its database (stamped at c)."""
    ini = write_ini(tmp_path / "project")
    for revision, (downs, message) in REVISIONS.items():
        write_revision(ini.parent / "versions", revision, downs, message)
    options = ["-c", str(ini), "--database-url", f"sqlite:///{tmp_path / 'history.db'}"]
    stamped = invoke(*options, "db", "stamp", "c", "--yes")
    assert stamped.exit_code == 0, stamped.output
    return options


@pytest.mark.parametrize(("fmt", "parse"), FORMATS)
def test_graph_marks_heads_branch_points_merges_and_current(
    invoke: Invoke, project: list[str], fmt: str, parse: Parser
) -> None:
    result = invoke(*project, "db", "history", "--graph", fmt)
    assert result.exit_code == 0, result.output
    graph = parse(result.stdout)

    assert set(graph.nodes) == set(REVISIONS)
    assert graph.edges == EDGES
    assert {r: n.marks for r, n in graph.nodes.items()} == {
        "a": {"branch point"},
        "b": set(),
        "c": {"current"},
        "d": {"branch point", "merge"},
        "e": {"head"},
        "f": {"head"},
    }
    assert graph.nodes["c"].lines[1] == 'add agent "v2" <beta>'
    assert {r for r, n in graph.nodes.items() if n.shape == "hexagon"} == {"d"}
    if fmt == "mermaid":
        assert graph.classes == {
            "branchpoint": {"a", "d"},
            "merge": {"d"},
            "head": {"e", "f"},
            "current": {"c"},
        }
    else:
        attrs = {r: n.attrs for r, n in graph.nodes.items()}
        assert {r for r, a in attrs.items() if a.get("peripheries") == "2"} == {"a", "d"}
        assert {r for r, a in attrs.items() if a.get("penwidth") == "3"} == {"c", "e", "f"}
        assert attrs["c"]["fillcolor"] == "#d3f9d8"


@pytest.mark.parametrize(("fmt", "parse"), FORMATS)
def test_without_the_database_nothing_is_current(
    invoke: Invoke, project: list[str], fmt: str, parse: Parser
) -> None:
    graph = parse(invoke(*project, "db", "history", "--no-db", "--graph", fmt).stdout)
    assert graph.nodes["c"].marks == set()
    assert graph.edges == EDGES


@pytest.mark.parametrize(("fmt", "parse"), FORMATS)
def test_a_current_revision_no_script_defines_is_drawn_in_red(
    invoke: Invoke, project: list[str], tmp_path: Path, fmt: str, parse: Parser
) -> None:
    with sqlite3.connect(tmp_path / "history.db") as db:
        db.execute("UPDATE alembic_version SET version_num = 'zzz'")
    graph = parse(invoke(*project, "db", "history", "--graph", fmt).stdout)
    assert graph.nodes["zzz"].lines == ["zzz", "(current, no script defines it)"]
    assert all(
        n.marks == set() or "current" not in n.marks for r, n in graph.nodes.items() if r != "zzz"
    )
    if fmt == "mermaid":
        assert graph.classes["unknown"] == {"zzz"}
    else:
        assert graph.nodes["zzz"].attrs["color"] == "#e03131"


@pytest.mark.usefixtures("graphviz")
def test_graph_as_svg_and_png(invoke: Invoke, project: list[str], tmp_path: Path) -> None:
    svg, png = tmp_path / "history.svg", tmp_path / "history.png"
    assert invoke(*project, "db", "history", "--graph", "svg", "-o", str(svg)).exit_code == 0
    assert invoke(*project, "db", "history", "--graph", "png", "-o", str(png)).exit_code == 0
    width, height = svg_size(svg.read_bytes())
    assert width > 100, (width, height)
    assert height > 200, (width, height)
    width, height = png_size(png.read_bytes())
    assert width > 100, (width, height)
    assert height > 200, (width, height)


def test_an_image_needs_an_output_file(invoke: Invoke, project: list[str]) -> None:
    result = invoke(*project, "db", "history", "--graph", "png")
    assert result.exit_code == 2
    assert "--graph png writes an image: give the file with -o FILE" in result.stderr


def test_output_only_applies_with_a_graph(
    invoke: Invoke, project: list[str], tmp_path: Path
) -> None:
    result = invoke(*project, "db", "history", "-o", str(tmp_path / "x.txt"))
    assert result.exit_code == 2
    assert "-o/--output only applies with --graph" in result.stderr


def test_mermaid_to_a_file(invoke: Invoke, project: list[str], tmp_path: Path) -> None:
    target = tmp_path / "history.mmd"
    result = invoke(*project, "db", "history", "--graph", "mermaid", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert parse_history_mermaid(target.read_text()).edges == EDGES
