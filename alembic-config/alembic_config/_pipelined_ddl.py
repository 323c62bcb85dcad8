"""PostgreSQL through psycopg 3: a revision's DDL statements sent without waiting for each answer.

Creating a large schema is a long run of ``CREATE TABLE`` and ``CREATE INDEX``
statements whose results nobody reads. Sent one by one, the client compiles a
statement while the server idles, and the server runs it while the client
waits. In psycopg's pipeline mode the statements go out as they are compiled
and the server works through them meanwhile, so the run takes about as long as
the slower side instead of both added up.

Only revisions that send nothing but Alembic's operations are pipelined (their
recorded form shows no use of the connection itself, see ``_operations``), only
their DDL constructs, and only inside a transaction: anything
else (a query whose rows the revision reads, the version stamp whose row count
Alembic checks, a savepoint, the commit) first waits for every answer. That
is also where an error of a pipelined statement surfaces; it is raised as the
error of the statement that failed, as if that statement had been sent alone,
and the revision's transaction rolls back as it would have. Statements that
must not share an implicit transaction (``autocommit_block()``, where
PostgreSQL refuses ``CREATE INDEX CONCURRENTLY`` inside one) and text holding
several statements (which pipeline mode cannot send) go out one by one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Connection

logger = logging.getLogger(__name__)


class PipelinedDdl:
    """The DDL pipeline of one migration connection (see the module's docstring)."""

    def __init__(self, connection: Connection, allowed: Callable[[], bool]) -> None:
        self.connection = connection
        self._allowed = allowed
        self._pipeline: Any = None
        # (statement, parameters, cursor) of each statement sent since the last wait
        self._sent: list[tuple[str, Any, Any]] = []

    @staticmethod
    def supported(connection: Connection) -> bool:
        """Whether the connection is PostgreSQL through psycopg 3 with a libpq that pipelines."""
        if connection.dialect.name != "postgresql" or connection.dialect.driver != "psycopg":
            return False
        import psycopg

        return bool(psycopg.Pipeline.is_supported())

    def _before_execute(
        self,
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> tuple[str, Any]:
        if self._pipelines(conn, statement, context, executemany) and self._allowed():
            if self._pipeline is None:
                self._pipeline = conn.connection.dbapi_connection.pipeline()  # type: ignore[union-attr]
                self._pipeline.__enter__()
            self._sent.append((statement, parameters, cursor))
        else:
            self.wait()
        return statement, parameters

    @staticmethod
    def _pipelines(conn: Connection, statement: str, context: Any, executemany: bool) -> bool:
        if executemany or context is None or not context.isddl or not conn.in_transaction():
            return False
        if conn.connection.dbapi_connection.autocommit:  # type: ignore[union-attr]
            return False
        return ";" not in statement.strip().rstrip(";")

    def wait(self) -> None:
        """Wait for every statement sent; raise the first failure as its statement's error."""
        sent, error = self._leave()
        if error is not None:
            import psycopg

            statement, parameters = _failed(sent)
            raise exc.DBAPIError.instance(
                statement, parameters, error, psycopg.Error, dialect=self.connection.dialect
            ) from error

    def discard(self) -> None:
        """Leave pipeline mode without raising: an error is already on its way."""
        _, error = self._leave()
        if error is not None:
            logger.debug("pipelined DDL discarded by the rollback: %s", error)

    def _leave(self) -> tuple[list[tuple[str, Any, Any]], Exception | None]:
        """Leave pipeline mode: the statements sent meanwhile, and the error of one, if any."""
        pipeline, sent = self._pipeline, self._sent
        self._pipeline, self._sent = None, []
        if pipeline is None:
            return sent, None
        import psycopg

        try:
            pipeline.__exit__(None, None, None)
        except psycopg.Error as error:
            return sent, error
        return sent, None

    def _before_end(self, conn: Connection) -> None:
        self.wait()

    def _before_rollback(self, conn: Connection) -> None:
        self.discard()

    def attach(self) -> None:
        """Start pipelining this connection's DDL."""
        event.listen(self.connection, "before_cursor_execute", self._before_execute, retval=True)
        event.listen(self.connection, "commit", self._before_end)
        event.listen(self.connection, "rollback", self._before_rollback)

    def detach(self) -> None:
        """Stop pipelining (after :meth:`wait` or :meth:`discard`)."""
        event.remove(self.connection, "before_cursor_execute", self._before_execute)
        event.remove(self.connection, "commit", self._before_end)
        event.remove(self.connection, "rollback", self._before_rollback)


def _failed(sent: list[tuple[str, Any, Any]]) -> tuple[str, Any]:
    """The statement whose answer was an error: the first one that got no result."""
    for statement, parameters, cursor in sent:
        if cursor.pgresult is None:
            return statement, parameters
    statement, parameters, _ = sent[-1]
    return statement, parameters


@contextmanager
def pipelined_ddl(connection: Connection | None, allowed: Callable[[], bool]) -> Iterator[None]:
    """Pipeline the DDL of the block on ``connection`` where the driver allows it.

    ``allowed()`` says whether the code running now sends nothing but Alembic's
    operations: code holding the driver's connection itself (a ``COPY``, a
    cursor of its own) must not find it in pipeline mode.
    """
    if connection is None or not PipelinedDdl.supported(connection):
        yield
        return
    pipeline = PipelinedDdl(connection, allowed)
    pipeline.attach()
    try:
        yield
        pipeline.wait()
    except BaseException:
        pipeline.discard()
        raise
    finally:
        pipeline.detach()
