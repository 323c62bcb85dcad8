"""Running ``mindmirror`` in-process or as the console script, and arranging projects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.runner import Outcome, console_script, in_process
from tests.support.services import subprocess_env

MODES = ("runner", "subprocess")
# both ways of running; the subprocess runs are the slow part of the battery
MODE_PARAMS = [
    pytest.param(mode, marks=[pytest.mark.slow] if mode == "subprocess" else []) for mode in MODES
]
SECONDS = r"\d+\.\d\d s"


@dataclass
class Mindmirror:
    """``mindmirror`` for one project: in-process (``runner``) or the console script."""

    mode: str
    project: Path
    site: Path
    env: dict[str, str] = field(default_factory=dict)

    def __call__(self, *args: str, env: Mapping[str, str | None] | None = None) -> Outcome:
        """Run ``mindmirror ARGS`` in the project folder, without a terminal."""
        if self.mode == "runner":
            return self._in_process(args, env or {})
        return self._subprocess(args, env or {})

    def _in_process(self, args: tuple[str, ...], env: Mapping[str, str | None]) -> Outcome:
        return in_process(args, env)

    def _subprocess(self, args: tuple[str, ...], env: Mapping[str, str | None]) -> Outcome:
        environ = subprocess_env(self.site, **self.env)
        for key, value in env.items():
            if value is None:
                environ.pop(key, None)
            else:
                environ[key] = value
        return console_script(args, cwd=self.project, env=environ)


def expect(outcome: Outcome, code: int = 0) -> Outcome:
    """Assert the exit code (showing everything printed when it differs)."""
    assert outcome.exit_code == code, str(outcome)
    return outcome


def matches(patterns: list[str], lines: list[str]) -> bool:
    """True when each line matches its regular expression (``SECONDS`` for a duration)."""
    return len(patterns) == len(lines) and all(
        re.fullmatch(pattern, line) for pattern, line in zip(patterns, lines, strict=True)
    )


def revision_file(project: Path, revision: str, down: str | None, message: str) -> Path:
    """Write a minimal revision script by hand into the project's versions folder."""
    path = project / "versions" / f"{revision}.py"
    path.write_text(
        f'"""{message}"""\n\n'
        f"revision = {revision!r}\n"
        f"down_revision = {down!r}\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        "def upgrade() -> None:\n    pass\n\n\n"
        "def downgrade() -> None:\n    pass\n"
    )
    return path


def execute(url: str, *statements: str) -> None:
    """Run SQL statements on the database at ``url``, committed."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def masked(url: str) -> str:
    """The URL as the CLI shows it: driver chosen, password masked."""
    from alembic_config import normalize_url

    return normalize_url(url).render_as_string(hide_password=True)


def revisions(project: Path) -> list[Path]:
    """The revision files in the project's versions folder, sorted by name."""
    return sorted((project / "versions").glob("*.py"))
