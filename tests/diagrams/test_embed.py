"""``mindmirror models erd --update FILE`` rewrites the diagram between a Markdown file's
markers, and only there."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from mindmirror_cli.diagrams.embed import BEGIN, END, bodies, replace_blocks

from tests.diagrams.conftest import Invoke

BEFORE = "# Schema\n\nSome words before.\n\n"
AFTER = "\nSome words after, kept byte for byte.\n"


def stale(body: str = "flowchart LR\n    old --> diagram\n") -> str:
    return f"{BEFORE}{BEGIN}\n```mermaid\n{body}```\n{END}\n{AFTER}"


def test_update_rewrites_the_block_and_nothing_else(invoke: Invoke, tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    page.write_text(stale())
    result = invoke("models", "erd", "--update", str(page))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"updated {page}: 31 tables of agent, journal, shared" in result.stderr
    drawn = invoke("models", "erd").stdout
    assert page.read_text() == stale(drawn)
    assert bodies(page.read_text()) == [drawn]


def test_a_second_update_says_it_is_up_to_date_and_writes_nothing(
    invoke: Invoke, tmp_path: Path
) -> None:
    page = tmp_path / "README.md"
    page.write_text(stale())
    assert invoke("models", "erd", "--update", str(page)).exit_code == 0
    os.utime(page, ns=(1_000_000_000, 1_000_000_000))
    again = invoke("models", "erd", "--update", str(page))
    assert again.exit_code == 0, again.output
    assert f"{page} already up to date: 31 tables" in again.stderr
    assert page.stat().st_mtime_ns == 1_000_000_000


def test_empty_markers_and_several_blocks_are_filled(invoke: Invoke, tmp_path: Path) -> None:
    page = tmp_path / "doc.md"
    page.write_text(f"{BEGIN}\n{END}\ntext\n{stale()}")
    result = invoke("models", "erd", "--service", "journal", "--update", str(page))
    assert result.exit_code == 0, result.output
    assert f"updated 2 diagrams in {page}: 5 tables of journal" in result.stderr
    drawn = invoke("models", "erd", "--service", "journal").stdout
    assert bodies(page.read_text()) == [drawn, drawn]
    assert page.read_text().endswith(AFTER)


def test_a_file_without_markers_is_refused_and_left_alone(invoke: Invoke, tmp_path: Path) -> None:
    page = tmp_path / "notes.md"
    page.write_text("# no diagram here\n")
    result = invoke("models", "erd", "--update", str(page))
    assert result.exit_code == 2
    assert f"{page} has no place for the diagram" in result.stderr
    assert BEGIN in result.stderr
    assert END in result.stderr
    assert page.read_text() == "# no diagram here\n"


def test_a_missing_file_is_refused(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("models", "erd", "--update", str(tmp_path / "nope.md"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr
    assert "No such file or directory" in result.stderr


@pytest.mark.parametrize(
    "extra", [["--format", "png"], ["--format", "dot"], ["-o", "x.mmd"]], ids=str
)
def test_update_writes_mermaid_only(invoke: Invoke, tmp_path: Path, extra: list[str]) -> None:
    page = tmp_path / "README.md"
    page.write_text(stale())
    result = invoke("models", "erd", "--update", str(page), *extra)
    assert result.exit_code == 2
    assert "--update writes Mermaid into a Markdown file: drop --format and -o" in result.stderr
    assert page.read_text() == stale()


def test_replace_blocks_counts_the_pairs() -> None:
    text, count = replace_blocks(f"a\n{BEGIN}\n{END}\nb\n", "flowchart LR\n")
    assert count == 1
    assert text == f"a\n{BEGIN}\n```mermaid\nflowchart LR\n```\n{END}\nb\n"
    assert replace_blocks("nothing\n", "flowchart LR\n") == ("nothing\n", 0)


def test_update_under_json_prints_one_diagram_document(invoke: Invoke, tmp_path: Path) -> None:
    from tests.cli.test_json_schema import validate

    page = tmp_path / "README.md"
    page.write_text(stale())
    documents = []
    for _ in range(2):
        result = invoke("--json", "models", "erd", "--update", str(page))
        assert result.exit_code == 0, result.output
        documents.append(json.loads(result.stdout))
        validate(documents[-1], "models_erd")
    assert [d["updated"] for d in documents] == [True, False]
    assert documents[0]["path"] == str(page)
    assert documents[0]["source"] is None
    assert documents[0]["title"].startswith("31 tables of agent, journal, shared")
    assert bodies(page.read_text()) == [invoke("models", "erd").stdout]
