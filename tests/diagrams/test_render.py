"""SVG and PNG through Graphviz: real images of a plausible size, and clear failures."""

from __future__ import annotations

import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mindmirror_cli.diagrams import GraphvizError, render

from tests.diagrams.conftest import Invoke

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature."""
    assert data[:8] == PNG_SIGNATURE, data[:8]
    assert data[12:16] == b"IHDR", data[12:16]
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def svg_size(data: bytes) -> tuple[float, float]:
    """Width and height (in points) of an SVG document, after checking it is one."""
    root = ET.fromstring(data)  # noqa: S314 - Graphviz's output of our own DOT
    assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
    width, height = (float(root.attrib[k].removesuffix("pt")) for k in ("width", "height"))
    return width, height


@pytest.mark.usefixtures("graphviz")
def test_erd_as_png_is_a_real_image(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "erd.png"
    result = invoke("models", "erd", "--format", "png", "-o", str(target))
    assert result.exit_code == 0, result.output
    width, height = png_size(target.read_bytes())
    assert width > 1000, (width, height)
    assert height > 1000, (width, height)
    assert target.stat().st_size > 50_000


@pytest.mark.usefixtures("graphviz")
def test_erd_as_svg_is_a_real_image_naming_every_table(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "erd.svg"
    result = invoke("models", "erd", "--format", "svg", "-o", str(target))
    assert result.exit_code == 0, result.output
    width, height = svg_size(target.read_bytes())
    assert width > 500, (width, height)
    assert height > 500, (width, height)
    text = target.read_text()
    for table in ("users", "journal_entries", "conversations", "payments"):
        assert f">{table}</text>" in text, table


@pytest.mark.usefixtures("graphviz")
def test_narrowed_erd_renders_too(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "journal.png"
    result = invoke("models", "erd", "--service", "journal", "--format", "png", "-o", str(target))
    assert result.exit_code == 0, result.output
    width, height = png_size(target.read_bytes())
    assert width > 100
    assert height > 100


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_an_image_needs_an_output_file(invoke: Invoke, fmt: str) -> None:
    result = invoke("models", "erd", "--format", fmt)
    assert result.exit_code == 2
    assert f"--format {fmt} writes an image: give the file with -o FILE" in result.stderr
    assert result.stdout == ""


def test_without_graphviz_images_fail_saying_how_to_install_it(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = invoke("models", "erd", "--format", "svg", "-o", str(tmp_path / "x.svg"))
    assert result.exit_code == 3
    assert "Graphviz's 'dot' program, which is not on PATH" in result.stderr
    assert "apt-get install graphviz" in result.stderr
    assert "brew install graphviz" in result.stderr
    assert not (tmp_path / "x.svg").exists()
    assert invoke("models", "erd", "--format", "dot").exit_code == 0


def fake_dot(folder: Path, script: str) -> None:
    folder.mkdir()
    path = folder / "dot"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_a_dot_that_hangs_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dot(tmp_path / "bin", "exec sleep 30")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(GraphvizError, match=r"did not finish within 0.5 s"):
        render("digraph { a }", "svg", timeout=0.5)


def test_a_dot_that_fails_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dot(tmp_path / "bin", "echo 'Error: syntax error in line 1' >&2; exit 1")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(GraphvizError, match=r"failed \(exit 1\): Error: syntax error in line 1"):
        render("digraph {", "png")


def test_unwritable_output_is_a_usage_error(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("models", "erd", "-o", str(tmp_path / "missing" / "erd.mmd"))
    assert result.exit_code == 2
    assert f"cannot write {tmp_path / 'missing' / 'erd.mmd'}" in result.stderr
