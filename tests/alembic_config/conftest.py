"""Fixtures of the alembic-config tests: the fixture services, installed for real."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import metadata as importlib_metadata
from pathlib import Path

import pytest

from tests.support.services import fixture_entry_points


@pytest.fixture
def entry_points(fixture_site: Path) -> Iterator[list[importlib_metadata.EntryPoint]]:
    """The fixture services' real entry points, importable for the duration of a test."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(fixture_site))
        yield fixture_entry_points(fixture_site)
