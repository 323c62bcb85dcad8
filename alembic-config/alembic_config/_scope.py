"""What an autogenerate or a drift check compares: only what the selected services own.

The environment asks this, through Alembic's ``include_name`` and
``include_object`` hooks, about every table of the models and of the database:

- a table of the models: compared (unless ``--service`` narrows to other services);
- a table of the database that a selected service defines: compared;
- alembic-config's own bookkeeping tables: never compared;
- a table of the database that no selected service defines: left alone when its
  recorded owner is installed but not selected, otherwise an orphan. Neither is
  reflected nor dropped, unless the user names it (``--drop TABLE``).

An enum type or sequence found only in the database is proposed for dropping
only when every table of the database is compared: otherwise it may belong to
a table that is left alone.

A comparison may be split over processes (``EnvironmentOptions.compare_share``):
each compares the tables of its share (:func:`in_share`, by name, so a model
table and the database table it is compared with always fall in the same
share), and the first share also what is not a table. Every process still
makes every decision above, so each one's ownership report is complete.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alembic_config._merge import OWNERS_KEY
from alembic_config._ownership import LeftAlone, Orphan, RecordedOwner, table_key

if TYPE_CHECKING:
    from alembic_config._catalog import Catalog


def in_share(name: str, share: tuple[int, int] | None) -> bool:
    """Whether the table ``name`` belongs to ``share`` (``(index, count)``; None: every share)."""
    if share is None:
        return True
    index, count = share
    return zlib.crc32(name.encode("utf-8")) % count == index


def first_share(share: tuple[int, int] | None) -> bool:
    """Whether ``share`` compares what is not a table (enum types, sequences)."""
    return share is None or share[0] == 0


@dataclass(frozen=True)
class OwnershipReport:
    """What one comparison left out, and why: orphans, tables of unselected services, drops."""

    orphans: tuple[Orphan, ...] = ()
    left_alone: tuple[LeftAlone, ...] = ()
    dropped: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "orphans": [o.to_dict() for o in self.orphans],
            "left_alone": [t.to_dict() for t in self.left_alone],
            "dropped": list(self.dropped),
        }


@dataclass
class ComparisonScope:
    """The per-table decisions of one comparison, and what they left out."""

    catalog: Catalog
    recorded: Mapping[str, RecordedOwner]
    bookkeeping: frozenset[str]
    only: frozenset[str] | None = None
    drop: frozenset[str] = frozenset()
    orphans: dict[str, Orphan] = field(default_factory=dict)
    left_alone: dict[str, LeftAlone] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    @property
    def unselected(self) -> frozenset[str]:
        """Installed services that are not compared: excluded, not allowed, or failing."""
        return frozenset(self.catalog.excluded) | {f.name for f in self.catalog.failures}

    def include_database_table(self, name: str, schema: str | None) -> bool:
        """Whether a table found in the database takes part in the comparison."""
        key = table_key(name, schema)
        if name in self.bookkeeping:
            return False
        self.seen.add(key)
        owners = self.catalog.owners.get(key)
        if owners is not None:
            return self.only is None or bool(self.only & set(owners))
        if key in self.drop:
            return True
        recorded = self.recorded.get(key)
        still_installed = set(recorded.services) & self.unselected if recorded else set()
        if still_installed:
            self.left_alone[key] = LeftAlone(key, tuple(sorted(still_installed)))
        else:
            self.orphans[key] = Orphan(key, recorded)
        return False

    def include_model_table(self, table: Any) -> bool:
        """Whether a table of the models takes part (``--service`` narrows the comparison)."""
        if self.only is None:
            return True
        return bool(self.only & set(table.info.get(OWNERS_KEY, ())))

    def include_database_only_type(self) -> bool:
        """Whether an enum type or sequence found only in the database may be dropped."""
        return not self.orphans and not self.left_alone and self.only is None

    def report(self) -> OwnershipReport:
        """What this comparison left out, sorted by table."""
        return OwnershipReport(
            orphans=tuple(self.orphans[k] for k in sorted(self.orphans)),
            left_alone=tuple(self.left_alone[k] for k in sorted(self.left_alone)),
            dropped=tuple(sorted(self.drop & self.seen)),
        )

    def drop_refusals(self) -> list[str]:
        """Why each ``--drop`` name cannot be dropped (empty when all can)."""
        reasons = []
        for key in sorted(self.drop):
            owners = self.catalog.owners.get(key)
            if owners is not None:
                reasons.append(
                    f"{key} is defined by service {', '.join(owners)}: remove it from that "
                    "service's models instead of dropping it by name"
                )
            elif key not in self.seen:
                reasons.append(f"{key} is not a table of the database")
        return reasons
