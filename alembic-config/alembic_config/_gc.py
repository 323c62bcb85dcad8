"""Keeping the cyclic garbage collector off the models' object graph.

Thousands of mapped classes and tables form a large graph that lives as long
as the process; every full collection walks it again. Loading pauses the
collector (imports only allocate), and a schema comparison first moves the
loaded graph to the permanent generation, which roughly halves the compare.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (restored as it was)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def keep_out_of_collector() -> None:
    """Move every live object to the permanent generation for the rest of the process.

    For a short-lived process (a command-line run) whose models live until it
    exits: later collections no longer walk them. :func:`freeze_heap` then
    finds the heap frozen already and leaves it so.
    """
    gc.freeze()


def freeze_after_load(earlier_loads: int, froze: bool) -> bool:
    """After a load of process-wide objects: freeze the heap the first time, thaw it later.

    The first load in a process moves every live object to the permanent
    generation (unless the process froze its heap itself). A process that
    loads again is replacing what it loaded: what the first load froze is
    given back to the collector and nothing more is frozen, so replaced
    objects are collected as usual. Returns whether the heap is frozen by
    this function now.
    """
    if earlier_loads == 0:
        if gc.get_freeze_count():
            return False
        gc.freeze()
        return True
    if froze:
        gc.unfreeze()
    return False


def freeze_heap() -> bool:
    """Move every live object to the permanent generation, unless someone else froze first.

    Returns whether this call froze; pass that to :func:`thaw_heap` when done.
    """
    if gc.get_freeze_count():
        return False
    gc.freeze()
    return True


def thaw_heap(frozen: bool) -> None:
    """Undo :func:`freeze_heap` (only if it froze)."""
    if frozen:
        gc.unfreeze()
