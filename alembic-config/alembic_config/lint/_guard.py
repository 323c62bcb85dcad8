"""Where lint stops a run: error-level findings on a database marked production.

A database is marked production by ``MINDMIRROR_ENVIRONMENT=production`` (or
``prod``), or by the caller (the command line's ``--env production``) through
``config.attributes["alembic_config.production"]``. The override names each
rule after review: ``--allow-unsafe RULE``, ``-x allow_unsafe=RULE,RULE`` or
``ALEMBIC_CONFIG_ALLOW_UNSAFE``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from alembic_config._errors import LintSettingError, UnsafeLintError
from alembic_config.lint._registry import RULES_BY_ID

if TYPE_CHECKING:
    from alembic.config import Config

    from alembic_config.lint._model import LintReport

logger = logging.getLogger(__name__)

PRODUCTION_ENV = "MINDMIRROR_ENVIRONMENT"
PRODUCTION_NAMES = frozenset({"production", "prod"})
PRODUCTION_KEY = "alembic_config.production"
ALLOW_UNSAFE_KEY = "alembic_config.allow_unsafe"
ALLOW_UNSAFE_ENV = "ALEMBIC_CONFIG_ALLOW_UNSAFE"
ON_LINT_KEY = "alembic_config.on_lint"


def production_mark(attributes: Mapping[str, Any]) -> str | None:
    """What marks the database production (for messages), or ``None`` when nothing does."""
    given = attributes.get(PRODUCTION_KEY)
    if given:
        return str(given) if isinstance(given, str) else "marked by the caller"
    value = os.environ.get(PRODUCTION_ENV, "").strip()
    return f"{PRODUCTION_ENV}={value}" if value.lower() in PRODUCTION_NAMES else None


def allowed_unsafe(config: Config) -> frozenset[str]:
    """The rules named with ``--allow-unsafe`` (attribute), ``-x allow_unsafe=`` or the env."""
    from alembic_config._scope import parse_names

    given = config.attributes.get(ALLOW_UNSAFE_KEY)
    if given is not None:
        return _known(parse_names(given))
    for item in getattr(config.cmd_opts, "x", None) or []:
        name, sep, value = str(item).partition("=")
        if sep and name.strip() == "allow_unsafe":
            return _known(parse_names(value))
    return _known(parse_names(os.environ.get(ALLOW_UNSAFE_ENV)))


def _known(names: frozenset[str]) -> frozenset[str]:
    for name in sorted(names):
        if name not in RULES_BY_ID:
            raise LintSettingError(
                f"--allow-unsafe names the unknown lint rule {name!r}; the rules are: "
                f"{', '.join(sorted(RULES_BY_ID))}",
                rule=name,
                where="--allow-unsafe",
            )
    return names


def report_findings(config: Config, report: LintReport) -> None:
    """Hand the report to ``alembic_config.on_lint``; without one, log each finding."""
    callback = config.attributes.get(ON_LINT_KEY)
    if callback is not None:
        callback(report)
        return
    for finding in report.findings:
        log = logger.warning if finding.blocking else logger.info
        log("lint: %s", finding.describe())


def enforce(config: Config, report: LintReport, command: str) -> None:
    """Refuse error-level findings on a database marked production, unless each is allowed."""
    if production_mark(config.attributes) is not None:
        enforce_report(report, config.attributes, command, allowed=allowed_unsafe(config))


def enforce_report(
    report: LintReport,
    attributes: Mapping[str, Any],
    command: str,
    *,
    allowed: frozenset[str] | None = None,
) -> None:
    """:func:`enforce` for a caller holding the attributes (``alembic_config.*``) only."""
    from alembic_config._scope import parse_names

    marked = production_mark(attributes)
    if marked is None:
        return
    if allowed is None:
        allowed = _known(parse_names(attributes.get(ALLOW_UNSAFE_KEY)))
    unsafe = report.unsafe(allowed)
    if unsafe:
        raise UnsafeLintError(unsafe, command=command, marked=marked)
