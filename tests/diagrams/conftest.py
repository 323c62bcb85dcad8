"""Fixtures of the diagram tests: a clean environment, the CLI runner, the fixture services."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.runner import Outcome, in_process

Invoke = Callable[..., Outcome]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No service selection, database URL or ini file leaks in from the caller."""
    for name in list(os.environ):
        if name.startswith(("ALEMBIC_CONFIG", "DATABASE_URL", "MINDMIRROR_")):
            monkeypatch.delenv(name)
    monkeypatch.delenv("NO_COLOR", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)


@pytest.fixture
def invoke() -> Invoke:
    """Run ``mindmirror ARGS...`` in-process (the battery's runner); stdout and stderr apart."""

    def run(*args: str) -> Outcome:
        return in_process(args)

    return run


@pytest.fixture
def graphviz() -> str:
    """The path of Graphviz's dot; skips without it, except under CI (which installs it)."""
    path = shutil.which("dot")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Graphviz's dot is not installed; .ci/run installs it")
        pytest.skip("Graphviz's dot is not installed (apt-get install graphviz)")
    return path
