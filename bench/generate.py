"""Generate the synthetic schema and the plain Alembic reference projects for the benchmark.

Everything lands in ``bench/work/<K>x<T>/`` (git-ignored):

- ``services/bench_sNN/``: K installable service packages, T tables each, one declarative
  Base per service registered under the ``alembic_config.metadata`` entry-point group;
- ``venv/``: a virtual environment holding the repository's ``alembic-config`` and ``cli``
  (editable) and the K service packages (built and installed, not editable);
- ``envs/eager``, ``envs/lazy``: the two plain Alembic ``env.py`` references;
- ``projects/<variant>/<main|chain|autogen>/alembic.ini`` for ``eager``, ``lazy`` and ``ours``
  (``ours`` is ``script_location = alembic_config:``, the product's own environment);
- ``versions/main``: one revision creating every table, made once by plain autogenerate;
- ``versions/chain``: a chain of trivial revisions (1000 by default);
- ``sql/upgrade_<dialect>.sql``: the offline SQL of the ``main`` revision (lower bounds).

Usage: ``python bench/generate.py --size 10x50`` (``--force`` regenerates from scratch).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "work"
PYTHON = os.environ.get("BENCH_PYTHON", "python3.11")
PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CHAIN_LENGTH = 1000
CREATE_ALL_REV = "b0000000c001"
TABLES_PER_MODULE = 10
GENERATOR_VERSION = "1"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@dataclass(frozen=True)
class Size:
    """K services of T tables each."""

    services: int
    tables: int

    @classmethod
    def parse(cls, text: str) -> Size:
        k, _, t = text.lower().partition("x")
        size = cls(int(k), int(t))
        if size.services < 1 or size.tables < 1 or size.services > 999 or size.tables > 999:
            raise argparse.ArgumentTypeError(f"size out of range: {text}")
        return size

    @property
    def label(self) -> str:
        return f"{self.services}x{self.tables}"

    @property
    def root(self) -> Path:
        return WORK / self.label

    def service(self, index: int) -> str:
        """Name of service ``index`` (1-based): ``bench_s01``."""
        return f"bench_s{index:02d}"

    def table(self, service: int, table: int) -> str:
        """Name of table ``table`` (0-based) of service ``service`` (1-based): ``s01_t000``."""
        return f"s{service:02d}_t{table:03d}"

    def class_name(self, service: int, table: int) -> str:
        return f"S{service:02d}T{table:03d}"

    @property
    def service_names(self) -> list[str]:
        return [self.service(i) for i in range(1, self.services + 1)]


# --------------------------------------------------------------------------- service packages


def _foreign_keys(size: Size, service: int, table: int) -> list[tuple[str, str]]:
    """(column, referred table) pairs for one table.

    Every table refers to an earlier table of its own service (the first one to itself), and
    every fifth table of services after the first also refers to a table of the first service,
    so that foreign keys cross services.
    """
    parent = table // 2 if table else table
    fks = [("parent_id", size.table(service, parent))]
    if service > 1 and table % 5 == 0:
        fks.append(("shared_ref_id", size.table(1, table % size.tables)))
    return fks


def _table_source(size: Size, service: int, table: int) -> str:
    name = size.table(service, table)
    lines = [
        f"class {size.class_name(service, table)}(Base):",
        f'    __tablename__ = "{name}"',
        "",
        "    id: Mapped[int] = mapped_column(primary_key=True)",
        "    name: Mapped[str] = mapped_column(sa.String(100), index=True)",
        "    code: Mapped[str] = mapped_column(sa.String(40), unique=True)",
        "    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))",
        "    is_active: Mapped[bool] = mapped_column(default=True)",
        "    created_at: Mapped[datetime] = mapped_column(",
        '        sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP")',
        "    )",
        "    notes: Mapped[str | None] = mapped_column(sa.Text)",
    ]
    for column, referred in _foreign_keys(size, service, table):
        nullable = " | None" if column != "parent_id" or referred == name else ""
        lines.append(
            f"    {column}: Mapped[int{nullable}] = mapped_column("
            f'sa.ForeignKey("{referred}.id", ondelete="CASCADE"))'
        )
    return "\n".join(lines) + "\n"


def _module_source(size: Size, service: int, tables: range) -> str:
    header = (
        '"""Generated benchmark models."""\n\n'
        "from datetime import datetime\n"
        "from decimal import Decimal\n\n"
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import Mapped, mapped_column\n\n"
        "from .base import Base\n"
    )
    bodies = [_table_source(size, service, t) for t in tables]
    return header + "\n\n" + "\n\n".join(bodies)


def _base_source() -> str:
    convention = json.dumps(NAMING_CONVENTION, indent=4)
    return (
        '"""The declarative Base of this service, with the project\'s naming convention."""\n\n'
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import DeclarativeBase\n\n"
        f"NAMING_CONVENTION = {convention}\n\n\n"
        "class Base(DeclarativeBase):\n"
        "    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)\n"
    )


def _pyproject_source(size: Size, service: int) -> str:
    name = size.service(service)
    return (
        "[project]\n"
        f'name = "{name.replace("_", "-")}"\n'
        'version = "0.1.0"\n'
        f'description = "Benchmark service {name}: {size.tables} generated tables."\n'
        'requires-python = ">=3.11"\n'
        'dependencies = ["SQLAlchemy>=2.0"]\n\n'
        '[project.entry-points."alembic_config.metadata"]\n'
        f'{name} = "{name}.models:Base"\n\n'
        "[tool.poetry]\n"
        f'packages = [{{ include = "{name}" }}]\n\n'
        "[build-system]\n"
        'requires = ["poetry-core>=2.0,<3"]\n'
        'build-backend = "poetry.core.masonry.api"\n'
    )


def write_service(size: Size, service: int) -> Path:
    """Write one service package and return its folder."""
    name = size.service(service)
    folder = size.root / "services" / name
    package = folder / name
    models = package / "models"
    models.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(_pyproject_source(size, service))
    (package / "__init__.py").write_text(f'"""Benchmark service {name}."""\n')
    (models / "base.py").write_text(_base_source())
    modules = []
    for number, start in enumerate(range(0, size.tables, TABLES_PER_MODULE)):
        module = f"tables_{number:02d}"
        stop = min(start + TABLES_PER_MODULE, size.tables)
        (models / f"{module}.py").write_text(_module_source(size, service, range(start, stop)))
        modules.append(module)
    imports = "".join(f"from . import {m}\n" for m in modules)
    (models / "__init__.py").write_text(
        f'"""Models of {name}: importing this package registers every table."""\n\n'
        "from .base import Base\n" + imports + '\n__all__ = ["Base"]\n'
    )
    return folder


# --------------------------------------------------------------------------- venv


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``, raising with its output when it fails."""
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        output = f"{result.stdout}\n{result.stderr}"
        raise RuntimeError(f"command failed ({result.returncode}): {' '.join(cmd)}\n{output}")
    return result


def venv_bin(size: Size, name: str) -> str:
    return str(size.root / "venv" / "bin" / name)


def create_venv(size: Size, services: list[Path]) -> None:
    """Create the benchmark venv: the repository members editable, the services installed."""
    venv = size.root / "venv"
    if venv.exists():
        shutil.rmtree(venv)
    run([PYTHON, "-m", "venv", str(venv)])
    pip = [venv_bin(size, "python"), "-m", "pip", "install", "--quiet"]
    run(
        [
            *pip,
            "-e",
            f"{REPO / 'alembic-config'}[postgresql,mysql]",
            "-e",
            str(REPO / "cli"),
            "poetry-core>=2.0,<3",
        ]
    )
    run([*pip, "--no-build-isolation", "--no-deps", *map(str, services)])


# --------------------------------------------------------------------------- plain projects

ENV_COMMON = """
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    section = config.get_section(config.config_ini_section, {})
    section["sqlalchemy.url"] = database_url()
    connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            compare_server_default=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
"""


MERGE_SOURCE = '''

def merged_metadata(bases):
    """One MetaData holding every service's tables.

    A list of MetaData cannot be used: Alembic sorts each MetaData's tables on its own, and a
    foreign key to another service's table does not resolve there.
    """
    merged = MetaData(naming_convention=bases[0].metadata.naming_convention)
    for base in bases:
        for table in base.metadata.tables.values():
            table.to_metadata(merged)
    return merged
'''

EAGER_HEADER = '''"""Plain Alembic, eager: imports every model at the top (the usual env.py)."""

import os

from sqlalchemy import MetaData

{imports}{merge}

target_metadata = merged_metadata(
    [
{bases}    ]
)
'''

LAZY_HEADER = '''"""Plain Alembic, lazy: imports models only for autogenerate and check.

Alembic iterates ``target_metadata`` only when it compares (``revision --autogenerate``,
``check``); ``current``, ``upgrade`` and the others never touch it, so they import no model.
"""

import importlib
import os
from collections.abc import Sequence

from sqlalchemy import MetaData

MODEL_MODULES = [
{modules}]
{merge}

class LazyMetadata(Sequence):
    """[the merged MetaData], built on first access."""

    def __init__(self):
        self._items = None

    def _load(self):
        if self._items is None:
            bases = [importlib.import_module(m).Base for m in MODEL_MODULES]
            self._items = [merged_metadata(bases)]
        return self._items

    def __getitem__(self, index):
        return self._load()[index]

    def __len__(self):
        return len(self._load())

    def __iter__(self):
        return iter(self._load())


target_metadata = LazyMetadata()
'''


def eager_env_source(size: Size) -> str:
    """The usual env.py: every service's models imported at the top and merged."""
    names = size.service_names
    imports = "".join(f"from {name}.models import Base as {name}_base\n" for name in names)
    bases = "".join(f"        {name}_base,\n" for name in names)
    header = EAGER_HEADER.format(imports=imports, merge=MERGE_SOURCE, bases=bases)
    return header + ENV_COMMON


def lazy_env_source(size: Size) -> str:
    """The best hand-written env.py: models are imported on first use of target_metadata."""
    modules = "".join(f'    "{name}.models",\n' for name in size.service_names)
    return LAZY_HEADER.format(modules=modules, merge=MERGE_SOURCE) + ENV_COMMON


def script_mako_source() -> str:
    """Alembic's generic revision template."""
    import_line = "${imports if imports else ''}"
    return (
        '"""${message}\n\nRevision ID: ${up_revision}\nRevises: ${down_revision | comma,n}\n'
        'Create Date: ${create_date}\n\n"""\n'
        "from collections.abc import Sequence\n\n"
        "from alembic import op\n"
        "import sqlalchemy as sa\n"
        f"{import_line}\n\n"
        "revision: str = ${repr(up_revision)}\n"
        "down_revision: str | Sequence[str] | None = ${repr(down_revision)}\n"
        "branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}\n"
        "depends_on: str | Sequence[str] | None = ${repr(depends_on)}\n\n\n"
        "def upgrade() -> None:\n"
        '    ${upgrades if upgrades else "pass"}\n\n\n'
        "def downgrade() -> None:\n"
        '    ${downgrades if downgrades else "pass"}\n'
    )


INI_TEMPLATE = """[alembic]
script_location = {script_location}
version_locations = {version_locations}
path_separator = os
sqlalchemy.url = sqlite:///{default_db}

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

VARIANTS = ("eager", "lazy", "ours")
PROJECTS = ("main", "chain", "autogen")


def project_dir(size: Size, variant: str, project: str) -> Path:
    return size.root / "projects" / variant / project


def autogen_versions(size: Size, variant: str) -> Path:
    """Each variant's own empty versions folder for the autogenerate scenario."""
    return size.root / "versions" / f"autogen_{variant}"


def write_projects(size: Size) -> None:
    """The env folders and one alembic.ini per (variant, project)."""
    for variant, source in (("eager", eager_env_source), ("lazy", lazy_env_source)):
        env = size.root / "envs" / variant
        env.mkdir(parents=True, exist_ok=True)
        (env / "env.py").write_text(source(size))
        (env / "script.py.mako").write_text(script_mako_source())
    for variant in VARIANTS:
        script_location = "alembic_config:" if variant == "ours" else size.root / "envs" / variant
        autogen_versions(size, variant).mkdir(parents=True, exist_ok=True)
        locations = {
            "main": size.root / "versions" / "main",
            "chain": size.root / "versions" / "chain",
            "autogen": autogen_versions(size, variant),
        }
        for project, versions in locations.items():
            versions.mkdir(parents=True, exist_ok=True)
            folder = project_dir(size, variant, project)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "alembic.ini").write_text(
                INI_TEMPLATE.format(
                    script_location=script_location,
                    version_locations=versions,
                    default_db=folder / "default.db",
                )
            )


# --------------------------------------------------------------------------- revisions


def _chain_revision_id(index: int) -> str:
    return f"c{index:011d}"


def _chain_source(index: int) -> str:
    revision = _chain_revision_id(index)
    down = repr(_chain_revision_id(index - 1)) if index else "None"
    if index == 0:
        up = (
            '    op.create_table("bench_chain", sa.Column("n", sa.Integer(), nullable=False))\n'
            '    op.execute("INSERT INTO bench_chain (n) VALUES (0)")\n'
        )
        downgrade = '    op.drop_table("bench_chain")\n'
    else:
        up = '    op.execute("UPDATE bench_chain SET n = n + 1")\n'
        downgrade = '    op.execute("UPDATE bench_chain SET n = n - 1")\n'
    return (
        f'"""chain step {index}\n\nRevision ID: {revision}\nRevises: {down}\n"""\n\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = {revision!r}\ndown_revision = {down}\n"
        "branch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade() -> None:\n{up}\n\ndef downgrade() -> None:\n{downgrade}"
    )


def write_chain(size: Size, length: int = CHAIN_LENGTH) -> None:
    """``length`` trivial revisions: a one-row table, then one UPDATE per revision."""
    folder = size.root / "versions" / "chain"
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(length):
        path = folder / f"{_chain_revision_id(index)}_chain_step_{index}.py"
        path.write_text(_chain_source(index))


def psql(url: str, sql: str) -> None:
    run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])


def pg_database_url(name: str, driver: str = "+psycopg") -> str:
    """URL of database ``name`` on the benchmark's PostgreSQL server."""
    scheme, rest = PG_ADMIN_URL.split("://", 1)
    server = rest.rsplit("/", 1)[0]
    return f"{scheme}{driver}://{server}/{name}"


def make_create_all_revision(size: Size) -> None:
    """Autogenerate, with plain Alembic, the one revision that creates every table."""
    target = size.root / "versions" / "main"
    for old in target.glob("*.py"):
        old.unlink()
    name = f"bench_gen_{uuid.uuid4().hex[:10]}"
    psql(PG_ADMIN_URL, f"CREATE DATABASE {name}")
    try:
        env = {**os.environ, "DATABASE_URL": pg_database_url(name)}
        run(
            [
                venv_bin(size, "alembic"),
                "revision",
                "--autogenerate",
                "--rev-id",
                CREATE_ALL_REV,
                "-m",
                f"create all {size.services * size.tables} tables",
            ],
            cwd=project_dir(size, "eager", "autogen"),
            env=env,
        )
    finally:
        psql(PG_ADMIN_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    made = list(autogen_versions(size, "eager").glob("*.py"))
    if len(made) != 1:
        raise RuntimeError(f"autogenerate made {len(made)} files, expected 1")
    shutil.move(made[0], target / made[0].name)


def dump_sql(size: Size) -> None:
    """The offline SQL of the create-all revision, per dialect (the lower bounds' input)."""
    folder = size.root / "sql"
    folder.mkdir(parents=True, exist_ok=True)
    urls = {"postgresql": pg_database_url("offline"), "sqlite": "sqlite:///offline.db"}
    for dialect, url in urls.items():
        result = run(
            [venv_bin(size, "alembic"), "upgrade", "head", "--sql"],
            cwd=project_dir(size, "eager", "main"),
            env={**os.environ, "DATABASE_URL": url},
        )
        (folder / f"upgrade_{dialect}.sql").write_text(result.stdout)


# --------------------------------------------------------------------------- entry


def fingerprint(size: Size) -> str:
    """Changes whenever this generator or the size changes."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"{GENERATOR_VERSION}:{size.label}:{CHAIN_LENGTH}".encode())
    return digest.hexdigest()[:16]


def stamp_path(size: Size) -> Path:
    return size.root / "generated.json"


def is_current(size: Size) -> bool:
    stamp = stamp_path(size)
    if not stamp.exists():
        return False
    return bool(json.loads(stamp.read_text()).get("fingerprint") == fingerprint(size))


def generate(size: Size, *, force: bool = False, log: bool = True) -> None:
    """Generate everything for ``size`` unless it is already there and current."""
    if not force and is_current(size):
        return
    if size.root.exists():
        shutil.rmtree(size.root)
    say = print if log else (lambda *_: None)
    say(f"[generate] {size.label}: {size.services} services x {size.tables} tables")
    services = [write_service(size, i) for i in range(1, size.services + 1)]
    say("[generate] creating the venv and installing the services")
    create_venv(size, services)
    write_projects(size)
    write_chain(size)
    say("[generate] autogenerating the create-all revision with plain Alembic")
    make_create_all_revision(size)
    dump_sql(size)
    stamp_path(size).write_text(
        json.dumps(
            {
                "fingerprint": fingerprint(size),
                "services": size.services,
                "tables": size.tables,
                "chain": CHAIN_LENGTH,
                "python": sys.version.split()[0],
            },
            indent=2,
        )
    )
    say(f"[generate] done: {size.root}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=Size.parse, default=Size(40, 50), help="KxT, e.g. 10x50")
    parser.add_argument("--force", action="store_true", help="regenerate even if current")
    args = parser.parse_args(argv)
    generate(args.size, force=args.force)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
