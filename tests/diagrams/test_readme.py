"""The README's ER diagram is the one `mindmirror models erd` draws for the services as they are."""

from __future__ import annotations

from pathlib import Path

from mindmirror_cli.diagrams.embed import UPDATE_COMMAND, bodies

from tests.diagrams.conftest import Invoke
from tests.diagrams.test_render import png_size

REPO = Path(__file__).resolve().parents[2]


def test_readme_embeds_the_current_diagram(invoke: Invoke) -> None:
    embedded = bodies((REPO / "README.md").read_text())
    assert len(embedded) == 1, "README.md lost its mermaid ER diagram block"
    drawn = invoke("models", "erd").stdout
    assert embedded[0] == drawn, (
        "README.md's ER diagram is out of date: redraw it with "
        f"'.venv/bin/{UPDATE_COMMAND} README.md', and docs/erd.png with "
        "'.venv/bin/mindmirror models erd --format png -o docs/erd.png'"
    )


def test_the_committed_png_is_an_image() -> None:
    width, height = png_size((REPO / "docs" / "erd.png").read_bytes())
    assert width > 1000
    assert height > 1000
