"""Profile one benchmark command with cProfile and summarise where its time goes.

``python bench/profile.py --size 10x50 check_pg lazy`` runs the same command, in the same
set-up, as ``run.py`` does for that scenario and variant, under ``python -m cProfile``, then
prints the time spent under a few landmarks (imports, reflection, statement execution, ...)
and the top functions. The raw profile stays in ``bench/work/<size>/profiles/``.
"""

from __future__ import annotations

import argparse
import pstats
import signal
import sys
from pathlib import Path

import generate as gen
import run
from generate import Size

# Landmarks: (label, file fragment, function name). Their cumulative times overlap.
LANDMARKS = [
    ("imports (all modules)", "<frozen importlib._bootstrap>", "_find_and_load"),
    ("env.py", "alembic/util/pyfiles.py", "load_python_file"),
    ("declarative class creation", "sqlalchemy/orm/decl_api.py", "__init_subclass__"),
    ("Table.to_metadata", "sqlalchemy/sql/schema.py", "to_metadata"),
    ("reflection: Inspector.reflect_table", "sqlalchemy/engine/reflection.py", "reflect_table"),
    ("reflection: get_multi_* (bulk)", "sqlalchemy/engine/reflection.py", "_get_reflection_info"),
    ("autogenerate: compare", "alembic/autogenerate/compare/__init__.py", "_produce_net_changes"),
    ("autogenerate: render", "alembic/autogenerate/render.py", "_render_python_into_templatevars"),
    ("revision: write file", "alembic/script/base.py", "generate_revision"),
    ("ops: create_table", "alembic/operations/ops.py", "create_table"),
    ("statement compile", "sqlalchemy/sql/elements.py", "compile"),
    ("cursor.execute (driver)", "sqlalchemy/engine/default.py", "do_execute"),
    ("commit (driver)", "sqlalchemy/engine/default.py", "do_commit"),
    ("run_migrations", "alembic/runtime/migration.py", "run_migrations"),
    ("revision map", "alembic/script/revision.py", "_revision_map"),
]


def landmark_times(stats: pstats.Stats) -> list[tuple[str, float, int]]:
    """(label, cumulative seconds, calls) for each landmark found in the profile."""
    raw = stats.stats  # type: ignore[attr-defined]
    found = []
    for label, fragment, name in LANDMARKS:
        cumulative, calls = 0.0, 0
        for (filename, _line, func), (_cc, nc, _tt, ct, _callers) in raw.items():
            if func == name and fragment in filename:
                cumulative = max(cumulative, ct)
                calls += nc
        if calls:
            found.append((label, cumulative, calls))
    return found


def total_time(stats: pstats.Stats) -> float:
    return float(stats.total_tt)  # type: ignore[attr-defined]


def _script_argv(argv: list[str], out: Path) -> list[str]:
    """cProfile runs a script or a module, not ``python -c CODE``: such code goes to a file."""
    if len(argv) >= 3 and argv[1] == "-c" and Path(argv[0]).name.startswith("python"):
        script = out.with_suffix(".py")
        script.write_text(argv[2] + "\n")
        return [str(script), *argv[3:]]
    if Path(argv[0]).name.startswith("python"):
        return argv[1:]
    return argv


def profile(size: Size, scenario_key: str, variant: str, top: int) -> Path:
    bench = run.Bench(size, run.Postgres(gen.PG_ADMIN_URL), "auto")
    try:
        run.warm_up(bench)
        run.prepare_databases(bench)
        scenario = next(s for s in run.build_scenarios(bench) if s.key == scenario_key)
        prepared = scenario.cells[variant]()
        out = size.root / "profiles" / f"{scenario_key}-{variant}.prof"
        out.parent.mkdir(exist_ok=True)
        argv = [
            bench.bin("python"),
            "-m",
            "cProfile",
            "-o",
            str(out),
            *_script_argv(prepared.argv, out),
        ]
        try:
            outcome = run.execute(argv, prepared.cwd, prepared.env, run.TIMEOUT_SECONDS)
        finally:
            if prepared.cleanup is not None:
                prepared.cleanup()
    finally:
        bench.pg.drop_all()
    print(f"{scenario_key} / {variant}: {outcome.seconds:.2f} s wall under the profiler")
    if outcome.returncode != 0:
        print(run.summarise_error(outcome))
    stats = pstats.Stats(str(out))
    total = total_time(stats)
    print(f"profiled total {total:.2f} s\n")
    print(f"  {'landmark (cumulative, overlapping)':<38} seconds  share  calls")
    for label, seconds, calls in landmark_times(stats):
        print(f"  {label:<38} {seconds:7.2f}  {seconds / total:5.0%}  {calls}")
    print()
    stats.sort_stats("tottime").print_stats(top)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", help="a scenario key of run.py, e.g. check_pg")
    parser.add_argument("variant", choices=run.VARIANTS)
    parser.add_argument("--size", type=Size.parse, default=Size(10, 50))
    parser.add_argument("--top", type=int, default=15, help="functions listed by own time")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, run._terminate)
    gen.generate(args.size)
    profile(args.size, args.scenario, args.variant, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
