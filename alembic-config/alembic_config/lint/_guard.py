"""Where lint stops a run: error-level findings on a database marked production.

A database is marked production by ``MINDMIRROR_ENVIRONMENT=production`` (or
``prod``), or by the caller (the command line's ``--env production``) through
:attr:`EnvironmentOptions.production`. The override names each rule after
review: ``--allow-unsafe RULE``, ``-x allow_unsafe=RULE,RULE`` or
``ALEMBIC_CONFIG_ALLOW_UNSAFE``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from alembic_config._refusals import (
    LintSettingError,
    UnsafeLintError,
)
from alembic_config.lint._registry import RULES_BY_ID

if TYPE_CHECKING:
    from alembic.config import Config

    from alembic_config._options import EnvironmentOptions
    from alembic_config.lint._model import LintReport

logger = logging.getLogger(__name__)

ALLOW_UNSAFE_ENV = "ALEMBIC_CONFIG_ALLOW_UNSAFE"


def production_mark(options: EnvironmentOptions) -> str | None:
    """What marks the database production (for messages), or ``None`` when nothing does."""
    from alembic_config._production import PRODUCTION_ENV, marked_production

    if options.production:
        return options.production
    if not marked_production():
        return None
    return f"{PRODUCTION_ENV}={os.environ[PRODUCTION_ENV].strip()}"


def known_rules(names: Iterable[str], where: str = "--allow-unsafe") -> frozenset[str]:
    """``names``, each checked to be a rule id (a typo must not silently allow nothing)."""
    chosen = frozenset(names)
    for name in sorted(chosen):
        if name not in RULES_BY_ID:
            raise LintSettingError(
                f"{where} names the unknown lint rule {name!r}; the rules are: "
                f"{', '.join(sorted(RULES_BY_ID))}",
                rule=name,
                where=where,
            )
    return chosen


def allowed_unsafe(config: Config, options: EnvironmentOptions) -> frozenset[str]:
    """The rules named with ``--allow-unsafe`` (options), ``-x allow_unsafe=`` or the env."""
    from alembic_config._options import names_option

    return known_rules(names_option(options.allow_unsafe, config, "allow_unsafe", ALLOW_UNSAFE_ENV))


def report_findings(options: EnvironmentOptions, report: LintReport) -> None:
    """Hand the report to ``options.on_lint``; without one, log each finding."""
    if options.on_lint is not None:
        options.on_lint(report)
        return
    for finding in report.findings:
        log = logger.warning if finding.blocking else logger.info
        log("lint: %s", finding.describe())


def enforce(config: Config, options: EnvironmentOptions, report: LintReport, command: str) -> None:
    """Refuse error-level findings on a database marked production, unless each is allowed."""
    if production_mark(options) is not None:
        enforce_report(report, options, command, allowed=allowed_unsafe(config, options))


def enforce_report(
    report: LintReport,
    options: EnvironmentOptions,
    command: str,
    *,
    allowed: frozenset[str] | None = None,
) -> None:
    """:func:`enforce` for a caller holding the options only (``db plan``)."""
    marked = production_mark(options)
    if marked is None:
        return
    if allowed is None:
        allowed = known_rules(options.allow_unsafe or ())
    unsafe = report.unsafe(allowed)
    if unsafe:
        raise UnsafeLintError(unsafe, command=command, marked=marked)
