"""The first process-wide catalog is kept out of the garbage collector's reach, later ones not."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from importlib import metadata as importlib_metadata

import pytest
from alembic_config import _state, load_all_models


@pytest.fixture(autouse=True)
def fresh_heap() -> Iterator[None]:
    gc.unfreeze()
    _state._current.froze = False
    _state._current.loads = 0
    yield
    gc.unfreeze()
    _state._current.froze = False
    _state._current.loads = 0
    _state._current.catalog = None


def test_loading_freezes_the_heap() -> None:
    assert gc.get_freeze_count() == 0
    load_all_models(entry_points=[])
    assert gc.get_freeze_count() > 0


class _Cycle:
    """Garbage only the cyclic collector can free: an object referring to itself."""

    def __init__(self) -> None:
        self.me = self


def test_what_the_first_load_froze_can_be_collected_after_a_second(
    entry_points: list[importlib_metadata.EntryPoint],
) -> None:
    held = _Cycle()  # alive at the first load, so frozen with the catalog
    load_all_models(entry_points=entry_points)
    gone = weakref.ref(held)
    del held
    gc.collect()
    assert gone() is not None  # frozen: no collection reaches it
    load_all_models(entry_points=[])
    gc.collect()
    assert gone() is None
    assert gc.get_freeze_count() == 0  # a process that loads again freezes nothing more


def test_a_heap_the_program_froze_is_left_as_it_is() -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()
    load_all_models(entry_points=[])
    load_all_models(entry_points=[])
    assert gc.get_freeze_count() == frozen
