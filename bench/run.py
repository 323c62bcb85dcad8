"""Run every benchmark scenario for plain Alembic (eager and lazy env.py) and for the product.

One command: ``python bench/run.py --size 10x50 --repeat 5`` (``--smoke`` for a quick run of
every scenario at 3x5). Runs of one scenario alternate between the variants (the order rotates
each round, so machine drift cancels); the medians, the ratios ours / plain and the peak
memory go to ``bench/results/<size>.md`` and ``.json``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import generate as gen
from generate import Size

RESULTS = gen.BENCH / "results"
SMOKE_SIZE = Size(3, 5)
TIMEOUT_SECONDS = 1800.0
VARIANTS = ("eager", "lazy", "bound", "ours")
VARIANT_TITLES = {"eager": "eager", "lazy": "lazy", "bound": "lower bound", "ours": "ours"}
PRODUCT_ENV_VARS = ("ALEMBIC_CONFIG_SERVICES", "ALEMBIC_CONFIG_EXCLUDE", "DATABASE_URL")
LIMIT_MARKER = "out of shared memory"
NOISY_SPREAD = 0.25  # past this spread, a cell also shows [min, max]
CREATED_TABLE = re.compile(r"op\.create_table\(\s*['\"]([^'\"]+)['\"]")

# The product's CLI command for each scenario, used when it exists (see --ours-via).
OURS_CLI = {
    "current_pg": ["db", "status"],
    "upgrade_pg": ["db", "upgrade"],
    "upgrade_sqlite": ["db", "upgrade"],
    "check_pg": ["db", "check"],
    "autogen_pg": ["db", "revision", "--autogenerate", "-m", "bench"],
    "chain_pg": ["db", "upgrade"],
}
# The Alembic command for each scenario (plain variants, and ours without its CLI).
ALEMBIC = {
    "current_pg": ["current"],
    "upgrade_pg": ["upgrade", "head"],
    "upgrade_sqlite": ["upgrade", "head"],
    "check_pg": ["check"],
    "autogen_pg": ["revision", "--autogenerate", "-m", "bench"],
    "chain_pg": ["upgrade", "head"],
}
PROJECT_OF = {"chain_pg": "chain", "autogen_pg": "autogen"}


# --------------------------------------------------------------------------- processes

_current_child: list[int] = []


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


@dataclass
class Sample:
    """One timed run."""

    seconds: float
    max_rss_kib: int
    returncode: int
    error: str = ""
    limit: bool = False
    load: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class Outcome:
    """What a finished child process left."""

    seconds: float
    max_rss_kib: int
    returncode: int
    stdout: str
    stderr: str


def execute(argv: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Outcome:
    """Run ``argv`` and measure its wall time and peak memory (``wait4``'s ru_maxrss)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        _current_child.append(proc.pid)
        timer = threading.Timer(timeout, _kill_group, (proc.pid,))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            _kill_group(proc.pid)
            proc.wait()
            raise
        finally:
            timer.cancel()
            _current_child.remove(proc.pid)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Outcome(
            elapsed,
            usage.ru_maxrss,
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


def check_call(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run a set-up command (untimed); raise with its output when it fails."""
    result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _failed_object(text: str) -> str:
    """The table or index whose statement failed: from the echoed SQL, or psql's line number."""
    created = re.findall(r"CREATE (?:UNIQUE )?(?:TABLE|INDEX) (\w+)", text)
    if created:
        return created[-1]
    located = re.search(r"psql:(.+?):(\d+): ERROR", text)
    if located:
        lines = Path(located.group(1)).read_text().splitlines()[: int(located.group(2))]
        created = re.findall(r"CREATE (?:UNIQUE )?(?:TABLE|INDEX) (\w+)", "\n".join(lines))
        return created[-1] if created else ""
    return ""


def summarise_error(outcome: Outcome) -> str:
    """One line saying why a run failed, naming the object being created if there was one."""
    text = outcome.stderr + outcome.stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if re.search(r"(Error|error|FATAL|FAILED)\b", line)]
    message = (errors or lines or [f"exit code {outcome.returncode}"])[-1]
    if LIMIT_MARKER in text:
        where = _failed_object(text)
        message = f"{LIMIT_MARKER} at {where}" if where else LIMIT_MARKER
    return f"exit {outcome.returncode}: {message[:240]}"


# --------------------------------------------------------------------------- databases


class Postgres:
    """Fresh databases on the benchmark's PostgreSQL server, all dropped at the end."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    def psql(self, sql: str, database: str | None = None) -> str:
        url = self.admin_url if database is None else gen.pg_database_url(database, driver="")
        return check_call(
            ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]
        )

    def create(self) -> str:
        name = f"bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.psql(f"CREATE DATABASE {name}")
        self.created.append(name)
        # Write out what earlier runs left dirty, so that no run pays for another's writes.
        self.psql("CHECKPOINT")
        return name

    def drop(self, name: str) -> None:
        self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.created.remove(name)

    def drop_all(self) -> None:
        for name in list(self.created):
            self.drop(name)

    def setting(self, name: str) -> str:
        return self.psql(f"SHOW {name}").strip()

    def count_tables(self, database: str) -> int:
        sql = (
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
            f"AND {NOT_BOOKKEEPING.format(column='table_name')}"
        )
        return int(self.psql(sql, database).strip())


# alembic-config keeps its ownership and checksum records beside the version table; the
# result checks count the services' tables and the version table, as for plain Alembic
NOT_BOOKKEEPING = "{column} NOT LIKE 'alembic\\_version\\_%' ESCAPE '\\'"


def sqlite_count_tables(path: Path) -> int:
    sql = (
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
        f"AND {NOT_BOOKKEEPING.format(column='name')}"
    )
    return int(check_call(["sqlite3", str(path), sql]).strip())


# --------------------------------------------------------------------------- scenarios


@dataclass
class Prepared:
    """One run, ready to go: the command, a check of its result, and its clean-up."""

    argv: list[str]
    cwd: Path
    env: dict[str, str]
    verify: Callable[[Outcome], str] | None = None
    cleanup: Callable[[], None] | None = None


Builder = Callable[[], Prepared]


@dataclass
class Scenario:
    """One row of the table: a builder per variant, or the reason a variant is not there."""

    key: str
    title: str
    cells: dict[str, Builder] = field(default_factory=dict)
    commands: dict[str, str] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)


@dataclass
class Bench:
    """The paths, databases and probes of one benchmark run."""

    size: Size
    pg: Postgres
    ours_via: str
    shared: dict[str, str] = field(default_factory=dict)
    probes: dict[str, bool] = field(default_factory=dict)

    @property
    def expected_tables(self) -> int:
        return self.size.services * self.size.tables + 1

    def bin(self, name: str) -> str:
        return gen.venv_bin(self.size, name)

    def env(self, database_url: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in PRODUCT_ENV_VARS}
        env["PATH"] = f"{Path(self.bin('python')).parent}{os.pathsep}{env.get('PATH', '')}"
        env.pop("VIRTUAL_ENV", None)
        env.pop("PYTHONPATH", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        return env

    def project(self, variant: str, scenario: str) -> Path:
        if variant == "ours" and scenario == "upgrade_pg":  # the product's own revisions
            return gen.project_dir(self.size, variant, "initial")
        return gen.project_dir(self.size, variant, PROJECT_OF.get(scenario, "main"))

    # ----------------------------------------------------------------- probes of the product

    def probe(self, key: str, argv: list[str]) -> bool:
        if key not in self.probes:
            if not Path(argv[0]).exists():
                self.probes[key] = False
            else:
                result = subprocess.run(
                    argv, capture_output=True, env=self.env(), cwd=self.size.root, check=False
                )
                self.probes[key] = result.returncode == 0
        return self.probes[key]

    def has_cli(self, words: list[str]) -> bool:
        """Whether ``mindmirror <words> --help`` exists (options after the command ignored)."""
        command = [w for w in words if not w.startswith("-")][:2]
        return self.probe(
            "cli:mindmirror " + " ".join(command), [self.bin("mindmirror"), *command, "--help"]
        )

    def has_env(self) -> bool:
        """Whether the product ships an Alembic environment (``alembic_config:env.py``)."""
        code = (
            "import importlib.util, pathlib, sys; "
            "spec = importlib.util.find_spec('alembic_config'); "
            "d = pathlib.Path(spec.origin).parent; "
            "sys.exit(0 if (d / 'env.py').exists() and (d / 'script.py.mako').exists() else 1)"
        )
        return self.probe("alembic_config env.py", [self.bin("python"), "-c", code])

    def has_loader(self) -> bool:
        code = "import alembic_config; alembic_config.load_all_models"
        return self.probe("alembic_config.load_all_models", [self.bin("python"), "-c", code])

    def ours_command(self, scenario: str) -> list[str] | None:
        """The product's command for ``scenario``, or None when it does not exist yet."""
        words = OURS_CLI[scenario]
        if self.ours_via != "alembic" and self.has_cli(words):
            return [self.bin("mindmirror"), *words]
        if self.ours_via == "cli":
            return None
        if self.has_env():
            return [self.bin("alembic"), *ALEMBIC[scenario]]
        return None


def _pg_builder(
    bench: Bench,
    argv: list[str],
    cwd: Path,
    *,
    fresh: bool,
    expect: Callable[[str], str] | None = None,
    shared: str = "head",
) -> Builder:
    """A builder running ``argv`` against a fresh database, or against a shared one."""

    def build() -> Prepared:
        if not fresh:
            name = bench.shared[shared]
            return Prepared(argv, cwd, bench.env(gen.pg_database_url(name)))
        name = bench.pg.create()
        return Prepared(
            argv,
            cwd,
            bench.env(gen.pg_database_url(name)),
            verify=(lambda _outcome: expect(name)) if expect else None,
            cleanup=lambda: bench.pg.drop(name),
        )

    return build


def _expect_all_tables(bench: Bench) -> Callable[[str], str]:
    def expect(name: str) -> str:
        found = bench.pg.count_tables(name)
        return "" if found == bench.expected_tables else f"wrong result: {found} tables"

    return expect


def _expect_chain(bench: Bench) -> Callable[[str], str]:
    def expect(name: str) -> str:
        value = bench.pg.psql("SELECT n FROM bench_chain", name).strip()
        wanted = str(gen.CHAIN_LENGTH - 1)
        return "" if value == wanted else f"wrong result: bench_chain.n = {value}, not {wanted}"

    return expect


def _sqlite_builder(bench: Bench, argv: list[str], cwd: Path, stdin_sql: Path | None) -> Builder:
    def build() -> Prepared:
        folder = bench.size.root / "dbs"
        folder.mkdir(exist_ok=True)
        path = folder / f"bench_{uuid.uuid4().hex[:8]}.db"
        command = [*argv, str(path), f".read {stdin_sql}"] if stdin_sql else argv

        def verify(_outcome: Outcome) -> str:
            found = sqlite_count_tables(path) if path.exists() else 0
            return "" if found == bench.expected_tables else f"wrong result: {found} tables"

        return Prepared(
            command,
            cwd,
            bench.env(f"sqlite:///{path}"),
            verify=verify,
            cleanup=lambda: path.unlink(missing_ok=True),
        )

    return build


def _autogen_builder(bench: Bench, variant: str, argv: list[str]) -> Builder:
    versions = gen.autogen_versions(bench.size, variant)

    def clear() -> None:
        for item in versions.iterdir():
            if item.is_dir():
                shutil.rmtree(item)
            else:
                item.unlink()

    def verify(_outcome: Outcome) -> str:
        # one file, or (the product, at a size one PostgreSQL transaction cannot hold) a chain
        # of files, one per service: every table created exactly once
        made = list(versions.glob("*.py"))
        if not made or (len(made) != 1 and variant != "ours"):
            return f"wrong result: {len(made)} revision files"
        sources = [path.read_text() for path in made]
        creates = sum(source.count("op.create_table(") for source in sources)
        names = {m for source in sources for m in CREATED_TABLE.findall(source)}
        wanted = bench.expected_tables - 1
        if creates != wanted or len(names) != wanted:
            return f"wrong result: {creates} create_table ({len(names)} tables), not {wanted}"
        return ""

    def build() -> Prepared:
        clear()
        name = bench.shared["empty"]
        return Prepared(
            argv,
            bench.project(variant, "autogen_pg"),
            bench.env(gen.pg_database_url(name)),
            verify=verify,
            cleanup=clear,
        )

    return build


def migration_scenario(bench: Bench, key: str, title: str) -> Scenario:
    """A scenario run through Alembic for eager and lazy, and through the product for ours."""
    scenario = Scenario(key, title)
    for variant in ("eager", "lazy", "ours"):
        argv = [bench.bin("alembic"), *ALEMBIC[key]]
        if variant == "ours":
            found = bench.ours_command(key)
            if found is None:
                scenario.unavailable[variant] = "n/a (not available)"
                continue
            argv = found
        cwd = bench.project(variant, key)
        scenario.commands[variant] = " ".join([Path(argv[0]).name, *argv[1:]])
        scenario.cells[variant] = _cell_builder(bench, key, variant, argv, cwd)
    return scenario


def _cell_builder(bench: Bench, key: str, variant: str, argv: list[str], cwd: Path) -> Builder:
    if key in ("current_pg", "check_pg"):
        return _pg_builder(bench, argv, cwd, fresh=False)
    if key == "upgrade_pg":
        return _pg_builder(bench, argv, cwd, fresh=True, expect=_expect_all_tables(bench))
    if key == "chain_pg":
        return _pg_builder(bench, argv, cwd, fresh=True, expect=_expect_chain(bench))
    if key == "upgrade_sqlite":
        return _sqlite_builder(bench, argv, cwd, None)
    if key == "autogen_pg":
        return _autogen_builder(bench, variant, argv)
    raise KeyError(key)


def _simple(bench: Bench, argv: list[str], cwd: Path) -> Builder:
    return lambda: Prepared(argv, cwd, bench.env())


def help_scenario(bench: Bench) -> Scenario:
    scenario = Scenario("help", "`--help`")
    for variant in ("eager", "lazy"):
        argv = [bench.bin("alembic"), "--help"]
        scenario.cells[variant] = _simple(bench, argv, bench.project(variant, "help"))
        scenario.commands[variant] = "alembic --help"
    scenario.cells["bound"] = _simple(bench, [bench.bin("python"), "-c", "pass"], bench.size.root)
    scenario.commands["bound"] = "python -c pass"
    argv = [bench.bin("mindmirror"), "--help"]
    if bench.probe("cli:mindmirror --help", argv):
        scenario.cells["ours"] = _simple(bench, argv, bench.project("ours", "help"))
        scenario.commands["ours"] = "mindmirror --help"
    else:
        scenario.unavailable["ours"] = "n/a (not available)"
    return scenario


def lower_bound_sql(bench: Bench, dialect: str) -> Path:
    """The dumped DDL as the lower bound runs it: one transaction (as Alembic would)."""
    dump = (bench.size.root / "sql" / f"upgrade_{dialect}.sql").read_text()
    body = "\n".join(
        line for line in dump.splitlines() if line.strip() not in ("BEGIN;", "COMMIT;")
    )
    path = bench.size.root / "sql" / f"bound_{dialect}.sql"
    path.write_text(f"BEGIN;\n{body}\nCOMMIT;\n")
    return path


def autocommit_sql(bench: Bench) -> Path:
    """The dumped PostgreSQL DDL without BEGIN/COMMIT: psql commits each statement."""
    dump = (bench.size.root / "sql" / "upgrade_postgresql.sql").read_text()
    body = "\n".join(
        line for line in dump.splitlines() if line.strip() not in ("BEGIN;", "COMMIT;")
    )
    path = bench.size.root / "sql" / "autocommit_postgresql.sql"
    path.write_text(body + "\n")
    return path


def psql_argv(sql: Path) -> list[str]:
    return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(sql)]


def _psql_builder(bench: Bench, sql: Path) -> Builder:
    """psql against a fresh database; the URL goes in as the last argument."""

    def build() -> Prepared:
        name = bench.pg.create()
        expect = _expect_all_tables(bench)
        return Prepared(
            [*psql_argv(sql), "-d", gen.pg_database_url(name, driver="")],
            bench.size.root,
            bench.env(),
            verify=lambda _outcome: expect(name),
            cleanup=lambda: bench.pg.drop(name),
        )

    return build


def discovery_scenario(bench: Bench) -> Scenario:
    scenario = Scenario("discovery", "discovery + merge (import every model)")
    modules = [f"{name}.models" for name in bench.size.service_names]
    bare = "import " + ", ".join(modules)
    merge = (
        "import importlib, sqlalchemy as sa\n"
        f"bases = [importlib.import_module(m).Base for m in {modules!r}]\n"
        "merged = sa.MetaData()\n"
        "for b in bases:\n"
        "    for t in b.metadata.tables.values():\n"
        "        t.to_metadata(merged)\n"
    )
    python = bench.bin("python")
    scenario.cells["eager"] = _simple(bench, [python, "-c", merge], bench.size.root)
    scenario.commands["eager"] = "import + Table.to_metadata() merge (as env.py does)"
    scenario.cells["bound"] = _simple(bench, [python, "-c", bare], bench.size.root)
    scenario.commands["bound"] = "bare import of every model module"
    if bench.has_loader():
        code = "import alembic_config; alembic_config.load_all_models()"
        scenario.cells["ours"] = _simple(bench, [python, "-c", code], bench.size.root)
        scenario.commands["ours"] = code
    else:
        scenario.unavailable["ours"] = "n/a (not available)"
    return scenario


def build_scenarios(bench: Bench) -> list[Scenario]:
    """Every scenario of the table, in the table's order."""
    upgrade_pg = migration_scenario(bench, "upgrade_pg", "`upgrade head` from empty (PostgreSQL)")
    upgrade_pg.cells["bound"] = _psql_builder(bench, lower_bound_sql(bench, "postgresql"))
    upgrade_pg.commands["bound"] = "psql -f (the same DDL, one transaction)"
    psql_each = Scenario("upgrade_pg_autocommit", "the same DDL, one transaction per statement")
    psql_each.cells["bound"] = _psql_builder(bench, autocommit_sql(bench))
    psql_each.commands["bound"] = "psql -f (the same DDL, autocommit)"
    upgrade_sqlite = migration_scenario(
        bench, "upgrade_sqlite", "`upgrade head` from empty (SQLite)"
    )
    upgrade_sqlite.cells["bound"] = _sqlite_builder(
        bench, ["sqlite3", "-bail"], bench.size.root, lower_bound_sql(bench, "sqlite")
    )
    upgrade_sqlite.commands["bound"] = "sqlite3 (the same DDL, one transaction)"
    return [
        help_scenario(bench),
        migration_scenario(bench, "current_pg", "`current` (PostgreSQL)"),
        upgrade_pg,
        psql_each,
        upgrade_sqlite,
        migration_scenario(bench, "check_pg", "`check`, no drift (PostgreSQL)"),
        migration_scenario(bench, "autogen_pg", "`revision --autogenerate`, empty db (PostgreSQL)"),
        migration_scenario(bench, "chain_pg", f"{gen.CHAIN_LENGTH}-revision chain `upgrade head`"),
        discovery_scenario(bench),
    ]


# --------------------------------------------------------------------------- measuring


def run_once(bench: Bench, builder: Builder, log_path: Path) -> Sample:
    prepared = builder()
    try:
        load = os.getloadavg()[0]
        outcome = execute(prepared.argv, prepared.cwd, prepared.env, TIMEOUT_SECONDS)
        sample = Sample(outcome.seconds, outcome.max_rss_kib, outcome.returncode, load=load)
        if outcome.returncode != 0:
            sample.error = summarise_error(outcome)
            sample.limit = LIMIT_MARKER in outcome.stderr + outcome.stdout
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_path.write_text(f"$ {' '.join(prepared.argv)}\n{outcome.stdout}\n{outcome.stderr}")
        elif prepared.verify is not None:
            sample.error = prepared.verify(outcome)
        return sample
    finally:
        if prepared.cleanup is not None:
            prepared.cleanup()


def rounds(variants: list[str], repeat: int) -> Iterator[tuple[int, str]]:
    """A B C, B C A, C A B, ...: every variant in every round, the order rotating."""
    for index in range(repeat):
        shift = index % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            yield index, variant


def measure(bench: Bench, scenario: Scenario, repeat: int) -> dict[str, list[Sample]]:
    variants = [v for v in VARIANTS if v in scenario.cells]
    samples: dict[str, list[Sample]] = {v: [] for v in variants}
    logs = bench.size.root / "logs"
    for index, variant in rounds(variants, repeat):
        log = logs / f"{scenario.key}-{variant}-{index}.log"
        sample = run_once(bench, scenario.cells[variant], log)
        samples[variant].append(sample)
        status = "ok" if sample.ok else sample.error
        print(f"  {scenario.key:<22} {variant:<6} {sample.seconds:8.3f} s  {status}", flush=True)
    return samples


@dataclass
class Cell:
    """The summary of one (scenario, variant)."""

    text: str
    median: float | None = None
    rss_mib: float | None = None
    failed: bool = False
    limit: bool = False


def summarise(samples: list[Sample] | None, unavailable: str | None) -> Cell:
    if samples is None:
        return Cell(unavailable or "—")
    failures = [s for s in samples if not s.ok]
    if failures:
        limit = all(s.limit for s in failures)
        after = statistics.median(s.seconds for s in failures)
        return Cell(
            f"failed ({len(failures)}/{len(samples)}, after {after:.1f} s): {failures[-1].error}",
            failed=True,
            limit=limit,
        )
    times = [s.seconds for s in samples]
    median = statistics.median(times)
    rss = statistics.median(s.max_rss_kib for s in samples) / 1024
    text = f"{median:.3f} s"
    if median and (max(times) - min(times)) / median > NOISY_SPREAD:
        text += f" [{min(times):.2f}, {max(times):.2f}]"
    return Cell(text, median, rss)


def ratio(ours: Cell, other: Cell) -> str:
    if ours.median is None or other.median is None or other.median == 0:
        return "—"
    return f"{ours.median / other.median:.2f}"


def rss_ratio(ours: Cell, other: Cell) -> str:
    if ours.rss_mib is None or other.rss_mib is None or other.rss_mib == 0:
        return "—"
    return f"{ours.rss_mib / other.rss_mib:.2f}"


# --------------------------------------------------------------------------- reporting


def environment(bench: Bench) -> dict[str, str]:
    def version(module: str) -> str:
        code = f"import {module}; print({module}.__version__)"
        return check_call([bench.bin("python"), "-c", code]).strip()

    commit = subprocess.run(
        ["git", "-C", str(gen.REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(gen.REPO), "status", "--porcelain", "--", "alembic-config", "cli"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if dirty:
        commit += " (product sources modified)"
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "cpus": str(os.cpu_count()),
        "python": check_call(
            [bench.bin("python"), "-c", "import sys; print(sys.version.split()[0])"]
        ).strip(),
        "alembic": version("alembic"),
        "sqlalchemy": version("sqlalchemy"),
        "postgresql": bench.pg.setting("server_version"),
        "max_locks_per_transaction": bench.pg.setting("max_locks_per_transaction"),
        "sqlite": check_call(["sqlite3", "--version"]).split()[0],
        "machine": platform.machine(),
    }


def load_note(samples: list[Sample]) -> str:
    """The machine's 1-minute load average when the runs started: other work skews timings."""
    loads = [x.load for x in samples if x.load]
    if not loads:
        return ""
    return (
        f"1-minute load average at the start of each run: median {statistics.median(loads):.1f}, "
        f"max {max(loads):.1f} (on {os.cpu_count()} cores; above that, other work shared them)."
    )


def cells_of(data: dict[str, Any]) -> dict[str, dict[str, Cell]]:
    """Each (scenario, variant)'s summary, computed from the samples in a results file."""
    cells: dict[str, dict[str, Cell]] = {}
    for key, scenario in data["scenarios"].items():
        cells[key] = {}
        for variant in VARIANTS:
            raw = scenario["samples"].get(variant)
            samples = None if raw is None else [Sample(**x) for x in raw]
            cells[key][variant] = summarise(samples, scenario["unavailable"].get(variant))
    return cells


def _time_table(data: dict[str, Any], cells: dict[str, dict[str, Cell]]) -> list[str]:
    lines = [
        "| scenario | eager | lazy | lower bound | ours | ours/eager | ours/lazy | ours/bound |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, scenario in data["scenarios"].items():
        row = cells[key]
        values = [row[v].text for v in ("eager", "lazy", "bound", "ours")]
        ratios = [ratio(row["ours"], row[v]) for v in ("eager", "lazy", "bound")]
        lines.append(f"| {scenario['title']} | " + " | ".join(values + ratios) + " |")
    return lines


def _memory_table(data: dict[str, Any], cells: dict[str, dict[str, Cell]]) -> list[str]:
    lines = [
        "| scenario | eager | lazy | lower bound | ours | ours/eager | ours/lazy |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, scenario in data["scenarios"].items():
        row = cells[key]
        values = [
            f"{row[v].rss_mib:.0f}" if row[v].rss_mib is not None else "—"
            for v in ("eager", "lazy", "bound", "ours")
        ]
        ratios = [rss_ratio(row["ours"], row[v]) for v in ("eager", "lazy")]
        lines.append(f"| {scenario['title']} | " + " | ".join(values + ratios) + " |")
    return lines


def markdown(data: dict[str, Any]) -> str:
    """The results file's tables: medians and ratios, peak memory, probes and commands."""
    cells = cells_of(data)
    services, tables = data["size"]["services"], data["size"]["tables"]
    every = [
        Sample(**x)
        for scenario in data["scenarios"].values()
        for raw in scenario["samples"].values()
        for x in raw
    ]
    lines = [
        f"# Benchmark: {services} services x {tables} tables "
        f"({services * tables} tables), median of {data['repeat']}",
        "",
        ", ".join(f"{k} {v}" for k, v in data["environment"].items()),
        "",
        load_note(every),
        "",
        *_time_table(data, cells),
        "",
        "Peak memory (median max RSS of the command's process, MiB):",
        "",
        *_memory_table(data, cells),
    ]
    probes = ", ".join(
        f"{k.removeprefix('cli:')}: {'yes' if v else 'no'}" for k, v in data["probes"].items()
    )
    lines += ["", f"Product probes (exit code 0 = available): {probes}.", "", "Commands:", ""]
    for scenario in data["scenarios"].values():
        described = "; ".join(
            f"{VARIANT_TITLES[v]}: `{c}`" for v, c in scenario["commands"].items()
        )
        lines.append(f"- {scenario['title']}: {described}")
    return "\n".join(lines) + "\n"


def write_results(
    bench: Bench,
    repeat: int,
    out: Path,
    scenarios: list[Scenario],
    samples: dict[str, dict[str, list[Sample]]],
) -> Path:
    """Write ``<size>.json`` (every sample) and ``<size>.md`` (rendered from it)."""
    data = {
        "size": {"services": bench.size.services, "tables": bench.size.tables},
        "repeat": repeat,
        "environment": environment(bench),
        "probes": bench.probes,
        "scenarios": {
            s.key: {
                "title": s.title,
                "commands": s.commands,
                "unavailable": s.unavailable,
                "samples": {v: [asdict(x) for x in xs] for v, xs in samples[s.key].items()},
            }
            for s in scenarios
        },
    }
    out.mkdir(parents=True, exist_ok=True)
    results = out / f"{bench.size.label}.json"
    results.write_text(json.dumps(data, indent=2) + "\n")
    return render(results)


def render(results: Path) -> Path:
    """(Re)write the markdown table next to a results file, from its samples."""
    table = results.with_suffix(".md")
    table.write_text(markdown(json.loads(results.read_text())))
    return table


def unexpected_failures(results: Path) -> list[str]:
    """Failed cells other than the known PostgreSQL lock-table limit."""
    cells = cells_of(json.loads(results.read_text()))
    return [
        f"{key}/{variant}: {cell.text}"
        for key, row in cells.items()
        for variant, cell in row.items()
        if cell.failed and not cell.limit
    ]


# --------------------------------------------------------------------------- set-up and main


def warm_up(bench: Bench) -> None:
    """Compile every source once and read it into the page cache, untimed."""
    folders = [
        gen.REPO / "alembic-config",
        gen.REPO / "cli",
        bench.size.root / "envs",
        bench.size.root / "versions" / "main",
        bench.size.root / "versions" / "ours_main",
        bench.size.root / "versions" / "chain",
    ]
    check_call([bench.bin("python"), "-m", "compileall", "-q", *map(str, folders)])
    modules = ", ".join(f"{name}.models" for name in bench.size.service_names)
    check_call([bench.bin("python"), "-c", f"import alembic.command, {modules}"])


def prepare_databases(bench: Bench) -> None:
    """A database at head (for current and check) and an empty one (for autogenerate)."""
    head = bench.pg.create()
    check_call([*psql_argv(autocommit_sql(bench)), "-d", gen.pg_database_url(head, driver="")])
    if bench.pg.count_tables(head) != bench.expected_tables:
        raise RuntimeError("the database at head does not hold every table")
    bench.shared["head"] = head
    bench.shared["empty"] = bench.pg.create()


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=Size.parse, default=Size(40, 50), help="KxT (40x50)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per variant (5)")
    parser.add_argument("--smoke", action="store_true", help="3x5, 1 repeat, results in work/")
    parser.add_argument("--only", default="", help="comma-separated scenario keys")
    parser.add_argument("--out", type=Path, default=None, help="results folder")
    parser.add_argument(
        "--ours-via",
        choices=("auto", "cli", "alembic"),
        default="auto",
        help="auto: the mindmirror command when it exists, else alembic with the product's "
        "env.py; cli: mindmirror only; alembic: alembic with the product's env.py only "
        "(--help always uses mindmirror)",
    )
    parser.add_argument("--pg-url", default=gen.PG_ADMIN_URL, help="PostgreSQL admin URL")
    parser.add_argument(
        "--render", type=Path, default=None, help="only rewrite the .md of this results .json"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.size, args.repeat = SMOKE_SIZE, 1
        args.out = args.out or gen.WORK / "results-smoke"
    args.out = args.out or RESULTS
    return args


def report(table: Path) -> int:
    """Print the table; 1 when a run failed unexpectedly."""
    print(table.read_text())
    unexpected = unexpected_failures(table.with_suffix(".json"))
    for line in unexpected:
        print(f"[run] unexpected failure: {line}", file=sys.stderr)
    return 1 if unexpected else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        return report(render(args.render))
    signal.signal(signal.SIGTERM, _terminate)
    gen.PG_ADMIN_URL = args.pg_url
    gen.generate(args.size)
    bench = Bench(args.size, Postgres(args.pg_url), args.ours_via)
    started = time.perf_counter()
    try:
        warm_up(bench)
        prepare_databases(bench)
        scenarios = build_scenarios(bench)
        if args.only:
            wanted = set(args.only.split(","))
            scenarios = [s for s in scenarios if s.key in wanted]
        samples = {}
        for scenario in scenarios:
            print(f"[run] {scenario.title}", flush=True)
            samples[scenario.key] = measure(bench, scenario, args.repeat)
        table = write_results(bench, args.repeat, args.out, scenarios, samples)
    finally:
        for pid in list(_current_child):
            _kill_group(pid)
        bench.pg.drop_all()
    status = report(table)
    print(f"[run] {time.perf_counter() - started:.0f} s; results in {table} and .json")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
