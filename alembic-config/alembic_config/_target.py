"""The ``target_metadata`` handed to Alembic: models imported only when a comparison reads it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import overload

from alembic.util import CommandError
from sqlalchemy import MetaData

from alembic_config._catalog import Catalog
from alembic_config._errors import AlembicConfigError
from alembic_config._gc import freeze_heap, thaw_heap


class LazyTargetMetadata(Sequence[MetaData]):
    """A ``target_metadata`` that loads the services only when autogenerate reads it.

    Alembic accepts a sequence of MetaData; upgrades and downgrades never read
    it, so they never import a model. Reading it requires a complete catalog:
    autogenerating from incomplete metadata would propose dropping the tables
    of every missing service.
    """

    def __init__(self, load: Callable[[], Catalog], action: Callable[[], str]) -> None:
        self._load = load
        self._action = action
        self._metadata: MetaData | None = None
        self.froze_heap = False

    def _materialize(self) -> MetaData:
        if self._metadata is None:
            catalog = self._load()
            try:
                catalog.require_complete(self._action())
            except AlembicConfigError as exc:
                raise CommandError(str(exc)) from exc
            self._metadata = catalog.metadata
            # the comparison that follows allocates a lot: keep the collector off the models
            self.froze_heap = freeze_heap()
        return self._metadata

    def release(self) -> None:
        """Give the loaded models back to the garbage collector (after the command)."""
        thaw_heap(self.froze_heap)
        self.froze_heap = False

    @overload
    def __getitem__(self, index: int) -> MetaData: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[MetaData]: ...
    def __getitem__(self, index: int | slice) -> MetaData | Sequence[MetaData]:
        return [self._materialize()][index]

    def __len__(self) -> int:
        self._materialize()
        return 1
