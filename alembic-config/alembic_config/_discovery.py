"""Finding the services: entry points of the group ``alembic_config.metadata``.

Discovery only reads installed metadata; loading imports a service's models
and turns its entry point's object into a :class:`~sqlalchemy.MetaData`.
Neither runs at import time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from importlib import metadata as importlib_metadata
from typing import TYPE_CHECKING, Any

from alembic_config._errors import ModelDefinitionError, ServiceLoadError, UnknownServiceError
from alembic_config._validation import model_problems

if TYPE_CHECKING:
    from sqlalchemy import MetaData

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "alembic_config.metadata"
SERVICES_ENV = "ALEMBIC_CONFIG_SERVICES"
EXCLUDE_ENV = "ALEMBIC_CONFIG_EXCLUDE"


class ServiceState(StrEnum):
    """Where a service stands in one discovery."""

    INSTALLED = "installed"  # found and selected; its models not imported (yet)
    OK = "ok"  # loaded: its tables are known
    FAILED = "failed"  # could not be loaded (or registered twice); ``error`` says why
    EXCLUDED = "excluded"  # installed but left out by the selection


@dataclass(frozen=True)
class Service:
    """One service: its entry point, where it comes from, and how far discovery got with it."""

    name: str
    distribution: str
    version: str
    entry_point: str  # "module:attr", as registered
    state: ServiceState = ServiceState.INSTALLED
    tables: tuple[str, ...] | None = None  # once loaded
    error: str | None = None  # when failed
    handle: importlib_metadata.EntryPoint | None = field(default=None, compare=False, repr=False)
    exception: BaseException | None = field(default=None, compare=False, repr=False)

    def describe(self) -> str:
        """``name (distribution version, module:attr)``, and the error if it failed."""
        where = f"{self.name} ({self.distribution} {self.version}, {self.entry_point})"
        return f"{where} failed: {self.error}" if self.error is not None else where

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: the fields that are set, without the state and the handles."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NOT_IN_JSON}
        if self.tables is not None:
            data["tables"] = list(self.tables)
        return {key: value for key, value in data.items() if value is not None}


_NOT_IN_JSON = frozenset({"state", "handle", "exception"})


def _source(entry_point: importlib_metadata.EntryPoint) -> Service:
    dist = entry_point.dist
    name = dist.metadata["Name"] if dist is not None else None
    return Service(
        name=entry_point.name,
        entry_point=entry_point.value,
        distribution=name or "unknown distribution",
        version=dist.version if dist is not None else "unknown version",
        handle=entry_point,
    )


def discover_services(
    entry_points: Iterable[importlib_metadata.EntryPoint] | None = None,
) -> tuple[tuple[Service, ...], tuple[Service, ...]]:
    """Read the installed entry points, sorted by service name; nothing is imported.

    The same entry point seen twice (a distribution found on two paths) counts
    once; one name registered with two different targets is a failure.
    """
    if entry_points is None:
        entry_points = importlib_metadata.entry_points(group=ENTRY_POINT_GROUP)
    by_name: dict[str, list[Service]] = {}
    for entry_point in entry_points:
        source = _source(entry_point)
        seen = by_name.setdefault(source.name, [])
        if not any(
            s.entry_point == source.entry_point and s.distribution == source.distribution
            for s in seen
        ):
            seen.append(source)
    sources: list[Service] = []
    failures: list[Service] = []
    for name in sorted(by_name):
        candidates = by_name[name]
        if len(candidates) == 1:
            sources.append(candidates[0])
            continue
        claimants = "; ".join(
            f"{c.distribution} {c.version} -> {c.entry_point}" for c in candidates
        )
        first = candidates[0]
        failures.append(
            Service(
                name=name,
                distribution=", ".join(c.distribution for c in candidates),
                version=", ".join(c.version for c in candidates),
                entry_point=first.entry_point,
                state=ServiceState.FAILED,
                error=f"the service name is registered more than once: {claimants}",
            )
        )
    return tuple(sources), tuple(failures)


def _names(raw: str | Sequence[str] | None) -> frozenset[str] | None:
    if raw is None:
        return None
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    names = frozenset(item.strip() for item in items if item.strip())
    return names or None


@dataclass(frozen=True)
class Selection:
    """Which services to load: an optional allow-list and a deny-list."""

    allow: frozenset[str] | None
    deny: frozenset[str]

    def chosen(self, name: str) -> bool:
        """True when the service ``name`` is selected."""
        return (self.allow is None or name in self.allow) and name not in self.deny


def selection(
    known: Sequence[str],
    *,
    services: str | Sequence[str] | None = None,
    exclude: str | Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Selection:
    """Build the selection from arguments, else ``ALEMBIC_CONFIG_SERVICES`` / ``_EXCLUDE``.

    Naming a service that is not installed is an error, so that a typo never
    silently selects nothing.
    """
    env = os.environ if environ is None else environ
    allow = _names(services if services is not None else env.get(SERVICES_ENV))
    deny = _names(exclude if exclude is not None else env.get(EXCLUDE_ENV)) or frozenset()
    unknown = sorted(n for n in (allow or frozenset()) | deny if n not in known)
    if unknown:
        raise UnknownServiceError(unknown, sorted(known))
    return Selection(allow=allow, deny=deny)


def service_selection(
    known: Sequence[str], *, exclude: str | Sequence[str] | None = None
) -> Selection:
    """The selection ``load_all_models`` would apply, without loading anything."""
    return selection(known, exclude=exclude)


def _as_metadata(obj: Any) -> MetaData | None:
    from sqlalchemy import MetaData

    if isinstance(obj, MetaData):
        return obj
    candidate = getattr(obj, "metadata", None)
    if isinstance(candidate, MetaData):
        return candidate
    return None


def installed_services(
    *,
    services: str | Sequence[str] | None = None,
    exclude: str | Sequence[str] | None = None,
    entry_points: Iterable[importlib_metadata.EntryPoint] | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[Service, ...]:
    """Every installed service, sorted by name, with its state; nothing is imported.

    Selected services are ``installed`` (or ``failed`` when discovery already
    failed them, a name registered twice); the others are ``excluded``. The
    selection is ``services`` / ``exclude``, else ``ALEMBIC_CONFIG_SERVICES`` /
    ``ALEMBIC_CONFIG_EXCLUDE``, as :func:`~alembic_config.load_all_models` applies it.
    """
    sources, failures = discover_services(entry_points)
    known = sorted([s.name for s in sources] + [f.name for f in failures])
    chosen = selection(known, services=services, exclude=exclude, environ=environ).chosen
    found = [
        service if chosen(service.name) else replace(service, state=ServiceState.EXCLUDED)
        for service in (*sources, *failures)
    ]
    return tuple(sorted(found, key=lambda service: service.name))


def load_service(source: Service) -> MetaData:
    """Import the service's entry point and return its MetaData.

    The object may be a MetaData, anything with a ``.metadata`` MetaData (a
    declarative Base, a registry), or a callable taking no arguments that
    returns either.
    """
    if source.handle is None:
        raise ServiceLoadError(
            f"service {source.describe()} has no entry point to load",
            service=source.name,
            distribution=source.distribution,
            version=source.version,
        )
    obj = source.handle.load()
    found = _as_metadata(obj)
    if found is None and callable(obj):
        produced = obj()
        found = _as_metadata(produced)
        if found is None:
            raise ServiceLoadError(
                f"entry point {source.describe()} is a callable that returned "
                f"{type(produced).__name__}, not a MetaData or an object with a .metadata MetaData",
                service=source.name,
                distribution=source.distribution,
                version=source.version,
            )
    if found is None:
        raise ServiceLoadError(
            f"entry point {source.describe()} resolved to {type(obj).__name__}, which is not a "
            "MetaData, an object with a .metadata MetaData (a declarative Base), "
            "or a callable returning one",
            service=source.name,
            distribution=source.distribution,
            version=source.version,
        )
    problems = model_problems(found)
    if problems:
        raise ModelDefinitionError(
            service=source.name,
            distribution=source.distribution,
            version=source.version,
            problems=problems,
        )
    return found


def failure_of(source: Service, exc: BaseException) -> Service:
    """Record why ``source`` failed to load."""
    error = str(exc) if isinstance(exc, ServiceLoadError) else f"{type(exc).__name__}: {exc}"
    return replace(source, state=ServiceState.FAILED, error=error, exception=exc)
