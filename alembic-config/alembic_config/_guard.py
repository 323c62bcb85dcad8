"""Running a command safely: partial state, the migration lock, the impact gate, the records.

For the commands that write (``upgrade``, ``downgrade``, ``stamp``) the guard
takes the migration lock before Alembic reads the current version and releases
it after the last stamp; before an upgrade applies anything it refuses an edited
applied revision and checks the plan with the impact gate. On MySQL/MariaDB,
whose DDL cannot be rolled back, a marker row names the revision in progress.
Read-only commands take no lock and create nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from alembic_config._catalog import Catalog
from alembic_config._connections import durable_at_end
from alembic_config._ddl_timeouts import (
    DdlTimeouts,
    StatementCounter,
    ddl_timeouts,
    reset_timeouts,
    run_with_retries,
)
from alembic_config._errors import (
    InvalidNameError,
    UnknownServiceError,
)
from alembic_config._failures import script_failure
from alembic_config._gate import ALLOW_BREAKING_ENV
from alembic_config._gc import collector_paused, freeze_heap, thaw_heap
from alembic_config._history import require_revision_folder
from alembic_config._locking import lock_timeout, migration_lock
from alembic_config._options import EnvironmentOptions, names_option, running_command
from alembic_config._ownership import read_owners
from alembic_config._partial import (
    drop_marker_if_empty,
    may_hold_marker,
    partial_after_failure,
    require_no_partial_state,
    set_marker,
    uses_marker,
)
from alembic_config._pipelined_ddl import pipelined_ddl
from alembic_config._planning import MigrationPlan, PlannedStep, build_plan
from alembic_config._production import require_allowed_in_production
from alembic_config._records import RunRecords
from alembic_config._refusals import (
    DdlLockTimeoutError,
    UnsafeMigrationError,
)
from alembic_config._revisions import require_known_revisions
from alembic_config._serial import serial_defaults_resolved
from alembic_config._transactions import committed
from alembic_config.lint._plan import enforce_plan, linted_plan

logger = logging.getLogger(__name__)

# commands that change the version table: they run under the migration lock
MUTATING_COMMANDS = frozenset({"upgrade", "downgrade", "stamp"})
# the databases whose DDL runs under lock timeouts with retries
_TIMED = frozenset({"postgresql", "mysql", "mariadb"})


class MigrationGuard:
    """The safety rules around one run of Alembic's ``run_migrations()``."""

    def __init__(
        self,
        config: Config,
        options: EnvironmentOptions,
        catalog: Callable[[], Catalog],
        loaded: Callable[[], Catalog | None],
        version_table: tuple[str, str | None],
    ) -> None:
        self.config = config
        self.options = options
        self._catalog = catalog
        self._version_table = version_table
        self._records = RunRecords(catalog, loaded, version_table)
        self._marker_plan: list[tuple[str, str]] = []
        # the steps of the plan not stamped yet: the first one is running
        self._pending: list[PlannedStep] = []
        self._plan = MigrationPlan(current=(), steps=())
        self._applied: list[Any] = []
        self._counter: StatementCounter | None = None
        self._ddl: DdlTimeouts | None = None

    def lock_timeout(self) -> float:
        """Seconds to wait for the migration lock: the options, the environment, or 60."""
        try:
            return lock_timeout(self.options.lock_timeout)
        except ValueError as exc:
            raise InvalidNameError(str(exc), value=str(exc)) from None

    @contextmanager
    def guarded(self, context: MigrationContext) -> Iterator[bool]:
        """Run a command safely; yields whether the migrations should run now.

        With ``plan_only`` the plan is reported and nothing runs.
        """
        conn = context.connection
        command = running_command(context, self.options)
        if conn is None or context.as_sql:  # offline --sql: nothing to lock; the gate warns
            if command == "upgrade":
                self._warn_offline(self._build_plan(context, command))
            yield True
            return
        table, schema = self._version_table
        marked = uses_marker(conn)
        if may_hold_marker(conn):
            committed(conn, lambda: require_no_partial_state(conn, table, schema))
        if self.options.plan_only:
            self._report_plan(context, command, conn)
            yield False
            return
        if command == "revision":
            require_revision_folder(context, self.config)
        if command not in MUTATING_COMMANDS:
            with serial_defaults_resolved(conn):  # check, revision: one query, not one per table
                yield True
            return
        require_allowed_in_production(command, self.config, self.options)
        self._ddl = self.ddl_timeouts()  # a bad setting is refused before anything runs
        with (
            migration_lock(conn, version_table=table, timeout=self.lock_timeout()),
            durable_at_end(conn),
            self._records.sent_with_stamps(),
            ExitStack() as stack,
        ):
            # the plan lives through the run: moved out of the collector's reach as it is built
            with collector_paused():
                plan = self._prepare(context, conn, command)
                stack.callback(thaw_heap, freeze_heap())
            self._pending = list(plan.steps)
            marked = marked or autocommit_on_postgresql(conn, plan)
            if marked and plan.steps:
                committed(conn, lambda: require_no_partial_state(conn, table, schema))
                self._marker_plan = [(s.revision, s.direction) for s in plan.steps]
                revision, direction = self._marker_plan[0]
                committed(conn, lambda: set_marker(conn, revision, direction, table, schema))
            try:
                yield True
            except DdlLockTimeoutError:
                if marked:  # the blocked revision never started: no partial state
                    self._marker_plan = []
                    committed(conn, lambda: set_marker(conn, None, "", table, schema))
                    committed(conn, lambda: drop_marker_if_empty(conn, table, schema))
                raise
            except Exception as exc:
                if marked and self._marker_plan:  # the failing revision was never stamped
                    exc.add_note(partial_after_failure(*self._marker_plan[0], conn))
                failure = script_failure(exc, self._pending[0] if self._pending else None)
                if failure is not None:
                    raise failure from exc
                raise
            if marked and not self._marker_plan:
                committed(conn, lambda: drop_marker_if_empty(conn, table, schema))

    def _running_only_operations(self) -> bool:
        """Whether the revision running now sends nothing but Alembic's operations."""
        running = self._pending[0].recorded if self._pending else None
        return running is not None and running.only_operations

    def ddl_timeouts(self) -> DdlTimeouts:
        """The DDL lock and statement timeouts and their retries (see ``_ddl_timeouts``)."""
        return ddl_timeouts(self.config, self.options.ddl_timeouts)

    def run_migrations(self, context: MigrationContext, run: Callable[[], None]) -> None:
        """Run the revisions (``run``); on PostgreSQL and MySQL/MariaDB under DDL timeouts.

        Called inside :meth:`guarded`, so after the migration lock is taken: the
        wait for that lock has its own timeout. On PostgreSQL through psycopg 3
        the revisions' DDL is pipelined (see ``_pipelined_ddl``).
        """
        conn = context.connection
        if conn is not None and not context.as_sql:
            run = functools.partial(_pipelined, conn, run, self._running_only_operations)
        settings = self._ddl or self.ddl_timeouts()
        backend = conn.dialect.name if conn is not None else ""
        if conn is None or context.as_sql or not settings.enabled or backend not in _TIMED:
            run()
            return
        steps = list(self._plan.steps)
        logger.info("DDL timeouts: %s", settings.describe())

        def failing() -> tuple[str, list[str]]:
            applied = set(self._applied)
            step = next((s for s in steps if s.revision not in applied), None)
            if step is None:
                return "(unknown)", []
            return step.revision, touched_tables(step)

        def ddl_cannot_roll_back(revision: str) -> bool:
            step = next((s for s in steps if s.revision == revision), None)
            autocommit = step is not None and step.recorded is not None and step.recorded.autocommit
            return backend != "postgresql" or autocommit

        self._counter = StatementCounter(conn)
        try:
            with self._counter:
                run_with_retries(
                    conn,
                    settings,
                    run,
                    counter=self._counter,
                    failing=failing,
                    retry_safe_without_ddl_only=ddl_cannot_roll_back,
                )
        finally:
            self._counter = None
            reset_timeouts(conn)

    def _prepare(self, context: MigrationContext, conn: Connection, command: str) -> MigrationPlan:
        """Under the lock: the checks, the plan, and the records the run keeps up to date."""
        self._require_known(context, conn)
        if command == "upgrade":
            self._records.require_unedited(context, conn)
        self._marker_plan = []
        plan = MigrationPlan(current=(), steps=())
        if command in {"upgrade", "downgrade"}:
            plan = committed(conn, lambda: self._build_plan(context, command))
        if command == "upgrade":
            plan = self._linted(conn, plan)
        if plan.refused:
            raise UnsafeMigrationError(plan.findings)
        enforce_plan(self.config, self.options, plan, "upgrade")
        if self.options.on_plan is not None:
            self.options.on_plan(plan)
        if command == "upgrade" and plan.steps:
            self._records.prepare_upgrade(context, conn, plan)
        elif command == "downgrade":
            self._records.prepare_downgrade(conn)
        self._plan = plan
        self._applied = []
        return plan

    def on_version_apply(self, **kw: Any) -> None:
        """Alembic's ``on_version_apply``: move the marker, update the records, tell the caller."""
        connection = kw["ctx"].connection
        if self._pending:
            self._pending.pop(0)
        if self._marker_plan:
            # moves in the transaction that stamps the step just applied
            self._marker_plan.pop(0)
            revision, direction = self._marker_plan[0] if self._marker_plan else (None, "")
            table, schema = self._version_table
            set_marker(connection, revision, direction, table, schema)
        self._records.step_applied(kw["step"], connection)
        step = kw["step"]
        self._applied.append(step.up_revision_id if step.is_upgrade else step.down_revision_ids)
        if self._counter is not None:
            self._counter.revision_done()
        if self.options.on_version_apply is not None:
            self.options.on_version_apply(**kw)

    def _allowed_breaking(self) -> frozenset[str]:
        allowed = names_option(
            self.options.allow_breaking, self.config, "allow_breaking", ALLOW_BREAKING_ENV
        )
        if allowed:
            from alembic_config._discovery import discover_services

            sources, failures = discover_services()
            installed = sorted({s.name for s in sources} | {f.name for f in failures})
            unknown = sorted(allowed - set(installed))
            if unknown:
                raise UnknownServiceError(unknown, installed)
        return allowed

    def _build_plan(self, context: MigrationContext, command: str, **kw: Any) -> MigrationPlan:
        return build_plan(
            context,
            command=command,
            catalog=self._catalog,
            allowed=self._allowed_breaking() if command == "upgrade" else (),
            **kw,
        )

    def _require_known(self, context: MigrationContext, conn: Connection) -> None:
        script = context.script
        if script is not None:
            current = context.get_current_heads()
            committed(conn, lambda: require_known_revisions(script, current))

    def _report_plan(
        self, context: MigrationContext, command: str | None, conn: Connection
    ) -> None:
        """``plan_only``: the plan with the owner of every table touched, to ``on_plan``."""
        self._require_known(context, conn)
        table, schema = self._version_table
        recorded = committed(conn, lambda: read_owners(conn, table, schema))
        plan = committed(
            conn,
            lambda: self._build_plan(
                context, command or "upgrade", recorded_owners=recorded, with_owners=True
            ),
        )
        if command in {None, "upgrade"}:
            plan = self._linted(conn, plan)
        if self.options.on_plan is not None:
            self.options.on_plan(plan)
        elif plan.refused:
            raise UnsafeMigrationError(plan.findings)
        else:
            enforce_plan(self.config, self.options, plan, "upgrade")

    def _linted(self, conn: Connection | None, plan: MigrationPlan) -> MigrationPlan:
        return linted_plan(conn, plan, self.config, self.options, self._version_table)

    def _warn_offline(self, plan: MigrationPlan) -> None:
        self._linted(None, plan)
        for finding in plan.refused:
            logger.warning("impact gate (--sql: not enforced): %s", finding.describe())


def _pipelined(conn: Connection, run: Callable[[], None], allowed: Callable[[], bool]) -> None:
    with pipelined_ddl(conn, allowed):
        run()


def autocommit_on_postgresql(conn: Connection, plan: MigrationPlan) -> bool:
    """A planned PostgreSQL revision commits part of itself early: mark it while it runs."""
    return conn.dialect.name == "postgresql" and any(
        s.recorded is not None and s.recorded.autocommit for s in plan.steps
    )


def touched_tables(step: PlannedStep) -> list[str]:
    """The tables a planned step's operations touch, foreign keys' referred tables too."""
    from alembic_config.lint._view import operation_table

    tables: list[str] = []
    for operation in step.recorded.operations if step.recorded is not None else ():
        for key in (operation_table(operation), getattr(operation, "referent_table", None)):
            if key and key not in tables:
                tables.append(key)
    return tables
