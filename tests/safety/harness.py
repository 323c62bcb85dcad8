"""The safety battery's harness: a throw-away project per test, the real CLI as a subprocess.

Every project has its own ``alembic.ini``, its own versions folder holding the
three revisions below, and its own database; every process it starts is
registered and killed by PID at the end of the test if it still runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.support.databases import TestDatabase
from tests.support.runner import ALEMBIC, MINDMIRROR

#: the three revisions of every project: DDL, data only, DDL again
REVISIONS = ("s1_counter", "s2_count_once", "s3_extra")
HEAD = REVISIONS[-1]
#: what the counter table holds once every revision ran exactly once
COUNTED = list(REVISIONS)

_HEADER = '''"""{message}

Revision ID: {revision}
Revises: {down}
"""

import os
import time
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = {revision!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def _pause() -> None:
    """Stop here when the test asks: SAFETY_PAUSE=<revision>:<client|server>:<seconds>."""
    wanted, _, rest = os.environ.get("SAFETY_PAUSE", "").partition(":")
    if wanted != revision or op.get_context().as_sql:  # not while the plan is recorded
        return
    mode, _, seconds = rest.partition(":")
    Path(os.environ["SAFETY_SIGNAL"]).write_text(str(os.getpid()))
    dialect = op.get_bind().dialect.name
    if mode == "server" and dialect == "postgresql":
        op.execute(sa.text(f"SELECT pg_sleep({{float(seconds)}})"))
    elif mode == "server" and dialect in ("mysql", "mariadb"):
        op.execute(sa.text(f"SELECT SLEEP({{float(seconds)}})"))
    else:
        time.sleep(float(seconds))
'''

_BODIES = {
    "s1_counter": """

def upgrade() -> None:
    op.create_table(
        "counter",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("note", sa.String(40), nullable=False),
    )
    op.execute(sa.text("INSERT INTO counter (note) VALUES ('s1_counter')"))
    _pause()


def downgrade() -> None:
    op.drop_table("counter")
""",
    "s2_count_once": """

def upgrade() -> None:
    op.execute(sa.text("INSERT INTO counter (note) VALUES ('s2_count_once')"))
    _pause()


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM counter WHERE note = 's2_count_once'"))
""",
    "s3_extra": """

def upgrade() -> None:
    op.add_column("counter", sa.Column("label", sa.String(20), nullable=True))
    op.create_table(
        "extra",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "counter_id",
            sa.Integer,
            sa.ForeignKey("counter.id", name="fk_extra_counter"),
            nullable=False,
        ),
        sa.Column("name", sa.String(30), nullable=False, server_default="none"),
    )
    op.create_index("ix_extra_name", "extra", ["name"])
    op.execute(sa.text("INSERT INTO counter (note) VALUES ('s3_extra')"))
    _pause()


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM counter WHERE note = 's3_extra'"))
    op.drop_index("ix_extra_name", table_name="extra")
    op.drop_table("extra")
    with op.batch_alter_table("counter") as batch:
        batch.drop_column("label")
""",
}

_MESSAGES = {
    "s1_counter": "create the counter table",
    "s2_count_once": "count once (data only)",
    "s3_extra": "add a column, a table and an index",
}


def write_revision(
    versions: Path, revision: str, down: str | None, body: str, message: str
) -> Path:
    """Write one revision file named after its id."""
    path = versions / f"{revision}.py"
    header = _HEADER.format(message=message, revision=revision, down=down)
    path.write_text(header + body)
    return path


def write_standard_revisions(versions: Path) -> None:
    """The three revisions every project starts with."""
    down: str | None = None
    for revision in REVISIONS:
        write_revision(versions, revision, down, _BODIES[revision], _MESSAGES[revision])
        down = revision


@dataclass(frozen=True)
class Result:
    """A finished command: its exit code, its output, and how long it took."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    #: (seconds since start, line) for each line of stderr, when watched
    stamps: tuple[tuple[float, str], ...] = ()

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def lines(self) -> list[str]:
        """Every line of stdout and stderr, without trailing spaces."""
        return [line.rstrip() for line in self.output.splitlines()]

    def describe(self) -> str:
        """For assertion messages."""
        return f"{' '.join(self.argv[1:])} -> {self.returncode}\n{self.output}"


class Processes:
    """Every process a test starts; those still running at the end are killed by PID."""

    def __init__(self) -> None:
        self._started: list[subprocess.Popen[Any]] = []

    def start(self, argv: Sequence[str], **options: Any) -> subprocess.Popen[Any]:
        process = subprocess.Popen(list(argv), **options)
        self._started.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen[Any]) -> int:
        """``kill -9`` the process by its PID and wait for it."""
        os.kill(process.pid, signal.SIGKILL)
        return process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self._started:
            if process.poll() is None:
                self.kill(process)
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


@dataclass
class Spawned:
    """A command running in the background, its output going to files."""

    process: subprocess.Popen[Any]
    argv: tuple[str, ...]
    stdout: Path
    stderr: Path
    started: float

    def finish(self, timeout: float = 120) -> Result:
        """Wait for the command and collect what it wrote."""
        returncode = self.process.wait(timeout=timeout)
        seconds = time.monotonic() - self.started
        return Result(
            self.argv, returncode, self.stdout.read_text(), self.stderr.read_text(), seconds
        )


@dataclass
class Project:
    """One test's project: its folder, ini, versions, database and environment."""

    folder: Path
    database: TestDatabase
    env: dict[str, str]
    processes: Processes
    _spawned: int = field(default=0)

    @property
    def ini(self) -> Path:
        return self.folder / "alembic.ini"

    @property
    def versions(self) -> Path:
        return self.folder / "versions"

    @property
    def signal(self) -> Path:
        """The file a paused revision writes when it reaches its pause."""
        return self.folder / "paused"

    def pause(self, revision: str, mode: str, seconds: float) -> dict[str, str]:
        """Environment making ``revision`` stop after its work (see ``_pause`` above)."""
        return {
            "SAFETY_PAUSE": f"{revision}:{mode}:{seconds}",
            "SAFETY_SIGNAL": str(self.signal),
        }

    def wait_for_pause(self, spawned: Spawned, timeout: float = 60) -> None:
        """Block until the paused revision signals; fail if the command ended first."""
        deadline = time.monotonic() + timeout
        while not self.signal.exists():
            if spawned.process.poll() is not None:
                raise AssertionError(f"ended before pausing:\n{spawned.finish().describe()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no pause within {timeout} s")
            time.sleep(0.05)

    def _argv(self, tool: str, args: Sequence[str]) -> tuple[str, ...]:
        if tool == "alembic":
            return (str(ALEMBIC), "-c", str(self.ini), *args)
        return (str(MINDMIRROR), "-c", str(self.ini), *args)

    def _environment(self, env: Mapping[str, str] | None) -> dict[str, str]:
        merged = dict(self.env)
        merged.update(env or {})
        return merged

    def run(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        timeout: float = 60,
        tool: str = "mindmirror",
    ) -> Result:
        """Run ``mindmirror -c <ini> ARGS`` (or stock ``alembic``) and wait for it."""
        argv = self._argv(tool, args)
        started = time.monotonic()
        process = self.processes.start(
            argv,
            env=self._environment(env),
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            Processes.kill(process)
            process.communicate()
            raise
        return Result(argv, process.returncode, stdout, stderr, time.monotonic() - started)

    def spawn(self, *args: str, env: Mapping[str, str] | None = None) -> Spawned:
        """Start ``mindmirror -c <ini> ARGS`` in the background."""
        self._spawned += 1
        stdout = self.folder / f"spawned-{self._spawned}.out"
        stderr = self.folder / f"spawned-{self._spawned}.err"
        argv = self._argv("mindmirror", args)
        with stdout.open("w") as out, stderr.open("w") as err:
            process = self.processes.start(
                argv,
                env=self._environment(env),
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        return Spawned(process, argv, stdout, stderr, time.monotonic())

    def run_watched(
        self, *args: str, env: Mapping[str, str] | None = None, timeout: float = 30
    ) -> Result:
        """Like :meth:`run`, noting when each line of stderr arrived."""
        argv = self._argv("mindmirror", args)
        stdout_path = self.folder / "watched.out"
        stamps: list[tuple[float, str]] = []
        started = time.monotonic()
        with stdout_path.open("w") as out:
            process = self.processes.start(
                argv,
                env=self._environment(env),
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.PIPE,
                text=True,
            )

        def read_stderr() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                stamps.append((time.monotonic() - started, line.rstrip("\n")))

        reader = threading.Thread(target=read_stderr, daemon=True)
        reader.start()
        try:
            returncode = process.wait(timeout=timeout)
        finally:
            if process.poll() is None:
                Processes.kill(process)
            reader.join(timeout=10)
            assert process.stderr is not None
            process.stderr.close()
        seconds = time.monotonic() - started
        stderr = "".join(line + "\n" for _, line in stamps)
        return Result(argv, returncode, stdout_path.read_text(), stderr, seconds, tuple(stamps))


# -- looking into the database ----------------------------------------------------------------
@contextmanager
def connect(url: str) -> Iterator[sa.Connection]:
    """A plain connection to the test database (no pool)."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    with connect(url) as conn:
        return set(sa.inspect(conn).get_table_names())


def versions_of(url: str) -> list[str]:
    """The rows of ``alembic_version`` (empty when the table is absent)."""
    with connect(url) as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return []
        return sorted(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


def set_versions(url: str, *rows: str) -> None:
    """Replace the rows of ``alembic_version`` (for the broken-graph cases)."""
    with connect(url) as conn:
        conn.execute(sa.text("DELETE FROM alembic_version"))
        for row in rows:
            conn.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": row})
        conn.commit()


def counted(url: str) -> list[str]:
    """The notes in the counter table, one per revision application, in insertion order."""
    with connect(url) as conn:
        if not sa.inspect(conn).has_table("counter"):
            return []
        return list(conn.execute(sa.text("SELECT note FROM counter ORDER BY id")).scalars())


def schema_of(url: str) -> dict[str, dict[str, Any]]:
    """Every table as reflected: columns, primary key, foreign keys, indexes, unique constraints."""
    with connect(url) as conn:
        inspector = sa.inspect(conn)
        return {name: _table_shape(inspector, name) for name in sorted(inspector.get_table_names())}


def _table_shape(inspector: sa.Inspector, table: str) -> dict[str, Any]:
    return {
        "columns": [
            (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
            for c in inspector.get_columns(table)
        ],
        "primary_key": inspector.get_pk_constraint(table).get("constrained_columns"),
        "foreign_keys": sorted(
            (
                str(fk.get("name")),
                tuple(fk["constrained_columns"]),
                fk["referred_table"],
                tuple(fk["referred_columns"]),
            )
            for fk in inspector.get_foreign_keys(table)
        ),
        "indexes": sorted(
            (str(ix["name"]), tuple(map(str, ix["column_names"])), bool(ix["unique"]))
            for ix in inspector.get_indexes(table)
        ),
        "unique": sorted(
            (str(uc["name"]), tuple(uc["column_names"]))
            for uc in inspector.get_unique_constraints(table)
        ),
    }
