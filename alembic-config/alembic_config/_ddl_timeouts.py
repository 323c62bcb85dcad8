"""DDL under short lock timeouts, retried with growing ones, never stalling a busy database.

A DDL statement that waits for its lock (behind a long transaction, say) also
makes every later query on that table wait behind it: on one database shared
by several services, all of them stall. So, once the migration lock is held,
each revision runs with a short ``lock_timeout`` (PostgreSQL) or
``lock_wait_timeout`` (MySQL / MariaDB); when a statement cannot get its lock
in time the revision is rolled back and retried with a longer timeout, a
bounded number of times, with a growing pause in between. When every attempt
timed out, the run stops cleanly, naming the sessions that held the lock.

A retry is safe where nothing of the revision stays applied: always on
PostgreSQL (the revision's transaction rolls back), and on MySQL / MariaDB
(and for a PostgreSQL revision with an autocommit block) only while no DDL
statement of the revision has completed yet.

Settings, each from the first place that sets it: :class:`EnvironmentOptions`
(the command line), ``-x name=value``, the ini file's ``[mindmirror]`` section,
the defaults. Names: ``ddl_lock_timeout`` (seconds, default 2; 0 turns all of
this off), ``ddl_statement_timeout`` (seconds, default off), ``ddl_attempts``
(default 5), ``ddl_retry_growth`` (default 2), ``ddl_retry_pause`` (seconds,
default 0.5).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from alembic_config._errors import (
    InvalidNameError,
)
from alembic_config._refusals import (
    DdlLockTimeoutError,
)
from alembic_config._transactions import commit_unless

if TYPE_CHECKING:
    from alembic.config import Config

logger = logging.getLogger(__name__)

INI_SECTION = "mindmirror"
_DDL = ("CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE")
_PG_LOCK_NOT_AVAILABLE = "55P03"
_MYSQL_LOCK_WAIT_TIMEOUT = 1205


@dataclass(frozen=True)
class DdlTimeouts:
    """How long a revision's statements may wait for their locks, and how it is retried."""

    lock_timeout: float = 2.0
    statement_timeout: float | None = None
    attempts: int = 5
    growth: float = 2.0
    pause: float = 0.5

    @property
    def enabled(self) -> bool:
        """False when ``ddl_lock_timeout`` is 0: statements wait as long as the server lets them."""
        return self.lock_timeout > 0

    def lock_timeouts(self) -> list[float]:
        """The lock timeout of each attempt, in seconds."""
        return [self.lock_timeout * self.growth**n for n in range(self.attempts)]

    def pauses(self) -> list[float]:
        """The pause before each retry, in seconds."""
        return [self.pause * self.growth**n for n in range(self.attempts - 1)]

    def bound(self) -> float:
        """The most one blocked statement makes the run wait before it gives up, in seconds."""
        return sum(self.lock_timeouts()) + sum(self.pauses())

    def describe(self) -> str:
        """``lock_timeout 2 s (then 4, 8 s), statement_timeout off, at most 14.5 s of waiting``."""
        if not self.enabled:
            return (
                "off (ddl_lock_timeout = 0): DDL waits for its locks as long as the server lets it"
            )
        waits = ", ".join(f"{t:g}" for t in self.lock_timeouts()[1:])
        then = f" (then {waits} s)" if waits else ""
        statement = f"{self.statement_timeout:g} s" if self.statement_timeout else "off"
        return (
            f"lock_timeout {self.lock_timeout:g} s{then}, {self.attempts} attempt(s), "
            f"statement_timeout {statement}; at most {self.bound():g} s of lock waiting "
            "per blocked revision"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "lock_timeout": self.lock_timeout,
            "statement_timeout": self.statement_timeout,
            "attempts": self.attempts,
            "growth": self.growth,
            "pause": self.pause,
            "bound": self.bound() if self.enabled else None,
        }


_NAMES = {
    "lock_timeout": "ddl_lock_timeout",
    "statement_timeout": "ddl_statement_timeout",
    "attempts": "ddl_attempts",
    "growth": "ddl_retry_growth",
    "pause": "ddl_retry_pause",
}


def _number(name: str, raw: Any) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise InvalidNameError(f"{name} must be a number, not {raw!r}", value=str(raw)) from None
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise InvalidNameError(f"{name} must be a finite number >= 0, not {raw!r}", value=str(raw))
    return value


def _checked(settings: DdlTimeouts) -> DdlTimeouts:
    if settings.attempts < 1 or settings.attempts != int(settings.attempts):
        raise InvalidNameError(
            f"ddl_attempts must be a whole number >= 1, not {settings.attempts!r}",
            value=str(settings.attempts),
        )
    if settings.growth < 1:
        raise InvalidNameError(
            f"ddl_retry_growth must be >= 1, not {settings.growth!r}", value=str(settings.growth)
        )
    statement = settings.statement_timeout or None
    return replace(settings, attempts=int(settings.attempts), statement_timeout=statement)


def ddl_timeouts(config: Config | None, overrides: Mapping[str, Any] | None = None) -> DdlTimeouts:
    """The settings in force: ``overrides`` (values not ``None``), ``-x``, the ini, defaults."""
    from alembic_config._options import x_argument

    overrides = overrides or {}
    settings = DdlTimeouts()
    changes: dict[str, Any] = {}
    has_section = (
        config is not None
        and config.config_file_name is not None
        and config.file_config.has_section(INI_SECTION)
    )
    for field in fields(DdlTimeouts):
        name = _NAMES[field.name]
        raw: Any = overrides.get(field.name)
        if raw is None and config is not None:
            raw = x_argument(config, name)
        if raw is None and has_section and config is not None:
            raw = config.get_section_option(INI_SECTION, name)
        if raw is not None and raw != "":
            changes[field.name] = _number(name, raw)
    return _checked(replace(settings, **changes))


def apply_timeouts(conn: Connection, lock_timeout: float, statement_timeout: float | None) -> None:
    """Set the session's lock (and statement) timeout; committed, so rollbacks keep them."""
    name = conn.dialect.name
    was_in_transaction = conn.in_transaction()
    # without a statement timeout of its own, the server's (or the role's) stays in force
    if name == "postgresql":
        conn.exec_driver_sql(f"SET lock_timeout = '{int(lock_timeout * 1000)}ms'")
        if statement_timeout:
            conn.exec_driver_sql(f"SET statement_timeout = '{int(statement_timeout * 1000)}ms'")
    elif name in {"mysql", "mariadb"}:
        conn.exec_driver_sql(f"SET SESSION lock_wait_timeout = {max(1, math.ceil(lock_timeout))}")
        if statement_timeout and getattr(conn.dialect, "is_mariadb", False):
            # MySQL's max_execution_time covers SELECTs only: nothing to set there
            conn.exec_driver_sql(f"SET SESSION max_statement_time = {statement_timeout:g}")
    commit_unless(conn, was_in_transaction)


def reset_timeouts(conn: Connection) -> None:
    """Give the session its server defaults back."""
    if conn.closed or conn.invalidated:
        return
    if conn.in_transaction():
        conn.rollback()
    name = conn.dialect.name
    if name == "postgresql":
        conn.exec_driver_sql("RESET lock_timeout")
        conn.exec_driver_sql("RESET statement_timeout")
    elif name in {"mysql", "mariadb"}:
        conn.exec_driver_sql("SET SESSION lock_wait_timeout = DEFAULT")
        if getattr(conn.dialect, "is_mariadb", False):
            conn.exec_driver_sql("SET SESSION max_statement_time = DEFAULT")
    conn.commit()


def is_lock_timeout(exc: BaseException) -> bool:
    """True for "could not get the lock in time": PostgreSQL 55P03, MySQL/MariaDB 1205."""
    if not isinstance(exc, DBAPIError) or exc.orig is None:
        return False
    orig: Any = exc.orig
    if getattr(orig, "sqlstate", None) == _PG_LOCK_NOT_AVAILABLE:
        return True
    args: tuple[Any, ...] = tuple(getattr(orig, "args", ()))
    return bool(args) and args[0] == _MYSQL_LOCK_WAIT_TIMEOUT


class StatementCounter:
    """Counts the DDL statements the current revision has completed (reset at each stamp)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.ddl = 0

    def __enter__(self) -> StatementCounter:
        event.listen(self.conn, "after_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.conn, "after_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(_DDL):
            self.ddl += 1

    def revision_done(self) -> None:
        """The revision was stamped: the next one starts with no DDL done."""
        self.ddl = 0


def blocking_sessions(conn: Connection, tables: Iterable[str]) -> list[str]:
    """The other sessions holding locks on ``tables`` (PostgreSQL), or with open transactions."""
    if conn.in_transaction():
        conn.rollback()
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text(
                "SELECT DISTINCT a.pid, a.application_name, a.state, a.query_start, "
                "left(a.query, 120) AS query, string_agg(DISTINCT l.mode, ', ') AS modes "
                "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.granted AND l.locktype = 'relation' AND a.pid <> pg_backend_pid() "
                # to_regclass: a table the revision was about to create does not exist yet
                "AND l.relation IN (SELECT to_regclass(t) FROM unnest(CAST(:tables AS text[])) t) "
                "GROUP BY a.pid, a.application_name, a.state, a.query_start, a.query"
            ),
            {"tables": "{" + ",".join(f'"{t}"' for t in tables) + "}"},
        ).all()
        conn.commit()
        return [
            f"pid {r.pid} ({r.application_name or 'no application_name'}, {r.state}, "
            f"query started {r.query_start:%H:%M:%S}: {' '.join((r.query or '').split())}; "
            f"holds {r.modes})"
            for r in rows
        ]
    rows = conn.execute(
        text(
            "SELECT p.ID, p.USER, p.HOST, p.COMMAND, p.TIME, t.trx_started, "
            "LEFT(COALESCE(p.INFO, t.trx_query, ''), 120) AS query "
            "FROM information_schema.PROCESSLIST p "
            "LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID "
            "WHERE p.ID <> CONNECTION_ID() AND p.DB = DATABASE() "
            "AND (t.trx_id IS NOT NULL OR p.COMMAND <> 'Sleep')"
        )
    ).all()
    conn.commit()
    return [
        f"connection {r.ID} ({r.USER}@{r.HOST}, {r.COMMAND} for {r.TIME} s"
        + (f", transaction open since {r.trx_started:%H:%M:%S}" if r.trx_started else "")
        + (f": {' '.join(r.query.split())}" if r.query else "")
        + ")"
        for r in rows
    ]


def run_with_retries(
    conn: Connection,
    settings: DdlTimeouts,
    run: Callable[[], None],
    *,
    counter: StatementCounter,
    failing: Callable[[], tuple[str, list[str]]],
    retry_safe_without_ddl_only: Callable[[str], bool],
) -> None:
    """Run ``run`` (Alembic's ``run_migrations``) under the timeouts, retrying lock timeouts.

    ``failing()`` names the revision that is running and the tables it touches;
    ``retry_safe_without_ddl_only(revision)`` is true where DDL cannot roll back.
    """
    timeouts = settings.lock_timeouts()
    pauses = settings.pauses()
    waited = 0.0
    for attempt, timeout in enumerate(timeouts, start=1):
        apply_timeouts(conn, timeout, settings.statement_timeout)
        try:
            run()
            return
        except DBAPIError as exc:
            if not is_lock_timeout(exc):
                raise
            revision, tables = failing()
            if retry_safe_without_ddl_only(revision) and counter.ddl:
                raise  # part of the revision is applied: the guard reports the partial state
            waited += timeout
            blockers = blocking_sessions(conn, tables)
            held_by = "; ".join(blockers) or "a session that is gone now"
            if attempt == len(timeouts):
                raise DdlLockTimeoutError(
                    revision=revision,
                    attempts=attempt,
                    waited=waited,
                    bound=settings.bound(),
                    blockers=blockers,
                ) from exc
            pause = pauses[attempt - 1]
            logger.warning(
                "revision %s could not get its locks within %g s (held by %s); nothing of it "
                "was applied; retrying in %g s with %g s (attempt %d of %d, at most %g s of "
                "lock waiting in all)",
                revision,
                timeout,
                held_by,
                pause,
                timeouts[attempt],
                attempt + 1,
                len(timeouts),
                settings.bound(),
            )
            counter.revision_done()
            time.sleep(pause)
            waited += pause
