"""The process-wide catalog behind the seed's module-level functions.

Nothing is discovered until one of these functions (or the lazy
``alembic_config.metadata``) is first used.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata as importlib_metadata
from typing import TYPE_CHECKING

from alembic_config._catalog import Catalog, build_catalog
from alembic_config._gc import collector_paused, freeze_after_load

if TYPE_CHECKING:
    from alembic_config._conflicts import Conflict
    from alembic_config._discovery import Service


class _Current:
    """The catalog most recently loaded in this process, behind a lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.catalog: Catalog | None = None
        # how often a catalog was loaded, and whether that froze the heap (see load_all_models)
        self.loads = 0
        self.froze = False


_current = _Current()


def load_all_models(
    services: str | Sequence[str] | None = None,
    exclude: str | Sequence[str] | None = None,
    *,
    entry_points: Iterable[importlib_metadata.EntryPoint] | None = None,
) -> Catalog:
    """Discover and load every selected service now, merge them, and make this the current catalog.

    ``services`` (an allow-list) and ``exclude`` (a deny-list), as names or a
    comma-separated string, override ``ALEMBIC_CONFIG_SERVICES`` and
    ``ALEMBIC_CONFIG_EXCLUDE``. ``entry_points`` replaces the installed entry
    points (for embedding and tests). A service that fails to load is recorded
    in the result, never raised.

    The first catalog of a process usually lives as long as the process, so
    its objects, with everything else alive then, are moved to the garbage
    collector's permanent generation (``gc.freeze()``) as they load: no later
    collection, nor the interpreter's exit, walks thousands of tables again.
    A second call gives that back to the collector and freezes nothing more (a
    process that loads again replaces catalogs: they are collected as usual);
    a heap the program froze itself is left alone.
    """
    # paused around the freeze too: resuming first would walk everything just loaded once more
    with collector_paused():
        catalog = build_catalog(services=services, exclude=exclude, entry_points=entry_points)
        with _current.lock:
            _current.catalog = catalog
            _current.froze = freeze_after_load(_current.loads, _current.froze)
            _current.loads += 1
    return catalog


def get_catalog() -> Catalog:
    """The current catalog, loading every selected service on first use."""
    with _current.lock:
        current = _current.catalog
    return current if current is not None else load_all_models()


def get_loaded_services() -> list[str]:
    """Names of the services whose models loaded, sorted."""
    return get_catalog().service_names()


def get_table_names() -> list[str]:
    """Every table key of the merged metadata, sorted."""
    return get_catalog().table_names()


def get_failures() -> tuple[Service, ...]:
    """The selected services that failed to load, with their errors."""
    return get_catalog().failures


def get_conflicts() -> tuple[Conflict, ...]:
    """Every conflict between services: tables, names, naming conventions."""
    return get_catalog().conflicts


def get_table_owners() -> Mapping[str, tuple[str, ...]]:
    """Map each table key to the service(s) that define it."""
    return get_catalog().owners
