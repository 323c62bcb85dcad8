"""Allowing a rule: for one revision (a comment in its file) or for the project (the ini).

In a revision file, one comment per rule, with the reason after the id::

    # alembic-config: allow index-without-concurrently -- the table is created empty above

In the ini file, for every revision::

    [mindmirror]
    lint_allow = drop-column, data-with-ddl
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from alembic_config._refusals import (
    LintSettingError,
)
from alembic_config.lint._registry import RULES_BY_ID

if TYPE_CHECKING:
    from alembic.config import Config

INI_SECTION = "mindmirror"
INI_ALLOW = "lint_allow"
_COMMENT = re.compile(r"^\s*#\s*alembic-config:\s*allow\s+(?P<rule>\S+)\s*(?P<why>.*)$")


def _known(rule: str, where: str) -> str:
    if rule not in RULES_BY_ID:
        raise LintSettingError(
            f"{where} allows the unknown lint rule {rule!r}; the rules are: "
            f"{', '.join(sorted(RULES_BY_ID))}",
            rule=rule,
            where=where,
        )
    return rule


def revision_allows(path: str | Path | None) -> dict[str, str]:
    """The rules a revision file allows, each with its reason (``rule -> reason``).

    A comment without a reason is refused: the reason is what a reviewer reads.
    """
    if path is None:
        return {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return {}
    allowed = {}
    for number, line in enumerate(text.splitlines(), start=1):
        found = _COMMENT.match(line)
        if found is None:
            continue
        where = f"{path}, line {number},"
        rule = _known(found["rule"], where)
        why = found["why"].strip().lstrip("-:— ").strip()
        if not why:
            raise LintSettingError(
                f"{where} allows {rule} without a reason; write it after the rule: "
                f"# alembic-config: allow {rule} -- why it is safe here",
                rule=rule,
                where=where,
            )
        allowed[rule] = why
    return allowed


def project_allows(config: Config | None) -> frozenset[str]:
    """The rules ``[mindmirror] lint_allow`` in the ini file allows for every revision."""
    if config is None or config.config_file_name is None:
        return frozenset()
    if not config.file_config.has_section(INI_SECTION):
        return frozenset()
    raw = config.get_section_option(INI_SECTION, INI_ALLOW)
    names = {n.strip() for n in re.split(r"[,\s]+", raw or "") if n.strip()}
    where = f"{config.config_file_name} [{INI_SECTION}] {INI_ALLOW}"
    return frozenset(_known(n, where) for n in names)


@dataclass(frozen=True)
class Allowances:
    """What is allowed where: per revision (with reasons) and for the whole project."""

    project: frozenset[str] = frozenset()
    revisions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    source: str = f"[{INI_SECTION}] {INI_ALLOW}"

    def reason(self, rule: str, revision: str) -> str | None:
        """Why ``rule`` is allowed for ``revision``, or ``None`` when it is not."""
        why = self.revisions.get(revision, {}).get(rule)
        if why is not None:
            return f"revision comment: {why}"
        if rule in self.project:
            return f"project ({self.source})"
        return None


def allowances(config: Config | None, scripts: Iterable[object]) -> Allowances:
    """The allowances of the project and of each of ``scripts`` (Alembic ``Script`` objects)."""
    per_revision = {
        str(getattr(s, "revision", "")): revision_allows(getattr(s, "path", None)) for s in scripts
    }
    source = f"{config.config_file_name} [{INI_SECTION}] {INI_ALLOW}" if config else ""
    return Allowances(project_allows(config), per_revision, source or f"[{INI_SECTION}]")
