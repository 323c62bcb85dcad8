"""One report on everything that must hold before the services start."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mindmirror_cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from mindmirror_cli.app import App


@dataclass
class HealthCheck:
    """One check: its name, whether it passed, what was seen, and the exit code if not."""

    name: str
    ok: bool
    detail: str
    exit_code: ExitCode = ExitCode.OK

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "name": self.name,
            "ok": self.ok,
            "detail": self.detail,
            "exit_code": int(self.exit_code),
        }


# when several checks fail, the most fundamental one decides the exit code
_SEVERITY = [
    ExitCode.DATABASE_UNREACHABLE,
    ExitCode.PARTIAL_STATE,
    ExitCode.REVISION_GRAPH,
    ExitCode.CONFIGURATION,
    ExitCode.CHECK_FAILED,
]


@dataclass
class HealthReport:
    """Every check, in order."""

    database: str
    checks: list[HealthCheck] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        """The exit code of the most fundamental failed check (0 when all pass)."""
        failed = {c.exit_code for c in self.checks if not c.ok}
        return next((code for code in _SEVERITY if code in failed), ExitCode.OK)

    def add(self, name: str, ok: bool, detail: str, code: ExitCode) -> None:
        """Record a check."""
        self.checks.append(HealthCheck(name, ok, detail, ExitCode.OK if ok else code))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "database": self.database,
            "healthy": self.exit_code == ExitCode.OK,
            "exit_code": int(self.exit_code),
            "checks": [c.to_dict() for c in self.checks],
        }


def run_health(app: App) -> HealthReport:
    """Run every check; never raises for a failed check."""
    from alembic_config import DatabaseConnectionError, read_partial_state

    from mindmirror_cli.actions.revisions import connection, pending, read_current
    from mindmirror_cli.errors import caused_by, classify

    report = HealthReport(database=app.url.masked)
    current: tuple[str, ...] = ()
    try:
        started = time.perf_counter()
        with connection(app) as conn:
            latency = (time.perf_counter() - started) * 1000
            version = _server_version(conn)
            present, current = read_current(conn, app.version_table)
            partial = read_partial_state(conn, *app.version_table)
            edited = _edited(app, conn, current)
        report.add(
            "database reachable", True, f"{version}, connected in {latency:.0f} ms", ExitCode.OK
        )
        report.add(
            "version table present",
            present,
            "alembic_version exists" if present else "no alembic_version table: run upgrade",
            ExitCode.CHECK_FAILED,
        )
        report.add(
            "no partial migration",
            partial is None,
            "none" if partial is None else partial.describe(),
            ExitCode.PARTIAL_STATE,
        )
        report.add(
            "applied revisions unchanged",
            not edited,
            "; ".join(m.describe() for m in edited) or "every recorded checksum matches",
            ExitCode.REVISION_GRAPH,
        )
    except Exception as exc:
        failure = classify(exc, redact=app.redact)
        if failure is None:
            raise
        unreachable = caused_by(exc, DatabaseConnectionError) is not None
        name = "database reachable" if unreachable else "version table readable"
        report.add(name, False, failure.message, failure.exit_code)
        present = False
    script = app.script
    heads = tuple(sorted(script.get_heads()))
    report.add(
        "single head",
        len(heads) <= 1,
        _heads_detail(heads),
        ExitCode.REVISION_GRAPH,
    )
    if report.checks[0].ok:
        try:
            todo = pending(script, current)
            at_head = not todo and set(current) == set(heads)
            detail = (
                f"at {', '.join(current) or 'base'}"
                if at_head
                else f"at {', '.join(current) or 'base'}; {len(todo)} pending revision(s)"
            )
            report.add("at head", at_head, detail, ExitCode.CHECK_FAILED)
        except Exception as exc:
            failure = classify(exc, redact=app.redact)
            if failure is None:
                raise
            report.add("at head", False, failure.message, failure.exit_code)
    catalog = app.catalog
    failures = "; ".join(f.describe() for f in catalog.failures)
    report.add(
        "every service loaded",
        not catalog.failures,
        failures or f"{len(catalog.services)} services: {', '.join(catalog.service_names())}",
        ExitCode.CONFIGURATION,
    )
    report.add(
        "no conflicts",
        not catalog.conflicts,
        "; ".join(f"{c.kind} {c.name}" for c in catalog.conflicts) or "none",
        ExitCode.CONFIGURATION,
    )
    return report


def _edited(app: App, conn: Any, current: tuple[str, ...]) -> list[Any]:
    """Applied revisions edited since they ran; none when the graph itself is broken."""
    from alembic.script.revision import ResolutionError
    from alembic_config import find_mismatches

    try:
        return find_mismatches(conn, app.script, current, *app.version_table)
    except ResolutionError:  # an unknown current revision: the 'at head' check reports it
        return []


def _server_version(conn: Any) -> str:
    dialect = conn.dialect
    info = getattr(dialect, "server_version_info", None) or ()
    version = ".".join(str(part) for part in info)
    name = "MariaDB" if getattr(dialect, "is_mariadb", False) else dialect.name
    return f"{name} {version}".strip()


def _heads_detail(heads: tuple[str, ...]) -> str:
    if not heads:
        return "no revisions yet"
    if len(heads) == 1:
        return f"head {heads[0]}"
    return f"{len(heads)} heads: {', '.join(heads)}"
