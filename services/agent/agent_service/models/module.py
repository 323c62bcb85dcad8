"""Cognitive system modules: static text or Python scripts that fill a persona's template.

A module runs in one of the stages of a turn, decided by its execution context
and by whether its script needs a language-model inference:

==========================  ======  =====================================
context + inference         stage   when
==========================  ======  =====================================
IMMEDIATE, no inference     1       while the template is resolved
IMMEDIATE, inference        2       while the template is resolved
(the AI response)           3       -
POST_RESPONSE, no inference 4       after the AI response
POST_RESPONSE, inference    5       after the AI response
ON_DEMAND                   999     only when triggered explicitly
==========================  ======  =====================================
"""

from __future__ import annotations

import enum
import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from agent_service.models.base import (
    Base,
    JSONType,
    TimestampMixin,
    UUIDPrimaryKeyMixin,
    utcnow,
)
from agent_service.models.persona import Persona
from agent_service.script_analysis import analyze_script

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Mapper

    from agent_service.models.conversation_state import ConversationState


class ModuleType(enum.StrEnum):
    """What a module holds: static text, or a Python script to execute."""

    SIMPLE = "simple"
    ADVANCED = "advanced"


class ExecutionContext(enum.StrEnum):
    """When a module runs within a turn."""

    IMMEDIATE = "IMMEDIATE"
    POST_RESPONSE = "POST_RESPONSE"
    ON_DEMAND = "ON_DEMAND"


#: The priority of on-demand modules: after every stage, never run automatically.
ON_DEMAND_PRIORITY = 999

#: Stage number -> (execution context, requires AI inference).
STAGES: dict[int, tuple[ExecutionContext, bool]] = {
    1: (ExecutionContext.IMMEDIATE, False),
    2: (ExecutionContext.IMMEDIATE, True),
    4: (ExecutionContext.POST_RESPONSE, False),
    5: (ExecutionContext.POST_RESPONSE, True),
}

STAGE_NAMES: dict[int, str] = {
    1: "Stage 1: immediate, without AI inference",
    2: "Stage 2: immediate, with AI inference",
    4: "Stage 4: after the response, without AI inference",
    5: "Stage 5: after the response, with AI inference",
    ON_DEMAND_PRIORITY: "On demand: runs only when triggered explicitly",
}


class Module(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A module that a persona template refers to as ``@name``.

    ``requires_ai_inference`` and ``script_analysis_metadata`` are derived from
    the script: they are computed by :meth:`analyze_script`, which also runs
    automatically whenever a module is inserted or its script changes.
    Deleting a module deletes the conversation states it produced.
    """

    __tablename__ = "modules"
    __table_args__ = (sa.Index(None, "is_active", "execution_context"),)

    name: Mapped[str] = mapped_column(sa.String(255), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text())
    content: Mapped[str | None] = mapped_column(sa.Text())
    type: Mapped[ModuleType] = mapped_column(
        sa.Enum(
            ModuleType,
            name="agent_module_type",
            values_callable=lambda types: [t.value for t in types],
        ),
        nullable=False,
        default=ModuleType.SIMPLE,
    )
    trigger_pattern: Mapped[str | None] = mapped_column(sa.String(500))
    script: Mapped[str | None] = mapped_column(sa.Text())
    execution_context: Mapped[ExecutionContext] = mapped_column(
        sa.Enum(
            ExecutionContext,
            name="agent_execution_context",
            values_callable=lambda contexts: [c.value for c in contexts],
        ),
        nullable=False,
        default=ExecutionContext.IMMEDIATE,
    )
    requires_ai_inference: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=False)
    script_analysis_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    is_active: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=True)

    states: Mapped[list[ConversationState]] = relationship(
        back_populates="module",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    # -- script analysis -------------------------------------------------------

    def analyze_script(self) -> dict[str, Any]:
        """Analyze the script, update ``requires_ai_inference`` and return the analysis.

        A simple module, or one without a script, never requires inference. A
        script with a syntax error is reported in the analysis
        (``valid: False``, ``syntax_error``) and does not require inference;
        see :mod:`agent_service.script_analysis` for the rules.
        """
        if self.type == ModuleType.SIMPLE or not self.script:
            analysis = analyze_script(None).to_dict()
        else:
            analysis = analyze_script(self.script).to_dict()
        analysis["analyzed_at"] = utcnow().isoformat()
        self.requires_ai_inference = bool(analysis["requires_ai_inference"])
        self.script_analysis_metadata = analysis
        return analysis

    def refresh_ai_analysis(self, db: Session) -> dict[str, Any]:
        """Re-analyze the script and write the result through ``db`` (flushed, not committed)."""
        analysis = self.analyze_script()
        db.add(self)
        db.flush()
        return analysis

    # -- execution context -----------------------------------------------------

    @property
    def is_immediate_context(self) -> bool:
        """True when the module runs while the template is resolved (stages 1-2)."""
        return self.execution_context == ExecutionContext.IMMEDIATE

    @property
    def is_post_response_context(self) -> bool:
        """True when the module runs after the AI response (stages 4-5)."""
        return self.execution_context == ExecutionContext.POST_RESPONSE

    @property
    def is_on_demand_context(self) -> bool:
        """True when the module runs only when triggered explicitly."""
        return self.execution_context == ExecutionContext.ON_DEMAND

    @property
    def execution_stage_priority(self) -> int:
        """The stage the module runs in: 1, 2, 4 or 5, or 999 for on-demand modules."""
        if self.is_on_demand_context:
            return ON_DEMAND_PRIORITY
        needs_ai = bool(self.requires_ai_inference)
        if self.is_immediate_context:
            return 2 if needs_ai else 1
        return 5 if needs_ai else 4

    def get_stage_name(self) -> str:
        """A human-readable description of the module's stage."""
        return STAGE_NAMES[self.execution_stage_priority]

    @classmethod
    def get_modules_for_stage(
        cls, db: Session, stage_number: int, persona_id: uuid.UUID | None = None
    ) -> list[Module]:
        """The active modules that run in ``stage_number`` (1, 2, 4 or 5), ordered by name.

        With ``persona_id``, only the modules the persona's template refers to
        (``@name``); an unknown persona has none.
        """
        if stage_number not in STAGES:
            raise ValueError(
                f"stage_number must be one of {sorted(STAGES)} "
                f"(stage 3 is the AI response itself), not {stage_number!r}"
            )
        context, needs_ai = STAGES[stage_number]
        query = sa.select(cls).where(
            cls.is_active.is_(True),
            cls.execution_context == context,
            cls.requires_ai_inference.is_(needs_ai),
        )
        if persona_id is not None:
            persona = db.get(Persona, persona_id)
            names = persona.module_names if persona is not None else []
            if not names:
                return []
            query = query.where(cls.name.in_(names))
        return list(db.scalars(query.order_by(cls.name)))

    def __repr__(self) -> str:
        return f"<Module {self.name!r}>"


def _analyze_on_insert(_mapper: Mapper[Module], _connection: Connection, module: Module) -> None:
    module.analyze_script()


def _analyze_on_update(_mapper: Mapper[Module], _connection: Connection, module: Module) -> None:
    state = sa.inspect(module)
    if state.attrs.script.history.has_changes() or state.attrs.type.history.has_changes():
        module.analyze_script()


event.listen(Module, "before_insert", _analyze_on_insert)
event.listen(Module, "before_update", _analyze_on_update)

__all__ = [
    "ON_DEMAND_PRIORITY",
    "STAGES",
    "STAGE_NAMES",
    "ExecutionContext",
    "Module",
    "ModuleType",
]
