"""What the services' models say about each other: cross-service keys, missing services."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic_config import Catalog

NOT_LOADED = "(no selected service)"


@dataclass(frozen=True)
class CrossServiceKey:
    """A foreign key from one service's table to a table another service owns (or nobody)."""

    table: str
    column: str
    services: tuple[str, ...]
    references: str
    referenced_services: tuple[str, ...]
    ondelete: str | None

    @property
    def resolved(self) -> bool:
        """False when no selected service defines the referenced table."""
        return bool(self.referenced_services)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "table": self.table,
            "column": self.column,
            "service": ", ".join(self.services),
            "references": self.references,
            "referenced_service": ", ".join(self.referenced_services) or None,
            "resolved": self.resolved,
            "ondelete": self.ondelete,
        }


def _referenced_table(target_fullname: str) -> str:
    """``schema.table.column`` or ``table.column`` -> the table's key in the MetaData."""
    return target_fullname.rpartition(".")[0]


def cross_service_keys(catalog: Catalog) -> list[CrossServiceKey]:
    """Every foreign key whose table and referenced table have no owning service in common.

    The referenced table is looked up by name, never resolved through SQLAlchemy,
    so a key to a table no selected service defines is listed (unresolved)
    instead of raising.
    """
    found = []
    for key, table in sorted(catalog.metadata.tables.items()):
        source = tuple(catalog.owners.get(key, ()))
        for fk in sorted(table.foreign_keys, key=lambda f: (f.parent.name, f.target_fullname)):
            target = tuple(catalog.owners.get(_referenced_table(fk.target_fullname), ()))
            if set(source) & set(target):
                continue
            found.append(
                CrossServiceKey(
                    table=key,
                    column=fk.parent.name,
                    services=source,
                    references=fk.target_fullname,
                    referenced_services=target,
                    ondelete=fk.ondelete,
                )
            )
    return found


def incomplete_warnings(catalog: Catalog) -> list[str]:
    """What a listing of the models cannot show: the services that failed to load."""
    return [
        f"service {failure.name} failed to load, so its tables are missing here: "
        f"{failure.error} (see 'mindmirror models list')"
        for failure in catalog.failures
    ]


def require_selected(catalog: Catalog, names: Iterable[str]) -> None:
    """Refuse a ``--service`` name that is not one of the loaded services, saying why.

    Limiting a command to a service it does not see would compare nothing and
    report no drift; a name is installed but not selected, failed to load, or unknown.
    """
    from alembic_config import UnknownServiceError

    from mindmirror_cli.errors import BadInput, CliError
    from mindmirror_cli.exit_codes import ExitCode

    loaded = catalog.service_names()
    failed = {failure.name: failure for failure in catalog.failures}
    for name in names:
        if name in loaded:
            continue
        if name in failed:
            raise CliError(f"service {failed[name].describe()}", exit_code=ExitCode.CONFIGURATION)
        if name in catalog.excluded:
            raise BadInput(
                f"service {name} is installed but not selected (ALEMBIC_CONFIG_SERVICES, "
                f"ALEMBIC_CONFIG_EXCLUDE or --exclude leave it out); selected: "
                f"{', '.join(loaded) or 'none'}"
            )
        raise UnknownServiceError([name], sorted({*loaded, *failed, *catalog.excluded}))
