"""Alembic's own progress messages, which the commands replace by their own."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from alembic.config import Config

    from mindmirror_cli.app import App


@contextmanager
def alembic_messages(app: App, config: Config) -> Iterator[None]:
    """Alembic's messages go to stderr with ``-v`` and are dropped otherwise.

    Alembic writes "Generating ... done" to stdout, which belongs to the
    command's result (and to ``--json``), and "No new upgrade operations
    detected." where the command prints its own verdict.
    """
    sink: TextIO = sys.stderr if app.settings.verbosity > 0 else io.StringIO()
    saved = config.stdout
    config.stdout = sink
    try:
        with redirect_stdout(sink):
            yield
    finally:
        config.stdout = saved
