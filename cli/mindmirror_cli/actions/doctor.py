"""Where everything was resolved from: ini, scripts, distributions, entry points, URL."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from typing import TYPE_CHECKING, Any

from mindmirror_cli.app import BUILT_IN_INI

if TYPE_CHECKING:
    from mindmirror_cli.app import App


@dataclass
class Diagnosis:
    """Facts about this installation, each with where it came from."""

    facts: dict[str, Any] = field(default_factory=dict)
    entry_points: list[dict[str, str]] = field(default_factory=list)
    # editable installs whose pyproject.toml changed since: what differs, the refresh command
    stale: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {**self.facts, "entry_points": self.entry_points, "stale": self.stale}


def _distribution(name: str) -> dict[str, Any]:
    try:
        dist = importlib_metadata.distribution(name)
    except importlib_metadata.PackageNotFoundError:
        return {"name": name, "installed": False}
    direct_url = dist.read_text("direct_url.json")
    editable = False
    source = None
    if direct_url:
        data = json.loads(direct_url)
        editable = bool(data.get("dir_info", {}).get("editable"))
        source = data.get("url")
    return {
        "name": name,
        "installed": True,
        "version": dist.version,
        "editable": editable,
        "source": source,
        "location": str(dist.locate_file("")),
    }


def _service_selection(app: App) -> dict[str, Any]:
    """Where the choice of services comes from: the allow-list, the deny-lists."""
    from alembic_config import EXCLUDE_ENV, SERVICES_ENV

    return {
        SERVICES_ENV: os.environ.get(SERVICES_ENV) or None,
        EXCLUDE_ENV: os.environ.get(EXCLUDE_ENV) or None,
        "--exclude": list(app.settings.exclude),
    }


def diagnose(app: App) -> Diagnosis:
    """Collect every fact; nothing here connects to the database or imports a model."""
    import alembic
    import sqlalchemy
    from alembic_config import ddl_timeouts, discover_services, find_stale_metadata
    from alembic_config._locking import lock_timeout

    diagnosis = Diagnosis()
    facts = diagnosis.facts
    facts["ini_file"] = str(app.ini_path) if app.ini_path else BUILT_IN_INI
    facts["env_files"] = [str(p) for p in app.load_environment()]
    script = app.script
    facts["script_location"] = str(script.dir)
    facts["version_locations"] = [
        str(p) for p in (script.version_locations or [f"{script.dir}/versions"])
    ]
    facts["alembic_config"] = _distribution("alembic-config")
    facts["alembic"] = alembic.__version__
    facts["sqlalchemy"] = sqlalchemy.__version__
    facts["database_url"] = app.url.masked
    facts["database_url_source"] = app.url.source
    facts["service_selection"] = _service_selection(app)
    facts["migration_lock_timeout"] = lock_timeout(app.settings.lock_timeout)
    timeouts = ddl_timeouts(app.config)
    facts["ddl_timeouts"] = {**timeouts.to_dict(), "description": timeouts.describe()}
    # what resolving the URL warned about (the Supabase checks), kept for --json
    facts["warnings"] = list(app.output.warnings)
    diagnosis.stale = [item.to_dict() for item in find_stale_metadata()]
    sources, failures = discover_services()
    for service in (*sources, *failures):
        entry = service.to_dict()
        entry["object"] = entry.pop("entry_point")  # the doctor's name for it
        diagnosis.entry_points.append(entry)
    return diagnosis
