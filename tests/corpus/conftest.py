"""Fixtures of the corpus round trip: the wrappers, installed once per run; a project per test."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import STRAY_VARIABLES
from tests.cli.support import Mindmirror
from tests.corpus.support import install_corpus, package_versions
from tests.support.services import write_ini

_USED: list[str] = []


@pytest.fixture(scope="session")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding every installed corpus wrapper service."""
    site = install_corpus(tmp_path_factory.mktemp("corpus-site"))
    _USED[:] = package_versions()
    return site


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Name the real packages (and versions) whose models the round trip used."""
    if _USED:
        terminalreporter.write_line("corpus packages: " + ", ".join(_USED))


MakeCli = Callable[[str, str], Mindmirror]


@pytest.fixture
def corpus_cli(
    tmp_path: Path, corpus_site: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MakeCli]:
    """``corpus_cli(service, url)``: ``mindmirror`` in-process in a fresh project folder."""
    environ = dict(os.environ)
    project = tmp_path / "project"
    write_ini(project)
    for name in STRAY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(project)
    monkeypatch.syspath_prepend(str(corpus_site))
    importlib.invalidate_caches()

    def make(service: str, url: str) -> Mindmirror:
        monkeypatch.setenv("ALEMBIC_CONFIG_SERVICES", service)
        monkeypatch.setenv("DATABASE_URL", url)
        env = {"ALEMBIC_CONFIG_SERVICES": service, "DATABASE_URL": url}
        return Mindmirror(mode="runner", project=project, site=corpus_site, env=env)

    yield make
    os.environ.clear()
    os.environ.update(environ)
