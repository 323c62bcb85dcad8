"""The README's ER diagram is the one `mindmirror models erd` draws for the services as they are."""

from __future__ import annotations

import re
from pathlib import Path

from tests.diagrams.conftest import Invoke
from tests.diagrams.test_render import png_size

REPO = Path(__file__).resolve().parents[2]
BLOCK = re.compile(
    r"<!-- mindmirror models erd: begin -->\n```mermaid\n(?P<body>.*?)```\n"
    r"<!-- mindmirror models erd: end -->",
    re.DOTALL,
)


def test_readme_embeds_the_current_diagram(invoke: Invoke) -> None:
    match = BLOCK.search((REPO / "README.md").read_text())
    assert match is not None, "README.md lost its mermaid ER diagram block"
    drawn = invoke("models", "erd").stdout
    assert match["body"] == drawn, (
        "README.md's ER diagram is out of date: paste the output of "
        "'.venv/bin/mindmirror models erd' between its markers, and redraw docs/erd.png "
        "with '.venv/bin/mindmirror models erd --format png -o docs/erd.png'"
    )


def test_the_committed_png_is_an_image() -> None:
    width, height = png_size((REPO / "docs" / "erd.png").read_bytes())
    assert width > 1000
    assert height > 1000
