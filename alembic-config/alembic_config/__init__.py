"""alembic-config: one Alembic environment for every service that shares a database.

Services publish their SQLAlchemy MetaData under the entry-point group
``alembic_config.metadata``; this package finds them, merges them into one
MetaData, names the conflicts, and ships the ``env.py`` that migrates them.

Importing this package connects to nothing, reads no ``.env`` and discovers
nothing: discovery runs on the first call of a function below, or on first
access of the lazy ``metadata`` attribute.

    from alembic_config import metadata, load_all_models, get_loaded_services, get_table_names
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from alembic_config._catalog import Catalog, ServiceInfo
    from alembic_config._conflicts import Conflict, Difference
    from alembic_config._discovery import (
        ENTRY_POINT_GROUP,
        EXCLUDE_ENV,
        SERVICES_ENV,
        ServiceFailure,
        ServiceSource,
        discover_services,
        service_selection,
    )
    from alembic_config._environment import MigrationEnvironment
    from alembic_config._errors import (
        AlembicConfigError,
        DatabaseConnectionError,
        DatabaseUrlError,
        EnvironmentFileError,
        IncompleteMetadataError,
        InvalidNameError,
        LockTimeoutError,
        MissingDriverError,
        PartialStateError,
        RevisionLocationError,
        ServiceLoadError,
        UnknownRevisionError,
        UnknownServiceError,
    )
    from alembic_config._freshness import StaleMetadata, find_stale_metadata
    from alembic_config._locking import LOCK_TIMEOUT_ENV
    from alembic_config._names import validate_identifier, validate_revision_id
    from alembic_config._partial import (
        PartialState,
        clear_partial_state,
        read_partial_state,
        require_no_partial_state,
    )
    from alembic_config._revisions import require_known_revisions
    from alembic_config._state import (
        get_catalog,
        get_conflicts,
        get_failures,
        get_loaded_services,
        get_table_names,
        get_table_owners,
        load_all_models,
    )
    from alembic_config._urls import (
        DATABASE_URL_ENV,
        ResolvedUrl,
        load_dotenv_files,
        loaded_dotenv_files,
        mask_url,
        normalize_url,
        resolve_database_url,
    )

    metadata: MetaData
    __version__: str

_EXPORTS = {
    "Catalog": "_catalog",
    "ServiceInfo": "_catalog",
    "Conflict": "_conflicts",
    "Difference": "_conflicts",
    "ENTRY_POINT_GROUP": "_discovery",
    "EXCLUDE_ENV": "_discovery",
    "SERVICES_ENV": "_discovery",
    "ServiceFailure": "_discovery",
    "ServiceSource": "_discovery",
    "discover_services": "_discovery",
    "service_selection": "_discovery",
    "MigrationEnvironment": "_environment",
    "AlembicConfigError": "_errors",
    "DatabaseConnectionError": "_errors",
    "DatabaseUrlError": "_errors",
    "EnvironmentFileError": "_errors",
    "IncompleteMetadataError": "_errors",
    "InvalidNameError": "_errors",
    "LockTimeoutError": "_errors",
    "MissingDriverError": "_errors",
    "PartialStateError": "_errors",
    "RevisionLocationError": "_errors",
    "ServiceLoadError": "_errors",
    "UnknownRevisionError": "_errors",
    "UnknownServiceError": "_errors",
    "StaleMetadata": "_freshness",
    "find_stale_metadata": "_freshness",
    "LOCK_TIMEOUT_ENV": "_locking",
    "validate_identifier": "_names",
    "validate_revision_id": "_names",
    "PartialState": "_partial",
    "clear_partial_state": "_partial",
    "read_partial_state": "_partial",
    "require_no_partial_state": "_partial",
    "require_known_revisions": "_revisions",
    "get_catalog": "_state",
    "get_conflicts": "_state",
    "get_failures": "_state",
    "get_loaded_services": "_state",
    "get_table_names": "_state",
    "get_table_owners": "_state",
    "load_all_models": "_state",
    "DATABASE_URL_ENV": "_urls",
    "ResolvedUrl": "_urls",
    "load_dotenv_files": "_urls",
    "loaded_dotenv_files": "_urls",
    "mask_url": "_urls",
    "normalize_url": "_urls",
    "resolve_database_url": "_urls",
}

__all__ = [
    "DATABASE_URL_ENV",
    "ENTRY_POINT_GROUP",
    "EXCLUDE_ENV",
    "LOCK_TIMEOUT_ENV",
    "SERVICES_ENV",
    "AlembicConfigError",
    "Catalog",
    "Conflict",
    "DatabaseConnectionError",
    "DatabaseUrlError",
    "Difference",
    "EnvironmentFileError",
    "IncompleteMetadataError",
    "InvalidNameError",
    "LockTimeoutError",
    "MigrationEnvironment",
    "MissingDriverError",
    "PartialState",
    "PartialStateError",
    "ResolvedUrl",
    "RevisionLocationError",
    "ServiceFailure",
    "ServiceInfo",
    "ServiceLoadError",
    "ServiceSource",
    "StaleMetadata",
    "UnknownRevisionError",
    "UnknownServiceError",
    "__version__",
    "clear_partial_state",
    "discover_services",
    "find_stale_metadata",
    "get_catalog",
    "get_conflicts",
    "get_failures",
    "get_loaded_services",
    "get_table_names",
    "get_table_owners",
    "load_all_models",
    "load_dotenv_files",
    "loaded_dotenv_files",
    "mask_url",
    "metadata",
    "normalize_url",
    "read_partial_state",
    "require_known_revisions",
    "require_no_partial_state",
    "resolve_database_url",
    "service_selection",
    "validate_identifier",
    "validate_revision_id",
]


def __getattr__(name: str) -> Any:
    if name == "metadata":
        return import_module("alembic_config._state").get_catalog().metadata
    if name == "__version__":
        from importlib.metadata import version

        return version("alembic-config")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'alembic_config' has no attribute {name!r}")
    return getattr(import_module(f"alembic_config.{module}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
